package testsgo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The reductions (sum prod max min mean), argmax/argmin, reduced_count and
// composite_reduce lowered to C++ (codegen/cxx/lower_reduce.go,
// codegen/runtime/tg_nnet.c), checked against the Go evaluator with the
// differential harness. Each function holds many reductions of the same
// inputs, so that one compilation checks many cases.

var reduceDTypes = []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64, dtype.Bool, dtype.Uint8}

// axisSubsets lists every subset of the axes of a rank-n tensor.
func axisSubsets(n int) [][]int {
	var out [][]int
	for mask := 0; mask < 1<<n; mask++ {
		axes := []int{}
		for d := 0; d < n; d++ {
			if mask>>d&1 == 1 {
				axes = append(axes, d)
			}
		}
		out = append(out, axes)
	}
	return out
}

// withNaN puts a NaN in about one float element in five.
func withNaN(rng *rand.Rand, a *tensor.Array) *tensor.Array {
	if !a.DType.IsFloat() {
		return a
	}
	v := a.Float64s()
	for i := range v {
		if rng.IntN(5) == 0 {
			v[i] = math.NaN()
		}
	}
	return tensor.FromFloat64s(a.DType, a.Shape, v)
}

// requireLowered fails when an op of type op runs in the evaluator or is
// not in the kernel at all.
func requireLowered(t *testing.T, c *cxx.Callable, op any) {
	t.Helper()
	if ev := c.EvaluatorNodes(); len(ev) > 0 {
		t.Fatalf("nodes run in the evaluator: %v", ev)
	}
	for _, n := range c.Kernel.Nodes {
		if reflect.TypeOf(n.Op) == reflect.TypeOf(op) {
			return
		}
	}
	t.Fatalf("no %T node in the kernel", op)
}

// TestCxxReduceAxes folds inputs of ranks 0 to 3 (with size-0, size-1 and
// broadcastable dimensions) over every subset of their axes, with each
// reduction and dtype, kept dimensions or not, on the input and on its
// transpose (a strided view).
func TestCxxReduceAxes(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	shapes := [][]int{{}, {7}, {0}, {3, 4}, {1, 5}, {4, 0}, {2, 3, 4}, {3, 1, 5}, {33, 70}}
	reductions := []func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){ops.Sum, ops.Prod, ops.Max, ops.Min, ops.Mean}
	for _, shape := range shapes {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			b := graph.NewBuilder()
			var inputs, outputs []*graph.Variable
			var values []*tensor.Array
			for _, d := range reduceDTypes {
				x := b.Input(graph.NewType(d, staticOnes(shape)...), "x_"+d.String())
				inputs = append(inputs, x)
				values = append(values, randomArray(rng, d, shape...))
				sources := []*graph.Variable{x}
				if len(shape) >= 2 {
					xt, err := ops.Transpose(b, x, nil)
					if err != nil {
						t.Fatal(err)
					}
					sources = append(sources, xt)
				}
				for _, src := range sources {
					for _, axes := range axisSubsets(len(shape)) {
						k := rng.IntN(len(reductions))
						if tensor.Size(shape) == 0 && (k == 2 || k == 3) {
							k = 0 // max and min of nothing raise: TestCxxReduceEmptyErrors
						}
						y, err := reductions[k](b, src, axes, rng.IntN(2) == 0)
						if err != nil {
							t.Fatal(err)
						}
						outputs = append(outputs, y)
					}
				}
			}
			c := checkCxx(t, b, outputs, inputs, values)
			requireLowered(t, c, ops.Reduce{})
		})
	}
}

// TestCxxReduceEmptyErrors: max and min over a zero-length axis raise
// numpy's ValueError at run time when the shape is not known statically.
func TestCxxReduceEmptyErrors(t *testing.T) {
	for _, f := range []func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){ops.Max, ops.Min} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dtype.Float32, -1, -1), "x")
		y, err := f(b, x, []int{1}, false)
		if err != nil {
			t.Fatal(err)
		}
		checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{tensor.New(dtype.Float32, []int{3, 0})})
		// with no output element there is nothing to fold: no error
		checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{tensor.New(dtype.Float32, []int{0, 0})})
	}
}

// TestCxxReduceNaN: max and min propagate NaN, as numpy; argmax and argmin
// point at the first NaN; ties go to the first occurrence.
func TestCxxReduceNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, d := range []dtype.DType{dtype.Float32, dtype.Float64} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(d, -1, -1), "x")
		var outputs []*graph.Variable
		for _, axes := range [][]int{{0}, {1}, nil} {
			for _, f := range []func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){ops.Max, ops.Min, ops.ArgMax, ops.ArgMin} {
				y, err := f(b, x, axes, false)
				if err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, y)
			}
		}
		c := checkCxx(t, b, outputs, []*graph.Variable{x}, []*tensor.Array{withNaN(rng, randomArray(rng, d, 9, 6))})
		requireLowered(t, c, ops.ArgReduce{})
	}
}

