package loader

import (
	"testing"

	"theanogo/codegen/runtime"
)

// The constant that makes Go rebuild this package when the runtime
// headers it includes change (cgoHeadersDigest in loader.go).
func TestCgoHeadersDigest(t *testing.T) {
	if got := runtime.HeaderDigest("tg_rt.h"); got != cgoHeadersDigest {
		t.Fatalf("the runtime headers changed: set cgoHeadersDigest = %q in loader.go", got)
	}
}
