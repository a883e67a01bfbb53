package native

import (
	"testing"

	"theanogo/codegen/runtime"
)

// The constant that makes Go rebuild this package when the runtime
// headers it includes change (cgoHeadersDigest in native.go).
func TestCgoHeadersDigest(t *testing.T) {
	if got := runtime.HeaderDigest("tg_rt.h"); got != cgoHeadersDigest {
		t.Fatalf("the runtime headers changed: set cgoHeadersDigest = %q in native.go", got)
	}
}
