package ops_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Imports flow one way: nothing under core/, tests included, imports a
// package of this module outside core/ (in particular not the C ABI layer,
// where op names and JSON parameters live), and no non-test file under
// core/ imports encoding/json (parameter types serialize through
// encoding.TextMarshaler, which the C ABI layer's JSON uses).
func TestCoreImportsStayInCore(t *testing.T) {
	core, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(core) != "core" {
		t.Fatalf("the test runs in %s, not under core/ops", core)
	}
	module := modulePath(t, filepath.Dir(core))
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(core, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != core {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(core, path)
		rel = filepath.ToSlash(rel)
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			switch {
			case strings.HasPrefix(p, module+"/") && !strings.HasPrefix(p, module+"/core/"):
				t.Errorf("core/%s imports %s: core/ must not know the packages outside it", rel, p)
			case p == "encoding/json" && !isTest:
				t.Errorf("core/%s imports encoding/json: JSON stays in the C ABI layer", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("parsed only %d files under %s", files, core)
	}
}

// modulePath reads the module path from root/go.mod.
func modulePath(t *testing.T, root string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return f[1]
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}
