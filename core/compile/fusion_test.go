package compile_test

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// fusionCase is an expression over inputs of the given types, and what
// FAST_RUN makes of it: how many nodes, how many of them fused (FusedOp or
// FusedReduceOp).
type fusionCase struct {
	name       string
	types      []graph.Type
	build      func(e *ops.Expr, x []*graph.Variable) []*graph.Variable
	nodes      int
	composites int
}

// canonical is tanh(x*y + 2)*x - y/3.
func canonical(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
	xy := e.Mul(x[0], x[1])
	return []*graph.Variable{e.Sub(e.Mul(e.Call("tanh", e.Add(xy, e.Const(2, xy))), x[0]), e.Div(x[1], e.ConstOf(3, dtype.Int8)))}
}

func matrix(dt dtype.DType) graph.Type { return graph.NewType(dt, -1, -1) }

var fusionCases = []fusionCase{
	{"canonical float64", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)}, canonical, 1, 1},
	{"canonical float32", []graph.Type{matrix(dtype.Float32), matrix(dtype.Float32)}, canonical, 1, 1},
	{"canonical int32", []graph.Type{matrix(dtype.Int32), matrix(dtype.Int32)}, canonical, 1, 1},
	{"canonical row and matrix", []graph.Type{graph.NewType(dtype.Float64, 1, -1), matrix(dtype.Float64)}, canonical, 1, 1},
	// y/3 on the column is computed once per row, apart
	{"canonical matrix and column", []graph.Type{matrix(dtype.Float32), graph.NewType(dtype.Float32, -1, 1)}, canonical, 2, 1},
	{"canonical vector and matrix", []graph.Type{graph.NewType(dtype.Float64, -1), matrix(dtype.Float64)}, canonical, 1, 1},
	{"chain", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Add(e.Call("sin", e.Mul(e.Call("cos", x[0]), x[1])), e.Const(1, x[0]))}
		}, 1, 1},
	{"intermediate used twice inside", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			t := e.Add(x[0], x[1])
			return []*graph.Variable{e.Mul(e.Call("exp", t), e.Call("sin", t))}
		}, 1, 1},
	{"intermediate shared by two outputs", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			t := e.Add(e.Mul(x[0], x[1]), e.Const(3, x[0]))
			return []*graph.Variable{e.Add(e.Call("exp", t), x[0]), e.Mul(e.Call("sin", t), x[1])}
		}, 3, 3},
	{"intermediate that is an output", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			t := e.Call("cos", e.Mul(x[0], x[1]))
			return []*graph.Variable{t, e.Mul(e.Call("exp", t), x[1])}
		}, 2, 2},
	{"mixed dtypes with casts", []graph.Type{matrix(dtype.Int32), matrix(dtype.Float32)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			c := e.Cast(e.Mul(x[0], e.Const(3, x[0])), dtype.Float32)
			return []*graph.Variable{e.Add(e.Mul(c, x[1]), e.Cast(e.Div(x[1], e.Const(7, x[1])), dtype.Int16))}
		}, 1, 1},
	{"integer wrapping and casts", []graph.Type{matrix(dtype.Int8), matrix(dtype.Uint8)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			w := e.Mul(x[0], e.Const(100, x[0])) // wraps in int8
			return []*graph.Variable{e.Sub(e.Cast(w, dtype.Int16), e.Mul(x[1], x[1]))}
		}, 1, 1},
	{"comparisons feeding switch", []graph.Type{matrix(dtype.Float64), matrix(dtype.Int64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Call("switch", e.Call("gt", x[0], e.Const(0, x[0])), e.Mul(x[0], e.Const(2, x[0])), e.Sub(x[1], e.Const(1, x[1])))}
		}, 1, 1},
	{"switch on a float condition", []graph.Type{matrix(dtype.Int32), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Call("switch", e.Mul(x[1], e.Const(0.5, x[1])), e.Add(x[0], x[0]), e.Neg(x[0]))}
		}, 1, 1},
	{"bools", []graph.Type{matrix(dtype.Bool), matrix(dtype.Bool)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Call("or", e.Call("invert", e.Call("and", x[0], x[1])), e.Call("eq", x[0], x[1]))}
		}, 1, 1},
	{"scalars", []graph.Type{graph.NewType(dtype.Float64), graph.NewType(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Add(e.Mul(x[0], x[1]), e.Call("exp", x[0]))}
		}, 1, 1},
	{"float16", []graph.Type{matrix(dtype.Float16), matrix(dtype.Float16)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Add(e.Mul(e.Call("exp", x[0]), x[1]), e.Const(0.1, x[0]))}
		}, 1, 1},
	{"complex", []graph.Type{matrix(dtype.Complex64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Add(e.Call("exp", e.Mul(x[0], x[1])), e.Const(1, x[0]))}
		}, 1, 1},
	{"reduction fed by a chain", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Sum(e.Mul(e.Call("exp", x[0]), x[1]), []int{1}, false)}
		}, 1, 1},
	{"row computed apart from the matrix", []graph.Type{graph.NewType(dtype.Float64, 1, -1), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			r := e.Call("exp", e.Add(e.Mul(x[0], e.Const(2, x[0])), e.Const(1, x[0])))
			return []*graph.Variable{e.Add(r, e.Mul(x[1], x[1]))}
		}, 2, 2},
	{"single node stays", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)},
		func(e *ops.Expr, x []*graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Add(x[0], x[1])}
		}, 1, 0},
}

