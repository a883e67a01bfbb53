package testsgo

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The loop versions codegen/cxx chooses from the types (loops.go): a flat
// loop, a nest over a trailing group of dimensions with broadcast
// operands, and the generic strided nest when an operand is a view that
// may be strided (a transpose). Each runs small and above the parallel
// threshold (chunks that start inside a row).
func TestCxxLoopVersions(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	v := b.Input(graph.NewType(dtype.Float64, -1), "v")
	w := b.Input(graph.NewType(dtype.Float64, -1), "w")
	y := b.Input(graph.NewType(dtype.Float64, -1, -1, -1), "y")
	e := ops.NewExpr(b)
	xt := e.DimShuffle(x, []int{1, 0})
	outs := []*graph.Variable{
		e.Add(xt, v),         // strided and a broadcast row
		e.Mul(e.Exp(xt), xt), // strided only
		e.Add(x, e.DimShuffle(v, []int{0, ops.Broadcast})),    // a broadcast column
		e.Sub(y, e.DimShuffle(x, []int{0, ops.Broadcast, 1})), // a broadcast middle dimension
		e.Add(y, w), // a broadcast over the two leading dimensions
		e.Mul(x, x), // flat
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{3, 2, 4}, {600, 3, 500}} {
		values := []*tensor.Array{
			randomArray(rng, dtype.Float64, s[0], s[2]), randomArray(rng, dtype.Float64, s[0]),
			randomArray(rng, dtype.Float64, s[2]), randomArray(rng, dtype.Float64, s[0], s[1], s[2]),
		}
		c := checkCxx(t, b, outs, []*graph.Variable{x, v, w, y}, values)
		for _, want := range []string{"tg_is_contiguous(in", "const int64_t inner = c->inner;", "for (int64_t k = b; k < end; k++)"} {
			if !strings.Contains(c.Kernel.Source, want) {
				t.Errorf("no %q in the kernel: a loop version is missing\n%s", want, c.Kernel.Source)
			}
		}
	}
}

// A constant integer exponent becomes multiplications, as Go's math.Pow
// computes it: written out up to kir.MaxPowProduct (x ** -3 is
// 1.0 / (x * (x * x))), tg_powi beyond; other exponents still call pow.
func TestCxxConstantPowers(t *testing.T) {
	for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dt, -1), "x")
		y := b.Input(graph.NewType(dt, -1), "y")
		e := ops.NewExpr(b)
		var outs []*graph.Variable
		for _, k := range []float64{10, 2, 3, -3, 0, 1, 0.5} {
			outs = append(outs, e.Add(e.Mul(e.Const(2, x), y), e.Call("pow", x, e.Const(k, x))))
		}
		special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), 1e-300, 1e300, -2.5, 3}
		xs := make([]float64, 64)
		for i := range xs {
			xs[i] = float64(i%13)/3 - 2
		}
		copy(xs, special)
		c := checkCxx(t, b, outs, []*graph.Variable{x, y}, []*tensor.Array{tensor.FromFloat64s(dt, []int{64}, xs), tensor.FromFloat64s(dt, []int{64}, xs)})
		src := baseRef.ReplaceAllString(c.Kernel.Source, "x")
		if !strings.Contains(src, "tg_powi<10>") || !strings.Contains(src, "(1.0 / (x * (x * x)))") {
			t.Errorf("%v: x ** 10 does not use tg_powi or x ** -3 is not 1.0 / (x * (x * x)):\n%s", dt, c.Kernel.Source)
		}
	}
}

// baseRef is a power's base as the element function reads it (x).
var baseRef = regexp.MustCompile(`tg_convert<double>\(a\d+\)`)

// float32 tanh runs as tg_tanh_f32 (vectorizable); it must round as the
// evaluator's float32(math.Tanh(x)), signed zeros, infinities and NaN
// included.
func TestCxxTanhFloat32(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1), "x")
	e := ops.NewExpr(b)
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-30, -1e-30, 9.01, 9.02, 20, -20, 1e30, 0.625, -0.3}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 5000 {
		xs = append(xs, (rng.Float64()-0.5)*math.Exp2(float64(rng.IntN(12)-8)))
	}
	c := checkCxx(t, b, []*graph.Variable{e.Call("tanh", x)}, []*graph.Variable{x}, []*tensor.Array{tensor.FromFloat64s(dtype.Float32, []int{len(xs)}, xs)})
	if !strings.Contains(c.Kernel.Source, "tg_tanh_f32") {
		t.Errorf("float32 tanh does not use tg_tanh_f32:\n%s", c.Kernel.Source)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Call("tanh", x)}, Backend: cxxBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	in := tensor.FromFloat64s(dtype.Float32, []int{len(xs)}, xs)
	got, err := f.Run([]*tensor.Array{in})
	if err != nil {
		t.Fatal(err)
	}
	g := got[0].Data.([]float32)
	for i, v := range in.Data.([]float32) {
		want := float32(math.Tanh(float64(v)))
		if math.Float32bits(g[i]) != math.Float32bits(want) && !(want != want && g[i] != g[i]) {
			t.Fatalf("tanh(%g) = %g (%#x), want %g (%#x)", v, g[i], math.Float32bits(g[i]), want, math.Float32bits(want))
		}
	}
}