// TestCxxArgReduce: argmax and argmin over every subset of axes of every
// dtype, on inputs and their transposes, with keepdims; the small integer
// ranges of randomArray make ties common.
func TestCxxArgReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, shape := range [][]int{{}, {5}, {4, 6}, {2, 3, 4}, {1, 300}, {200, 300}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			b := graph.NewBuilder()
			var inputs, outputs []*graph.Variable
			var values []*tensor.Array
			for _, d := range append(reduceDTypes, dtype.Float16, dtype.Int8) {
				x := b.Input(graph.NewType(d, staticOnes(shape)...), "x_"+d.String())
				inputs = append(inputs, x)
				values = append(values, withNaN(rng, randomArray(rng, d, shape...)))
				src := x
				if len(shape) >= 2 && rng.IntN(2) == 0 {
					src, _ = ops.Transpose(b, x, nil)
				}
				for _, axes := range axisSubsets(len(shape)) {
					f := ops.ArgMax
					if rng.IntN(2) == 0 {
						f = ops.ArgMin
					}
					y, err := f(b, src, axes, rng.IntN(2) == 0)
					if err != nil {
						t.Fatal(err)
					}
					outputs = append(outputs, y)
				}
			}
			c := checkCxx(t, b, outputs, inputs, values)
			requireLowered(t, c, ops.ArgReduce{})
		})
	}
	// an empty sequence is a ValueError
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	y, _ := ops.ArgMax(b, x, []int{0}, false)
	checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{tensor.New(dtype.Float64, []int{0, 4})})
}

// TestCxxReduceMLP: the reductions of the MLP benchmark: the bias
// gradient (sum over axis 0 of a (60, 500) float32), the mean of the
// per-example costs, and the mean's gradient (reduced_count).
func TestCxxReduceMLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	b := graph.NewBuilder()
	h := b.Input(graph.NewType(dtype.Float32, -1, -1), "h")
	v := b.Input(graph.NewType(dtype.Float32, -1), "v")
	db, err := ops.Sum(b, h, []int{0}, false)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := ops.Mean(b, v, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	count, err := b.Apply1(ops.ReducedCount{Axes: graph.NewAxisSet(0)}, v)
	if err != nil {
		t.Fatal(err)
	}
	c := checkCxx(t, b, []*graph.Variable{db, cost, count}, []*graph.Variable{h, v},
		[]*tensor.Array{randomArray(rng, dtype.Float32, 60, 500), randomArray(rng, dtype.Float32, 60)})
	requireLowered(t, c, ops.ReducedCount{})
	// large enough to run over the pool: both layouts of 1000 x 1000
	b = graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	s0, _ := ops.Sum(b, x, []int{0}, false)
	s1, _ := ops.Sum(b, x, []int{1}, false)
	m1, _ := ops.Max(b, x, []int{1}, true)
	checkCxx(t, b, []*graph.Variable{s0, s1, m1}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dtype.Float64, 1000, 1000)})
}

// TestCxxFusedReduce: a reduction of an elementwise expression becomes one
// composite_reduce node (FAST_RUN's fusion), which never stores the map.
func TestCxxFusedReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, d := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(d, -1, -1), "x")
		row := b.Input(graph.NewType(d, 1, -1), "row")
		e := ops.NewExpr(b)
		// each reduction gets its own map: fusion folds a map into a
		// reduction only when the reduction is its one client
		// (and no merge makes two maps one: each adds its own constant)
		k := 0
		mapped := func() *graph.Variable {
			k++
			if d.IsFloat() {
				return e.Mul(e.Call("tanh", x), e.Add(row, e.Const(float64(k), row)))
			}
			return e.Mul(e.Add(x, e.Add(row, e.Const(float64(k), row))), x)
		}
		var outputs []*graph.Variable
		for _, axes := range [][]int{{0}, {1}, nil} {
			s, err := ops.Sum(b, mapped(), axes, false)
			if err != nil {
				t.Fatal(err)
			}
			mx, err := ops.Max(b, e.Neg(mapped()), axes, true)
			if err != nil {
				t.Fatal(err)
			}
			outputs = append(outputs, s, mx)
		}
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		for _, shape := range [][]int{{5, 7}, {300, 200}} {
			c := checkCxx(t, b, outputs, []*graph.Variable{x, row},
				[]*tensor.Array{randomArray(rng, d, shape...), randomArray(rng, d, 1, shape[1])})
			requireLowered(t, c, ops.FusedReduceOp{})
		}
	}
}