// randomValue fills an array of type t (unknown lengths: rows 5, columns
// 3001, so that the blocks of the fused evaluation do not divide it).
func randomValue(rng *rand.Rand, t graph.Type) *tensor.Array {
	shape := make([]int, t.Ndim())
	for d, n := range t.Shape {
		shape[d] = n
		if n == graph.Unknown {
			shape[d] = []int{5, 3001}[min(d, 1)]
		}
	}
	if t.Ndim() == 1 && t.Shape[0] == graph.Unknown {
		shape[0] = 3001
	}
	n := tensor.Size(shape)
	switch {
	case t.DType.IsComplex():
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(2*rng.Float64()-1, 2*rng.Float64()-1)
		}
		return tensor.FromComplex128s(t.DType, shape, v)
	case t.DType.IsFloat():
		v := make([]float64, n)
		for i := range v {
			v[i] = 4*rng.Float64() - 2
			if i%7 == 0 {
				v[i] = 0
			}
		}
		return tensor.FromFloat64s(t.DType, shape, v)
	}
	v := make([]int64, n)
	for i := range v {
		v[i] = rng.Int64N(200) - 100
	}
	return tensor.FromInt64s(t.DType, shape, v)
}

func compileMode(t testing.TB, b *graph.Builder, mode string, inputs, outputs []*graph.Variable) *compile.Function {
	t.Helper()
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: inputs, Outputs: outputs, Mode: mode})
	if err != nil {
		t.Fatalf("compiling with %s: %v", mode, err)
	}
	return f
}

