package loader

import "testing"

// Two caches' entries of one runtime (same key) are one library; another
// key, or a path outside a cache's lib/, is not.
func TestSameRuntimeEntry(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/c1/lib/k1/libtgrt.so", "/c2/lib/k1/libtgrt.so", true},
		{"/c1/lib/k1/libtgrt.so", "/c1/lib/k2/libtgrt.so", false},
		{"/c1/lib/k1/libtgrt.so", "/c2/lib/k1/other.so", false},
		{"/c1/x/k1/libtgrt.so", "/c2/x/k1/libtgrt.so", false},
	} {
		if got := sameEntry(c.a, c.b); got != c.want {
			t.Errorf("sameEntry(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
