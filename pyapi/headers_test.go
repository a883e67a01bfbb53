package main

import (
	"testing"

	"theanogo/codegen/runtime"
)

// The constant that makes Go rebuild this package when the runtime
// headers it includes change (cgoHeadersDigest in kernel.go).
func TestCgoHeadersDigest(t *testing.T) {
	if got := runtime.HeaderDigest("tg_kernel.h"); got != cgoHeadersDigest {
		t.Fatalf("the runtime headers changed: set cgoHeadersDigest = %q in kernel.go", got)
	}
}
