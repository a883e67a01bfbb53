package cxx

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryOpTypeHasALowering parses core/ops and requires, for every op
// type (every type with an OutputTypes method), a row in the lowerings
// table or a Lower method (kir.Lowerable, printed by lower_kir.go): the
// evaluator fallback is for ops added later, not for ops the backend
// forgot.
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
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && fn.Name.Name == "Lower" {
				lowered[receiverName(fn)] = true
			}
		}
	}
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
			name := receiverName(fn)
			n++
			if !lowered[name] {
				t.Errorf("op type %s has no C++ lowering (give it a Lower method, kir.Lowerable, or a row in codegen/cxx/lowerings.go)", name)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d op types in core/ops: the parse is wrong", n)
	}
}

// receiverName is the name of a method's receiver type.
func receiverName(fn *ast.FuncDecl) string {
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	return typ.(*ast.Ident).Name
}