// sameValues checks that the fused result equals the unfused one: bitwise
// for integers and bools, to rounding for floats (the fused evaluation
// rounds as the unfused one does, so in practice bitwise too).
func sameValues(t *testing.T, what string, got, want *tensor.Array) {
	t.Helper()
	if got.DType != want.DType || !equalShape(got.Shape, want.Shape) {
		t.Fatalf("%s: got %v %v, want %v %v", what, got.DType, got.Shape, want.DType, want.Shape)
	}
	if !got.DType.IsFloat() && !got.DType.IsComplex() {
		g, w := got.Int64s(), want.Int64s()
		for i := range g {
			if g[i] != w[i] {
				t.Fatalf("%s: element %d is %d, want %d", what, i, g[i], w[i])
			}
		}
		return
	}
	tol := 1e-12
	if got.DType == dtype.Float32 || got.DType == dtype.Complex64 {
		tol = 1e-6
	} else if got.DType == dtype.Float16 {
		tol = 1e-3
	}
	g, w := got.Complex128s(), want.Complex128s()
	for i := range g {
		if cmplx.IsNaN(g[i]) && cmplx.IsNaN(w[i]) || g[i] == w[i] {
			continue
		}
		if cmplx.Abs(g[i]-w[i]) > tol*math.Max(1, cmplx.Abs(w[i])) {
			t.Fatalf("%s: element %d is %v, want %v", what, i, g[i], w[i])
		}
	}
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Each case compiles to the expected nodes with FAST_RUN and computes what
// FAST_COMPILE (no fusion) computes, on random inputs; the fused nodes'
// shape rules agree with the evaluated shapes.
func TestFusionCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range fusionCases {
		t.Run(c.name, func(t *testing.T) {
			b := graph.NewBuilder()
			inputs := make([]*graph.Variable, len(c.types))
			for i, ty := range c.types {
				inputs[i] = b.Input(ty, string(rune('x'+i)))
			}
			e := ops.NewExpr(b)
			outputs := c.build(e, inputs)
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			fast := compileMode(t, b, "FAST_RUN", inputs, outputs)
			slow := compileMode(t, b, "FAST_COMPILE", inputs, outputs)
			nodes := fast.Graph.Toposort()
			composites := 0
			for _, n := range nodes {
				switch n.Op.(type) {
				case ops.FusedOp, ops.FusedReduceOp:
					composites++
				}
			}
			if len(nodes) != c.nodes || composites != c.composites {
				t.Errorf("FAST_RUN graph has %d nodes, %d fused; want %d, %d:\n%s", len(nodes), composites, c.nodes, c.composites, fast.Graph)
			}
			args := make([]*tensor.Array, len(inputs))
			values := map[*graph.Variable]*tensor.Array{}
			for i, ty := range c.types {
				args[i] = randomValue(rng, ty)
				values[inputs[i]] = args[i]
			}
			got, err := fast.Run(args)
			if err != nil {
				t.Fatal(err)
			}
			want, err := slow.Run(args)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				sameValues(t, c.name, got[i], want[i])
			}
			opstest.CheckInferShape(t, fast.Graph.Outputs(), values)
		})
	}
}

// The canonical expression is one node, printed as its scalar expression.
func TestFusedCanonicalPrints(t *testing.T) {
	b := graph.NewBuilder()
	x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
	e := ops.NewExpr(b)
	out := canonical(e, []*graph.Variable{x, y})
	f := compileMode(t, b, "FAST_RUN", []*graph.Variable{x, y}, out)
	nodes := f.Graph.Toposort()
	if len(nodes) != 1 {
		t.Fatalf("%d nodes, want 1:\n%s", len(nodes), f.Graph)
	}
	want := "composite{(tanh(((i0 * i1) + 2)) * i0) - (i1 / 3)}"
	if got := graph.OpString(nodes[0].Op); got != want {
		t.Errorf("OpString = %s, want %s", got, want)
	}
	if s := f.Graph.String(); !strings.Contains(s, want) {
		t.Errorf("debugprint does not show the expression:\n%s", s)
	}
}

// Broadcasting mismatches are found by the fused node as by the unfused ones.
func TestFusedLengthMismatch(t *testing.T) {
	b := graph.NewBuilder()
	x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
	f := compileMode(t, b, "FAST_RUN", []*graph.Variable{x, y}, canonical(ops.NewExpr(b), []*graph.Variable{x, y}))
	_, err := f.Run([]*tensor.Array{tensor.New(dtype.Float64, []int{2, 3}), tensor.New(dtype.Float64, []int{2, 4})})
	if err == nil || !strings.Contains(err.Error(), "mismatch") {
		t.Errorf("error %v, want a dimension mismatch", err)
	}
}
