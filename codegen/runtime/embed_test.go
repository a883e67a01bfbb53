package runtime

import (
	"bytes"
	"testing"
)

// The embedded sources hold the runtime contract and its implementation,
// and every C file carries the build constraint that keeps Go off it.
func TestEmbeddedSources(t *testing.T) {
	files := Files()
	for _, name := range []string{"tg_rt.h", "tg_kernel.h", "tg_rt.c", "tg_blas.c", "tg_pool.c"} {
		if len(files[name]) == 0 {
			t.Errorf("%s is not embedded", name)
		}
	}
	for _, name := range CSources() {
		if !bytes.HasPrefix(files[name], []byte("//go:build ignore\n")) {
			t.Errorf("%s does not start with //go:build ignore", name)
		}
	}
	if len(Headers()) == 0 {
		t.Error("no headers")
	}
}