// float64 tanh runs as tg_tanh_f64 (vectorizable); it must stay within a
// few ulp of the evaluator's math.Tanh, and equal it on signed zeros,
// infinities, NaN, tiny and large arguments.
func TestCxxTanhFloat64(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	// equal to math.Tanh's bits: tanh(x) = x for tiny x, ±1 from 19.1
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -5e-324, 1e-300, -1e-300, 1e-200, -1e-200,
		19.1, 21.9, 22, -22, 22.1, 44, 44.02, -45, 710, 1e300, -1e300, math.MaxFloat64}
	xs := append([]float64{}, special...)
	xs = append(xs, 1e-9, -1e-9, 0.625, -0.625, 0.6249999999999999, 19.05, -19.05, 0.5, 1, 2, 10)
	rng := rand.New(rand.NewPCG(11, 12))
	for range 100_000 {
		xs = append(xs, (rng.Float64()-0.5)*math.Exp2(float64(rng.IntN(70)-50)))
	}
	c := checkCxx(t, b, []*graph.Variable{e.Call("tanh", x)}, []*graph.Variable{x}, []*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs)})
	if !strings.Contains(c.Kernel.Source, "tg_tanh_f64") {
		t.Errorf("float64 tanh does not use tg_tanh_f64:\n%s", c.Kernel.Source)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Call("tanh", x)}, Backend: cxxBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Run([]*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs)})
	if err != nil {
		t.Fatal(err)
	}
	// ordered maps float64 bits to integers in the order of the values
	// (-0 and +0 adjacent), so that their difference counts ulps.
	ordered := func(v float64) int64 {
		if b := int64(math.Float64bits(v)); b >= 0 {
			return b
		} else {
			return math.MinInt64 - b
		}
	}
	worst, at := int64(0), 0.0
	for i, v := range xs {
		g, want := got[0].Data.([]float64)[i], math.Tanh(v)
		if math.IsNaN(want) || math.IsNaN(g) {
			if math.IsNaN(want) != math.IsNaN(g) {
				t.Fatalf("tanh(%g) = %g, want %g", v, g, want)
			}
			continue
		}
		if i < len(special) && math.Float64bits(g) != math.Float64bits(want) {
			t.Errorf("tanh(%g) = %v (%#x), want %v (%#x)", v, g, math.Float64bits(g), want, math.Float64bits(want))
		}
		if d := ordered(g) - ordered(want); d > worst || -d > worst {
			worst, at = max(d, -d), v
		}
	}
	t.Logf("tg_tanh_f64: at most %d ulp from math.Tanh (at %v)", worst, at)
	if worst > 4 {
		t.Errorf("tg_tanh_f64 is %d ulp from math.Tanh at %v, want at most 4", worst, at)
	}
}

// A pow that is not fused (fusion and pow_specialize excluded, as in
// NanGuardMode's unfused graph) sees its constant exponent too: an integer
// one is multiplications (written out up to kir.MaxPowProduct, tg_powi
// beyond), another is a literal in the code, not an operand read per
// element; integer bases keep numpy's results and the ValueError of a
// negative exponent.
func TestCxxUnfusedConstantPowers(t *testing.T) {
	for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32, dtype.Int32, dtype.Int8} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dt, -1, -1), "x")
		var outs []*graph.Variable
		for _, k := range []float64{2, 3, -2, 10, 2.5} {
			if k != math.Trunc(k) || k < 0 {
				if !dt.IsFloat() {
					continue
				}
			}
			y := b.Constant(tensor.FromFloat64s(dtype.Float64, []int{1, 1}, []float64{k}).Astype(map[bool]dtype.DType{true: dt, false: dtype.Int8}[dt.IsFloat()]))
			p, err := ops.Scalar(b, "pow", x, y)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, p)
		}
		xs := make([]float64, 48)
		for i := range xs {
			xs[i] = float64(i%13)/3 - 2
		}
		if dt.IsFloat() {
			copy(xs, []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), 1e-30, 1e30, -2.5, 3})
		}
		spec := compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: outs, OnUnusedInput: "ignore",
			Excluding: []string{"fusion", "pow_specialize"}}
		c := checkCxxSpec(t, b, spec, []*tensor.Array{tensor.FromFloat64s(dt, []int{6, 8}, xs)}, nil)
		src := c.Kernel.Source
		if dt.IsFloat() {
			for _, want := range []string{"(x * x)", "(x * (x * x))", "(1.0 / (x * x))", "tg_powi<10>", "0x1.4p+01"} { // 2, 3, -2, 10, 2.5
				if !strings.Contains(baseRef.ReplaceAllString(src, "x"), want) {
					t.Errorf("%v: no %q in the kernel:\n%s", dt, want, src)
				}
			}
		}
	}
	// an integer to a negative constant power raises ValueError
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Int32, -1), "x")
	p, err := ops.Scalar(b, "pow", x, b.Constant(tensor.FromInt64s(dtype.Int8, []int{1}, []int64{-1})))
	if err != nil {
		t.Fatal(err)
	}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{p}, Excluding: []string{"fusion"}}
	checkCxxSpec(t, b, spec, []*tensor.Array{tensor.FromInt64s(dtype.Int32, []int{3}, []int64{1, 2, 3})}, nil)
}
