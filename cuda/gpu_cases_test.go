package cuda_test

// The GPU test's cases: random inputs, the Go evaluator's results of the
// same nodes the kernels are lowered from, and the tolerances.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// random is an array of dtype dt: floats in [-1, 1), integers in
// [-20, 20) ([0, 40) unsigned), bools.
func random(rng *rand.Rand, dt dtype.DType, shape ...int) *tensor.Array {
	size := tensor.Size(shape)
	switch {
	case dt == dtype.Bool:
		v := make([]bool, size)
		for i := range v {
			v[i] = rng.IntN(2) == 1
		}
		return tensor.FromBools(shape, v)
	case dt.IsDiscrete():
		v := make([]int64, size)
		for i := range v {
			v[i] = rng.Int64N(40)
			if dt.Kind() == dtype.KindInt {
				v[i] -= 20
			}
		}
		return tensor.FromInt64s(dt, shape, v)
	}
	v := make([]float64, size)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return tensor.FromFloat64s(dt, shape, v)
}

// evaluate runs op on the arrays with the Go evaluator (inputs of unknown
// lengths, 1 where an array's is, so that they broadcast).
func evaluate(t *testing.T, op graph.Op, in ...*tensor.Array) *tensor.Array {
	t.Helper()
	b := graph.NewBuilder()
	values := map[*graph.Variable]*tensor.Array{}
	var vars []*graph.Variable
	for _, a := range in {
		shape := make([]int, len(a.Shape))
		for d, l := range a.Shape {
			shape[d] = graph.Unknown
			if l == 1 {
				shape[d] = 1
			}
		}
		v := b.Input(graph.NewType(a.DType, shape...), "")
		values[v] = a
		vars = append(vars, v)
	}
	out, err := b.Apply1(op, vars...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eval.Run([]*graph.Variable{out}, values)
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func apply(t *testing.T, name string, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(ops.ScalarByName(name), args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// absSums is Σ|x| of each output position of a fold of x over axes.
func absSums(x *tensor.Array, axes []int) []float64 {
	reduced := map[int]bool{}
	for _, a := range axes {
		reduced[a] = true
	}
	var kept []int
	for d, l := range x.Shape {
		if !reduced[d] {
			kept = append(kept, l)
		}
	}
	sums := make([]float64, tensor.Size(kept))
	idx := make([]int, len(x.Shape))
	for _, v := range x.ReadFloat64s() {
		o := 0
		for d, l := range x.Shape {
			if !reduced[d] {
				o = o*l + idx[d]
			}
		}
		sums[o] += math.Abs(v)
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < x.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return sums
}

func gpuCases(t *testing.T) []gpuCase {
	rng := rand.New(rand.NewPCG(12, 2026))
	var cases []gpuCase
	f64, f32, f16 := dtype.Float64, dtype.Float32, dtype.Float16

	// maps over (37, 129), input 1 broadcast from (1, 129)
	// 4 ulps of the terms' magnitude (|exp(x)·y| <= e, |tanh x| <= 1):
	// exp(x)·y + tanh(x) may cancel
	ulps := func(want *tensor.Array) func(int) float64 {
		w := want.ReadFloat64s()
		return func(i int) float64 { return 4 * ops.Epsilon(want.DType) * (math.Abs(w[i]) + 4) }
	}
	for _, dt := range []dtype.DType{f64, f32, f16} {
		x, y := random(rng, dt, 37, 129), random(rng, dt, 1, 129)
		e := apply(t, "add", apply(t, "mul", apply(t, "exp", kir.Input(0, dt)), kir.Input(1, dt)), apply(t, "tanh", kir.Input(0, dt)))
		want := evaluate(t, ops.FusedOp{Expr: e, Ndim: 2}, x, y)
		cases = append(cases, gpuCase{entry: fmt.Sprintf("tg_map_%v", dt), kernel: mapKernel("map", e, []dtype.DType{dt, dt}),
			inputs: []deviceArray{contiguous(x), contiguous(y)}, want: want, tol: ulps(want)})
	}
	{
		x := random(rng, dtype.Int32, 37, 129)
		e := apply(t, "add", apply(t, "mul", kir.Input(0, dtype.Int32), kir.Cast(kir.Index(), dtype.Int32)), kir.Constant(kir.IntConst(dtype.Int32, 7)))
		cases = append(cases, gpuCase{entry: "tg_map_index", kernel: mapKernel("map_index", e, []dtype.DType{dtype.Int32}),
			inputs: []deviceArray{contiguous(x)}, want: evaluate(t, ops.FusedOp{Expr: e, Ndim: 2}, x)})
	}

	// reductions: with 4 blocks of 256 threads (1,024 threads, 32 warps),
	// the shapes take a thread (many outputs, or short folds), a warp, a
	// block per output, and 4 blocks for the one output of "all"
	// (cuda/reduce.go's rule); with 2·SMs blocks "block" is split too, and
	// with 1 block of 64 threads nothing is.
	shapes := []struct {
		name  string
		shape []int
		axes  []int
	}{
		{"thread", []int{64, 8, 33}, []int{1}},
		{"warp", []int{8, 700, 5}, []int{1}},
		{"block", []int{2, 30000, 3}, []int{1}},
		{"all", []int{50, 200, 100}, []int{0, 1, 2}},
		{"outer", []int{300, 40, 7}, []int{0, 2}},
	}
	for _, s := range shapes {
		for _, r := range []struct {
			kind string
			dt   dtype.DType
			fold kir.FoldPolicy
			expr bool // fold exp(x) * y rather than x
		}{
			{"sum", f64, kir.Pairwise, false}, {"sum", f64, kir.Sequential, false}, {"sum", f32, kir.Pairwise, false},
			{"sum", f64, kir.Pairwise, true}, {"sum", dtype.Int32, kir.Pairwise, false}, {"max", f32, kir.Pairwise, false},
			{"min", f16, kir.Pairwise, false}, {"prod", dtype.Int64, kir.Pairwise, false}, {"max", dtype.Uint8, kir.Pairwise, false},
			{"mean", f32, kir.Pairwise, false},
		} {
			kind := reductionKind(t, r.kind)
			x := random(rng, r.dt, s.shape...)
			in := []*tensor.Array{x}
			e := kir.Input(0, r.dt)
			if r.expr {
				in = append(in, random(rng, r.dt, s.shape...))
				e = apply(t, "mul", apply(t, "exp", e), kir.Input(1, r.dt))
			}
			dts := make([]dtype.DType, len(in))
			for i, a := range in {
				dts[i] = a.DType
			}
			var op graph.Op = ops.Reduce{Kind: kind, Axes: graph.NewAxisSet(s.axes...)}
			mapped := x
			if r.expr {
				op = ops.FusedReduceOp{Expr: e, Ndim: 3, Kind: r.kind, Axes: graph.NewAxisSet(s.axes...)}
				mapped = evaluate(t, ops.FusedOp{Expr: e, Ndim: 3}, in...)
			}
			want := evaluate(t, op, in...)
			c := gpuCase{entry: fmt.Sprintf("tg_%s_%s_%v_%d_%t", s.name, r.kind, r.dt, r.fold, r.expr),
				kernel: reduceKernel(t, r.kind, kind, e, dts, s.axes, r.fold), want: want}
			for i, a := range in {
				if i == 0 && s.name == "outer" {
					c.inputs = append(c.inputs, fortran(a)) // strided reads
				} else {
					c.inputs = append(c.inputs, contiguous(a))
				}
			}
			if (r.kind == "sum" || r.kind == "mean") && want.DType.IsFloat() && r.fold == kir.Pairwise {
				sums := absSums(mapped, s.axes)
				count := x.Size() / max(want.Size(), 1)
				rel := ops.ReduceTolerance(want.DType, count)
				if r.kind == "mean" {
					rel /= float64(count)
				}
				c.tol = func(i int) float64 { return rel * sums[i] }
			}
			cases = append(cases, c)
		}
	}

	// cumsum, lowered by its op
	for _, dt := range []dtype.DType{f64, dtype.Int8} {
		b := graph.NewBuilder()
		xv := b.Input(graph.NewType(dt, -1, -1), "x")
		axis := 1
		v, err := ops.CumSum(b, xv, &axis)
		if err != nil {
			t.Fatal(err)
		}
		k, err := v.Owner.Op.(kir.Lowerable).Lower(v.Owner)
		if err != nil {
			t.Fatal(err)
		}
		x := random(rng, dt, 33, 517)
		res, err := eval.Run([]*graph.Variable{v}, map[*graph.Variable]*tensor.Array{xv: x})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, gpuCase{entry: fmt.Sprintf("tg_cumsum_%v", dt), kernel: k, inputs: []deviceArray{contiguous(x)}, want: res[0]})
	}
	return cases
}
