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
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
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

// HeaderDigest is a short SHA-256 of the header name and of every header
// it includes with #include "..." (transitively, each once, in name
// order). A cgo package that includes the runtime headers from this
// directory keeps the digest of what it includes as a constant, checked by
// its tests: Go's build cache hashes a cgo package's own files but not
// headers included from elsewhere, so without a change in the package an
// edited struct in tg_kernel.h would leave a stale object compiled against
// the old layout (a crash, not a compile error).
func HeaderDigest(name string) string {
	files := Files()
	seen := map[string]bool{}
	var visit func(string)
	visit = func(h string) {
		if seen[h] {
			return
		}
		seen[h] = true
		for _, line := range strings.Split(string(files[h]), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#include \"")
			if inc, _, found := strings.Cut(rest, "\""); ok && found && files[inc] != nil {
				visit(inc)
			}
		}
	}
	visit(name)
	names := make([]string, 0, len(seen))
	for h := range seen {
		names = append(names, h)
	}
	sort.Strings(names)
	sum := sha256.New()
	for _, h := range names {
		fmt.Fprintf(sum, "%s %d\n", h, len(files[h]))
		sum.Write(files[h])
	}
	return hex.EncodeToString(sum.Sum(nil))[:16]
}
