package cxx

import (
	"fmt"
	"strings"
	"testing"

	"theanogo/codegen/runtime"
)

// TestMaxRankIsTheRuntimes keeps MaxRank equal to tg_rt.h's TG_MAXDIM: a
// generated kernel must refuse every rank the runtime's tg_view cannot hold.
func TestMaxRankIsTheRuntimes(t *testing.T) {
	want := fmt.Sprintf("#define TG_MAXDIM %d\n", MaxRank)
	if !strings.Contains(string(runtime.Files()["tg_rt.h"]), want) {
		t.Fatalf("tg_rt.h does not say %q", strings.TrimSpace(want))
	}
}
