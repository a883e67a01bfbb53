package cxx

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryOpTypeHasALowering parses core/ops and requires a row in the
// lowerings table for every op type (every type with an OutputTypes
// method): the evaluator fallback is for ops added later, not for ops the
// backend forgot.
func TestEveryOpTypeHasALowering(t *testing.T) {
	files, err := filepath.Glob("../../core/ops/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("core/ops sources: %v (%d files)", err, len(files))
	}
	lowered := map[string]bool{}
	for typ := range lowerings {
		lowered[typ.Name()] = true
	}
	fset := token.NewFileSet()
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "OutputTypes" {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			name := typ.(*ast.Ident).Name
			n++
			if !lowered[name] {
				t.Errorf("op type %s has no C++ lowering (add a row to codegen/cxx/lowerings.go)", name)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d op types in core/ops: the parse is wrong", n)
	}
}
