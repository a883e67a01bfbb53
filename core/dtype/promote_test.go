package dtype

import "testing"

// The expected results are numpy.result_type on arrays of the two dtypes.
func TestPromoteMatchesNumPy(t *testing.T) {
	cases := []struct{ a, b, want DType }{
		{Bool, Bool, Bool},
		{Bool, Int8, Int8},
		{Bool, Float16, Float16},
		{Int8, Uint8, Int16},
		{Int16, Uint16, Int32},
		{Int32, Uint32, Int64},
		{Int64, Uint64, Float64},
		{Uint8, Int32, Int32},
		{Uint32, Int16, Int64},
		{Int8, Float16, Float16},
		{Uint8, Float16, Float16},
		{Int16, Float16, Float32},
		{Int32, Float32, Float64},
		{Int64, Float32, Float64},
		{Uint16, Float32, Float32},
		{Float32, Float64, Float64},
		{Float16, Float32, Float32},
		{Float64, Complex64, Complex128},
		{Float32, Complex64, Complex64},
		{Int16, Complex64, Complex64},
		{Int32, Complex64, Complex128},
		{Uint64, Complex64, Complex128},
		{Complex64, Complex128, Complex128},
	}
	for _, c := range cases {
		if got := Promote(c.a, c.b); got != c.want {
			t.Errorf("Promote(%v, %v) = %v, numpy says %v", c.a, c.b, got, c.want)
		}
		if got := Promote(c.b, c.a); got != c.want {
			t.Errorf("Promote(%v, %v) = %v, numpy says %v", c.b, c.a, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, d := range All {
		got, err := Parse(d.String())
		if err != nil || got != d {
			t.Errorf("Parse(%q) = %v, %v", d.String(), got, err)
		}
	}
	if _, err := Parse("float31"); err == nil {
		t.Error("Parse accepted float31")
	}
}

func TestFloatOf(t *testing.T) {
	cases := map[DType]DType{Int8: Float16, Uint8: Float16, Int16: Float32, Int32: Float64,
		Int64: Float64, Bool: Float16, Float32: Float32, Complex64: Complex64}
	for in, want := range cases {
		if got := FloatOf(in); got != want {
			t.Errorf("FloatOf(%v) = %v, want %v", in, got, want)
		}
	}
}
