package tensor

import (
	"math"
	"slices"
	"testing"

	"theanogo/core/dtype"
)

// Every dtype pair through Astype: values every dtype holds exactly convert
// to the same values, a bool target keeps whether they are nonzero, and
// converting back gives the original array.
func TestAstypeEveryPair(t *testing.T) {
	for _, src := range dtype.All {
		vals := []float64{0, 1, 3, 100, 0, 7}
		if src == dtype.Bool {
			vals = []float64{0, 1, 1, 0, 0, 1}
		}
		a := FromFloat64s(src, []int{2, 3}, vals)
		for _, dst := range dtype.All {
			b := a.Astype(dst)
			if b.DType != dst || !slices.Equal(b.Shape, []int{2, 3}) {
				t.Fatalf("%v -> %v: got dtype %v shape %v", src, dst, b.DType, b.Shape)
			}
			want := vals
			if dst == dtype.Bool {
				want = make([]float64, len(vals))
				for i, v := range vals {
					if v != 0 {
						want[i] = 1
					}
				}
			}
			if got := b.Float64s(); !slices.Equal(got, want) {
				t.Errorf("%v -> %v: Float64s = %v, want %v", src, dst, got, want)
			}
			if got := b.Int64s(); !slices.Equal(got, floatsToInts(want)) {
				t.Errorf("%v -> %v: Int64s = %v, want %v", src, dst, got, want)
			}
			if dst != dtype.Bool {
				back := b.Astype(src)
				if !slices.Equal(back.Bytes(), a.Bytes()) {
					t.Errorf("%v -> %v -> %v: got %v, want %v", src, dst, src, back, a)
				}
			}
		}
	}
}

// Negative integers into unsigned dtypes wrap modulo 2^bits, as C casts
// (and NumPy's astype) do; and back.
func TestNegativeIntsWrapIntoUnsigned(t *testing.T) {
	a := FromInt64s(dtype.Int64, []int{2}, []int64{-3, -1})
	cases := []struct {
		dt   dtype.DType
		want []int64 // Int64s of the result (uint64 keeps its bits)
	}{
		{dtype.Uint8, []int64{253, 255}},
		{dtype.Uint16, []int64{65533, 65535}},
		{dtype.Uint32, []int64{1<<32 - 3, 1<<32 - 1}},
		{dtype.Uint64, []int64{-3, -1}},
		{dtype.Int8, []int64{-3, -1}},
	}
	for _, c := range cases {
		b := a.Astype(c.dt)
		if got := b.Int64s(); !slices.Equal(got, c.want) {
			t.Errorf("int64 -> %v: %v, want %v", c.dt, got, c.want)
		}
	}
	if got := FromInt64s(dtype.Int8, []int{1}, []int64{300}).Int64s(); got[0] != 44 {
		t.Errorf("300 into int8 = %d, want 44 (300 - 256)", got[0])
	}
}

// uint64 values above 2^63 keep their value through float64 and their bits
// through int64.
func TestUint64AboveTwoToThe63(t *testing.T) {
	const big = uint64(1)<<63 + 1<<11 // exactly representable in float64
	u := &Array{DType: dtype.Uint64, Shape: []int{3}, Data: []uint64{big, math.MaxUint64, 1 << 63}}
	wantF := []float64{float64(big), 18446744073709551616, 9223372036854775808}
	if got := u.Float64s(); !slices.Equal(got, wantF) {
		t.Errorf("uint64 -> float64: %v, want %v", got, wantF)
	}
	if got := u.Astype(dtype.Float64).Data.([]float64); !slices.Equal(got, wantF) {
		t.Errorf("Astype(float64): %v, want %v", got, wantF)
	}
	// float64 -> uint64: values in [2^63, 2^64) keep their value.
	back := FromFloat64s(dtype.Uint64, []int{2}, []float64{float64(big), 9223372036854775808}).Data.([]uint64)
	if !slices.Equal(back, []uint64{big, 1 << 63}) {
		t.Errorf("float64 -> uint64: %v, want [%d %d]", back, big, uint64(1<<63))
	}
	// uint64 -> int64 keeps the bits (wraps), and int64 -> uint64 undoes it.
	i := u.Astype(dtype.Int64).Data.([]int64)
	if want := []int64{math.MinInt64 + 1<<11, -1, math.MinInt64}; !slices.Equal(i, want) {
		t.Errorf("uint64 -> int64: %v, want %v", i, want)
	}
	if got := u.Astype(dtype.Int64).Astype(dtype.Uint64).Data.([]uint64); !slices.Equal(got, u.Data.([]uint64)) {
		t.Errorf("uint64 -> int64 -> uint64: %v, want %v", got, u.Data)
	}
	if got := u.Astype(dtype.Float16).Data.([]uint16); !slices.Equal(got, []uint16{0x7c00, 0x7c00, 0x7c00}) {
		t.Errorf("uint64 -> float16: %#04x, want inf", got)
	}
}

