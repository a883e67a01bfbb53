// Package runtime holds the C sources of libtgrt.so, the runtime library
// that generated kernels call (tg_rt.h), and embeds them so the driver can
// build the library from the Go binary alone, without the source tree.
//
// Every *.h and *.c file of this directory is embedded. The driver writes
// the headers next to each translation unit it compiles (kernels include
// "tg_rt.h" and the per-area headers) and compiles every .c file into
// libtgrt.so.
//
// Every .c file here starts with the line `//go:build ignore` (a valid C
// comment): the Go tool refuses a package directory holding C files
// without cgo, and the constraint makes it skip them; embedding ignores
// build constraints, so the files are still embedded. A new .c file
// without that line breaks `go build ./...` at once.
package runtime

import (
	"embed"
	"io/fs"
	"path"
	"sort"
)

//go:embed *.h *.c
var sources embed.FS

// FS returns the embedded runtime sources: every .h and .c file of
// codegen/runtime, at the root of the file system.
func FS() fs.FS { return sources }

// Files returns every embedded runtime source by file name ("tg_rt.c").
func Files() map[string][]byte {
	entries, err := sources.ReadDir(".")
	if err != nil {
		panic("runtime: reading the embedded sources: " + err.Error())
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		b, err := sources.ReadFile(e.Name())
		if err != nil {
			panic("runtime: reading the embedded " + e.Name() + ": " + err.Error())
		}
		out[e.Name()] = b
	}
	return out
}

// CSources returns the names of the .c files, sorted: the translation
// units of libtgrt.so.
func CSources() []string { return namesWithExt(".c") }

// Headers returns the names of the .h files, sorted.
func Headers() []string { return namesWithExt(".h") }

func namesWithExt(ext string) []string {
	var names []string
	for name := range Files() {
		if path.Ext(name) == ext {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
