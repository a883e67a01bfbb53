package tensor

import (
	"math"
	"testing"
)

// Known binary16 encodings, both ways (values as NumPy's float16 has them).
func TestHalfKnownValues(t *testing.T) {
	cases := []struct {
		bits uint16
		v    float64
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                     // the largest finite
		{0x0400, math.Ldexp(1, -14)},        // the smallest normal
		{0x03ff, 1023 * math.Ldexp(1, -24)}, // the largest subnormal
		{0x0001, math.Ldexp(1, -24)},        // the smallest subnormal
		{0x8001, -math.Ldexp(1, -24)},
		{0x7c00, math.Inf(1)},
		{0xfc00, math.Inf(-1)},
	}
	for _, c := range cases {
		if got := HalfToFloat64(c.bits); got != c.v {
			t.Errorf("HalfToFloat64(%#04x) = %v, want %v", c.bits, got, c.v)
		}
		if got := Float64ToHalf(c.v); got != c.bits {
			t.Errorf("Float64ToHalf(%v) = %#04x, want %#04x", c.v, got, c.bits)
		}
	}
	if got := HalfToFloat64(0x8000); got != 0 || !math.Signbit(got) {
		t.Errorf("HalfToFloat64(0x8000) = %v, want -0", got)
	}
	if got := Float64ToHalf(math.Copysign(0, -1)); got != 0x8000 {
		t.Errorf("Float64ToHalf(-0) = %#04x, want 0x8000", got)
	}
	for _, bits := range []uint16{0x7e00, 0x7c01, 0xfe00} {
		if got := HalfToFloat64(bits); !math.IsNaN(got) {
			t.Errorf("HalfToFloat64(%#04x) = %v, want NaN", bits, got)
		}
	}
	if got := Float64ToHalf(math.NaN()); got != 0x7e00 {
		t.Errorf("Float64ToHalf(NaN) = %#04x, want 0x7e00", got)
	}
}

// Rounding to nearest, ties to even, from float64 in one step.
func TestFloat64ToHalfRounding(t *testing.T) {
	ulp1 := math.Ldexp(1, -10) // the spacing of halves in [1, 2)
	cases := []struct {
		name string
		v    float64
		want uint16
	}{
		{"tie rounds down to even", 1 + ulp1/2, 0x3c00},
		{"tie rounds up to even", 1 + 3*ulp1/2, 0x3c02},
		{"just above a tie rounds up (no double rounding through float32)", 1 + ulp1/2 + math.Ldexp(1, -40), 0x3c01},
		{"just below a tie rounds down", 1 + ulp1/2 - math.Ldexp(1, -40), 0x3c00},
		{"65519 rounds to the largest finite", 65519, 0x7bff},
		{"65520, the tie with 65536, overflows to inf", 65520, 0x7c00},
		{"1e300 overflows", 1e300, 0x7c00},
		{"-1e300 overflows", -1e300, 0xfc00},
		{"half the smallest subnormal, a tie, rounds to 0", math.Ldexp(1, -25), 0x0000},
		{"just above half the smallest subnormal rounds up", math.Ldexp(1, -25) * (1 + 1e-15), 0x0001},
		{"1.5 subnormal ulps, a tie, rounds to 2", 1.5 * math.Ldexp(1, -24), 0x0002},
		{"2.5 subnormal ulps, a tie, rounds to 2", 2.5 * math.Ldexp(1, -24), 0x0002},
		{"the largest subnormal plus half an ulp carries into the smallest normal", 1023.5 * math.Ldexp(1, -24), 0x0400},
		{"far below the subnormals", 1e-300, 0x0000},
		{"negative far below the subnormals", -1e-300, 0x8000},
	}
	for _, c := range cases {
		if got := Float64ToHalf(c.v); got != c.want {
			t.Errorf("%s: Float64ToHalf(%v) = %#04x, want %#04x", c.name, c.v, got, c.want)
		}
	}
}

// Every finite half survives the round trip through float64 and float32,
// and every midpoint between neighbours rounds to the even one.
func TestHalfRoundTripsAndMidpoints(t *testing.T) {
	for b := range 1 << 16 {
		h := uint16(b)
		v := HalfToFloat64(h)
		if math.IsNaN(v) {
			continue
		}
		if got := Float64ToHalf(v); got != h {
			t.Fatalf("round trip %#04x -> %v -> %#04x", h, v, got)
		}
		if got := Float64ToHalf(float64(float32(v))); got != h {
			t.Fatalf("round trip through float32 %#04x -> %v -> %#04x", h, v, got)
		}
		if h&0x7fff >= 0x7bff { // the next magnitude is inf
			continue
		}
		next := HalfToFloat64(h + 1)
		mid := v + (next-v)/2 // exact: halves have 11 significant bits
		want := h
		if h&1 == 1 {
			want = h + 1
		}
		if got := Float64ToHalf(mid); got != want {
			t.Fatalf("midpoint of %#04x and %#04x (%v) -> %#04x, want %#04x", h, h+1, mid, got, want)
		}
	}
}