// Bools from numbers are "nonzero" (NaN is true, -0 false); numbers from
// bools are 0 and 1.
func TestBoolConversions(t *testing.T) {
	f := FromFloat64s(dtype.Float64, []int{6}, []float64{0, math.Copysign(0, -1), 0.5, -2, math.NaN(), math.Inf(-1)})
	want := []bool{false, false, true, true, true, true}
	if got := f.Bools(); !slices.Equal(got, want) {
		t.Errorf("float64 -> bool: %v, want %v", got, want)
	}
	if got := f.Astype(dtype.Bool).Data.([]bool); !slices.Equal(got, want) {
		t.Errorf("Astype(bool): %v, want %v", got, want)
	}
	c := FromComplex128s(dtype.Complex128, []int{3}, []complex128{0, complex(0, 1), complex(2, 0)})
	if got := c.Astype(dtype.Bool).Data.([]bool); !slices.Equal(got, []bool{false, true, true}) {
		t.Errorf("complex -> bool: %v, want [false true true] (an imaginary part counts)", got)
	}
	b := FromBools([]int{2}, []bool{true, false})
	for _, dt := range dtype.All {
		if got := b.Astype(dt).Float64s(); !slices.Equal(got, []float64{1, 0}) {
			t.Errorf("bool -> %v: %v, want [1 0]", dt, got)
		}
	}
}

// Floats into integers truncate toward zero; NaN and inf into int64 give
// MinInt64, as NumPy does on x86.
func TestFloatsToInts(t *testing.T) {
	f := FromFloat64s(dtype.Float64, []int{6}, []float64{2.9, -2.9, 0.5, math.NaN(), math.Inf(1), math.Inf(-1)})
	want := []int64{2, -2, 0, math.MinInt64, math.MinInt64, math.MinInt64}
	if got := f.Astype(dtype.Int64).Data.([]int64); !slices.Equal(got, want) {
		t.Errorf("float64 -> int64: %v, want %v", got, want)
	}
	h := FromFloat64s(dtype.Float16, []int{2}, []float64{-7.75, 65504})
	if got := h.Astype(dtype.Int32).Data.([]int32); !slices.Equal(got, []int32{-7, 65504}) {
		t.Errorf("float16 -> int32: %v, want [-7 65504]", got)
	}
}

// float16 <-> float32/float64 through arrays: exact values survive, others
// round to nearest even, inf and NaN carry over.
func TestFloat16ArrayConversions(t *testing.T) {
	in := []float64{1, -0.5, 65504, math.Ldexp(1, -24), math.Inf(1), math.Inf(-1), 1 + math.Ldexp(1, -11), 70000}
	want := []float64{1, -0.5, 65504, math.Ldexp(1, -24), math.Inf(1), math.Inf(-1), 1, math.Inf(1)}
	for _, src := range []dtype.DType{dtype.Float32, dtype.Float64} {
		a := FromFloat64s(src, []int{len(in)}, in)
		h := a.Astype(dtype.Float16)
		if got := h.Float64s(); !slices.Equal(got, want) {
			t.Errorf("%v -> float16: %v, want %v", src, got, want)
		}
		if got := h.Astype(src).Float64s(); !slices.Equal(got, want) {
			t.Errorf("%v -> float16 -> %v: %v, want %v", src, src, got, want)
		}
	}
	n := FromFloat64s(dtype.Float32, []int{1}, []float64{math.NaN()}).Astype(dtype.Float16)
	if got := n.Astype(dtype.Float64).Float64s()[0]; !math.IsNaN(got) {
		t.Errorf("NaN float32 -> float16 -> float64 = %v, want NaN", got)
	}
}

// Complex into real dtypes keeps the real part.
func TestComplexToReal(t *testing.T) {
	c := FromComplex128s(dtype.Complex64, []int{2}, []complex128{complex(1.5, 2), complex(-3, -1)})
	if got := c.Astype(dtype.Float32).Float64s(); !slices.Equal(got, []float64{1.5, -3}) {
		t.Errorf("complex64 -> float32: %v, want [1.5 -3]", got)
	}
	if got := c.Astype(dtype.Int16).Int64s(); !slices.Equal(got, []int64{1, -3}) {
		t.Errorf("complex64 -> int16: %v, want [1 -3]", got)
	}
}
