package rewrite

import (
	"math"
	"math/rand"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// canonCase is one pattern: inputs of the given static shapes (-1:
// unknown) and dtypes, the expression, and the rule that must fire on it
// (or, with unchanged, must not).
type canonCase struct {
	name   string
	rule   string
	shapes [][]int
	dtypes []dtype.DType // each dtype the inputs are tried in
	build  func(e *ops.Expr, in []*graph.Variable) *graph.Variable
	// finite: the rewrite assumes finite, nonzero operands (cancellation),
	// so no NaN, inf or 0 inputs.
	finite    bool
	unchanged bool
	// check looks at the rewritten output.
	check func(t *testing.T, in []*graph.Variable, out *graph.Variable)
}

var (
	floats   = []dtype.DType{dtype.Float64, dtype.Float32}
	allReals = []dtype.DType{dtype.Float64, dtype.Float32, dtype.Int32}
	matrix   = []int{-1, -1}
)

func c(e *ops.Expr, v float64, like *graph.Variable) *graph.Variable { return e.Const(v, like) }

// isInput checks that the rewrite left exactly input i.
func isInput(i int) func(*testing.T, []*graph.Variable, *graph.Variable) {
	return func(t *testing.T, in []*graph.Variable, out *graph.Variable) {
		if out != in[i] {
			t.Errorf("rewritten to\n%s\nwant input %d", graph.Debugprint([]*graph.Variable{out}), i)
		}
	}
}

// counts checks the number of nodes of each named op in the result.
func counts(want map[string]int) func(*testing.T, []*graph.Variable, *graph.Variable) {
	return func(t *testing.T, _ []*graph.Variable, out *graph.Variable) {
		got := map[string]int{}
		for _, n := range graph.Toposort([]*graph.Variable{out}) {
			got[OpKey(n.Op)]++
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%d %s nodes, want %d, in\n%s", got[k], k, w, graph.Debugprint([]*graph.Variable{out}))
			}
		}
	}
}

func dimshuffle(e *ops.Expr, x *graph.Variable, p ...int) *graph.Variable {
	return e.Apply(ops.DimShuffleOp{Pattern: graph.NewIntList(p...)}, x)
}

func slice(start, stop, step int) ops.IndexItem {
	en := func(v int) ops.IndexEntry {
		if v == math.MinInt {
			return ops.IndexEntry{}
		}
		return ops.IndexEntry{Kind: ops.EntryConst, Value: v}
	}
	return ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{en(start), en(stop), en(step)}}
}

const none = math.MinInt

func subtensor(e *ops.Expr, x *graph.Variable, items ...ops.IndexItem) *graph.Variable {
	return e.Apply(ops.SubtensorOp{Items: ops.NewIndexItems(items)}, x)
}

var canonCases = []canonCase{
	{name: "x*1", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Mul(in[0], c(e, 1, in[0])) }},
	{name: "1*x", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Mul(c(e, 1, in[0]), in[0]) }},
	{name: "x/1", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: floats, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Div(in[0], c(e, 1, in[0])) }},
	{name: "--x", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Neg(e.Neg(in[0])) }},
	{name: "2*x*3", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: counts(map[string]int{"mul": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Mul(e.Mul(c(e, 2, in[0]), in[0]), c(e, 3, in[0]))
		}},
	{name: "-(2*x)/4", rule: "mul_canonizer", shapes: [][]int{matrix}, dtypes: floats, check: counts(map[string]int{"mul": 1, "neg": 0, "true_div": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Div(e.Neg(e.Mul(c(e, 2, in[0]), in[0])), c(e, 4, in[0]))
		}},
	{name: "x*0 int", rule: "mul_canonizer", shapes: [][]int{{-1, 1}}, dtypes: []dtype.DType{dtype.Int32, dtype.Int8}, check: counts(map[string]int{"mul": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Mul(in[0], c(e, 0, in[0])) }},
	{name: "x*0 float kept", rule: "mul_canonizer", unchanged: true, shapes: [][]int{matrix}, dtypes: floats,
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Mul(in[0], c(e, 0, in[0])) }},
	{name: "x*y kept", rule: "mul_canonizer", unchanged: true, shapes: [][]int{matrix, matrix}, dtypes: allReals,
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Mul(e.Neg(in[0]), in[1]) }},
	{name: "(g*s*(1-s))/s", rule: "mul_canonizer", finite: true, shapes: [][]int{matrix, matrix}, dtypes: floats,
		check: counts(map[string]int{"true_div": 0, "mul": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			s := e.Call("sigmoid", in[1])
			return e.Div(e.Mul(e.Mul(in[0], s), e.Sub(c(e, 1, s), s)), s)
		}},
	{name: "(a*b)/(b*c) broadcast", rule: "mul_canonizer", finite: true, shapes: [][]int{{1, -1}, matrix, {-1, 1}}, dtypes: floats,
		check: counts(map[string]int{"true_div": 1, "mul": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Div(e.Mul(in[0], in[1]), e.Mul(in[1], in[2]))
		}},
	{name: "(a*b)/b keeps b's shape", rule: "mul_canonizer", finite: true, shapes: [][]int{{1, -1}, matrix}, dtypes: floats,
		check: counts(map[string]int{"true_div": 0, "mul": 0, "second": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Div(e.Mul(in[0], in[1]), in[1]) }},
	{name: "x/x", rule: "mul_canonizer", finite: true, shapes: [][]int{{-1, 1}}, dtypes: floats,
		check: counts(map[string]int{"true_div": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Div(in[0], in[0]) }},
	{name: "x/x built twice", rule: "mul_canonizer", finite: true, shapes: [][]int{matrix}, dtypes: floats,
		check: counts(map[string]int{"true_div": 0, "exp": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Div(e.Exp(in[0]), e.Exp(in[0]))
		}},
	{name: "float32*int16*2*3", rule: "mul_canonizer", shapes: [][]int{matrix, matrix}, dtypes: []dtype.DType{dtype.Int16},
		check: counts(map[string]int{"mul": 2}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			x := e.Cast(in[0], dtype.Float32)
			return e.Mul(e.Mul(e.Mul(x, in[1]), c(e, 2, x)), c(e, 3, in[1]))
		}},
	{name: "int_div not canonicalized", rule: "mul_canonizer", unchanged: true, shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Int32, dtype.Float64},
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Mul(e.Call("int_div", e.Mul(in[0], c(e, 3, in[0])), c(e, 3, in[0])), c(e, 3, in[0]))
		}},
	{name: "mod not canonicalized", rule: "mul_canonizer", unchanged: true, shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Int32, dtype.Float64},
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Mul(e.Call("mod", e.Mul(in[0], c(e, 2, in[0])), c(e, 3, in[0])), c(e, 3, in[0]))
		}},
	{name: "x+0", rule: "add_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Add(in[0], c(e, 0, in[0])) }},
	{name: "x-0", rule: "add_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Sub(in[0], c(e, 0, in[0])) }},
	{name: "0-x", rule: "add_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: counts(map[string]int{"neg": 1, "sub": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Sub(c(e, 0, in[0]), in[0]) }},
	{name: "(x+1)+2", rule: "add_canonizer", shapes: [][]int{matrix}, dtypes: allReals, check: counts(map[string]int{"add": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Add(e.Add(in[0], c(e, 1, in[0])), c(e, 2, in[0]))
		}},
	{name: "x-x", rule: "add_canonizer", finite: true, shapes: [][]int{{-1, 1}}, dtypes: allReals, check: counts(map[string]int{"sub": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Sub(in[0], in[0]) }},
	{name: "(a+b)-b broadcast", rule: "add_canonizer", finite: true, shapes: [][]int{{1, -1}, matrix}, dtypes: allReals,
		check: counts(map[string]int{"sub": 0, "add": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Sub(e.Add(in[0], in[1]), in[1]) }},
	{name: "a-(-b)", rule: "add_canonizer", shapes: [][]int{matrix, matrix}, dtypes: allReals, check: counts(map[string]int{"neg": 0, "add": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Sub(in[0], e.Neg(in[1])) }},
	{name: "-(a-b)", rule: "add_canonizer", shapes: [][]int{matrix, matrix}, dtypes: allReals, check: counts(map[string]int{"neg": 0, "sub": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Neg(e.Sub(in[0], in[1])) }},
	{name: "x**1", rule: "pow_useless", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Call("pow", in[0], c(e, 1, in[0])) }},
	{name: "x**0", rule: "pow_useless", shapes: [][]int{{-1, 1}}, dtypes: allReals, check: counts(map[string]int{"pow": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Call("pow", in[0], c(e, 0, in[0])) }},
	{name: "cast same dtype", rule: "cast_useless", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Apply(ops.CastOp{To: in[0].Type.DType}, in[0])
		}},
	{name: "cast(cast(int16, int32), float32)", rule: "cast_cast", shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Int16},
		check: counts(map[string]int{"CastOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Cast(e.Cast(in[0], dtype.Int32), dtype.Float32)
		}},
	{name: "cast(cast(float32, float64), float32)", rule: "cast_cast", shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Float32},
		check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Cast(e.Cast(in[0], dtype.Float64), dtype.Float32)
		}},
	{name: "lossy cast(cast(float64, int8), float64) kept", rule: "cast_cast", unchanged: true, shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Float64},
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Cast(e.Cast(in[0], dtype.Int8), dtype.Float64)
		}},
	{name: "lossy cast(cast(int64, float64), int64) kept", rule: "cast_cast", unchanged: true, shapes: [][]int{matrix}, dtypes: []dtype.DType{dtype.Int64},
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Cast(e.Cast(in[0], dtype.Float64), dtype.Int64)
		}},
	{name: "dimshuffle identity", rule: "dimshuffle_useless", shapes: [][]int{{-1, 1, -1}}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return dimshuffle(e, in[0], 0, 1, 2) }},
	{name: "x.T.T", rule: "dimshuffle_merge", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return dimshuffle(e, dimshuffle(e, in[0], 1, 0), 1, 0)
		}},
	{name: "dimshuffle of dimshuffle", rule: "dimshuffle_merge", shapes: [][]int{{-1, 1, -1}}, dtypes: allReals,
		check: counts(map[string]int{"DimShuffleOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return dimshuffle(e, dimshuffle(e, in[0], 2, ops.Broadcast, 0), 0, 2, 1, ops.Broadcast)
		}},
	{name: "dimshuffle of constant", rule: "dimshuffle_constant", shapes: [][]int{matrix}, dtypes: allReals,
		check: counts(map[string]int{"DimShuffleOp": 0}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			k := e.B.Constant(tensor.FromFloat64s(in[0].Type.DType, []int{3}, []float64{1, 2, 3}))
			return e.Mul(in[0], dimshuffle(e, k, 0, ops.Broadcast))
		}},
	{name: "exp(x.T)", rule: "dimshuffle_lift", shapes: [][]int{{-1, 1}}, dtypes: floats,
		check: func(t *testing.T, in []*graph.Variable, out *graph.Variable) {
			if out.Owner == nil || OpKey(out.Owner.Op) != "DimShuffleOp" || OpKey(out.Owner.Inputs[0].Owner.Op) != "exp" {
				t.Errorf("exp(x.T) rewritten to\n%s", graph.Debugprint([]*graph.Variable{out}))
			}
		},
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Exp(dimshuffle(e, in[0], 1, 0)) }},
	{name: "x.T * y.T + 1", rule: "dimshuffle_lift", shapes: [][]int{matrix, {1, -1}}, dtypes: allReals,
		check: counts(map[string]int{"DimShuffleOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			p := e.Mul(dimshuffle(e, in[0], 1, 0), dimshuffle(e, in[1], 1, 0))
			return e.Add(p, c(e, 1, p))
		}},
	{name: "second(x, y) of y's shape", rule: "fill_useless", shapes: [][]int{{-1, 1}, matrix}, dtypes: allReals, check: isInput(1),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Second(in[0], in[1]) }},
	{name: "second(exp(x), 1)", rule: "fill_useless", shapes: [][]int{matrix}, dtypes: floats, check: counts(map[string]int{"exp": 0, "second": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Second(e.Exp(in[0]), c(e, 1, in[0])) }},
	{name: "reshape(x, x.shape)", rule: "reshape_useless", shapes: [][]int{matrix}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Reshape(in[0], e.Shape(in[0]), 2) }},
	{name: "reshape to the same static shape", rule: "reshape_useless", shapes: [][]int{{3, 4}}, dtypes: allReals, check: isInput(0),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Reshape(in[0], e.B.Constant(tensor.FromInt64s(dtype.Int64, []int{2}, []int64{3, -1})), 2)
		}},
	{name: "x[1:][::2, 2]", rule: "subtensor_merge", shapes: [][]int{{5, 6}}, dtypes: allReals,
		check: counts(map[string]int{"SubtensorOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return subtensor(e, subtensor(e, in[0], slice(1, none, none)), slice(none, none, 2), ops.IndexAt(2))
		}},
	{name: "x[::-1, 1:-1][::-2, -1]", rule: "subtensor_merge", shapes: [][]int{{5, 6}}, dtypes: allReals,
		check: counts(map[string]int{"SubtensorOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return subtensor(e, subtensor(e, in[0], slice(none, none, -1), slice(1, -1, none)), slice(none, none, -2), ops.IndexAt(-1))
		}},
	{name: "x[-2][3:1]", rule: "subtensor_merge", shapes: [][]int{{5, 6}}, dtypes: allReals,
		check: counts(map[string]int{"SubtensorOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return subtensor(e, subtensor(e, in[0], ops.IndexAt(-2)), slice(3, 1, none))
		}},
	{name: "x[4:0:-1][1:3]", rule: "subtensor_merge", shapes: [][]int{{5, 6}}, dtypes: allReals,
		check: counts(map[string]int{"SubtensorOp": 1}),
		build: func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return subtensor(e, subtensor(e, in[0], slice(4, 0, -1)), slice(1, none, 3))
		}},
}

// runtimeShape gives unknown lengths concrete values (3 + dimension).
func runtimeShape(static []int) []int {
	s := make([]int, len(static))
	for d, n := range static {
		s[d] = n
		if n == graph.Unknown {
			s[d] = 3 + d
		}
	}
	return s
}

// randomInput fills an array: floats in ±[0.5, 2) with, unless finite,
// NaN, inf, -inf and 0 first; integers in [-5, 5] without 0.
func randomInput(rng *rand.Rand, dt dtype.DType, shape []int, finite bool) *tensor.Array {
	n := tensor.Size(shape)
	v := make([]float64, n)
	for i := range v {
		if dt.IsFloat() {
			v[i] = (0.5 + 1.5*rng.Float64()) * float64(1-2*rng.Intn(2))
		} else {
			v[i] = float64(rng.Intn(5) + 1)
			if rng.Intn(2) == 0 {
				v[i] = -v[i]
			}
		}
	}
	if dt.IsFloat() && !finite {
		specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0}
		for i := 0; i < len(specials) && i < n; i++ {
			v[i] = specials[i]
		}
	}
	return tensor.FromFloat64s(dt, shape, v)
}

// sameValues compares arrays: shape, dtype, NaN where NaN, values to a
// tolerance that suits the dtype.
func sameArrays(t *testing.T, what string, got, want *tensor.Array) {
	t.Helper()
	if got.DType != want.DType || len(got.Shape) != len(want.Shape) {
		t.Fatalf("%s: %v %v, want %v %v", what, got.DType, got.Shape, want.DType, want.Shape)
	}
	for d := range got.Shape {
		if got.Shape[d] != want.Shape[d] {
			t.Fatalf("%s: shape %v, want %v", what, got.Shape, want.Shape)
		}
	}
	tol := 1e-12
	if want.DType == dtype.Float32 {
		tol = 1e-6
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range w {
		ok := g[i] == w[i] || (math.IsNaN(g[i]) && math.IsNaN(w[i])) ||
			math.Abs(g[i]-w[i]) <= tol*math.Max(1, math.Abs(w[i]))
		if !ok {
			t.Fatalf("%s: element %d is %v, want %v\ngot  %v\nwant %v", what, i, g[i], w[i], g, w)
		}
	}
}

func TestCanonicalRules(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, tc := range canonCases {
		for _, dt := range tc.dtypes {
			t.Run(tc.name+"/"+dt.String(), func(t *testing.T) {
				b := graph.NewBuilder()
				in := make([]*graph.Variable, len(tc.shapes))
				values := map[*graph.Variable]*tensor.Array{}
				for i, s := range tc.shapes {
					in[i] = b.Input(graph.NewType(dt, s...), string(rune('a'+i)))
					values[in[i]] = randomInput(rng, dt, runtimeShape(s), tc.finite)
				}
				e := ops.NewExpr(b)
				out := tc.build(e, in)
				if e.Err != nil {
					t.Fatal(e.Err)
				}
				res, stats, err := Apply(b, []*graph.Variable{out}, canonicalRules, Options{Strict: true})
				if err != nil {
					t.Fatal(err)
				}
				if fired := stats.Hits[tc.rule] > 0; fired == tc.unchanged {
					t.Fatalf("%s hits %v (unchanged: %v):\n%s", tc.rule, stats.Hits, tc.unchanged, graph.Debugprint(res))
				}
				if stats.Iterations >= 16 {
					t.Errorf("no fixed point after %d sweeps", stats.Iterations)
				}
				if tc.check != nil {
					tc.check(t, in, res[0])
				}
				before, err := eval.Run([]*graph.Variable{out}, values)
				if err != nil {
					t.Fatal(err)
				}
				after, err := eval.Run(res, values)
				if err != nil {
					t.Fatalf("%v\n%s", err, graph.Debugprint(res))
				}
				sameArrays(t, tc.name, after[0], before[0])
			})
		}
	}
}

// The gradient of log(sigmoid(x)) divides by sigmoid(x) as reverse mode
// builds it; canonicalization cancels the division.
func TestCanonicalCancelsSigmoidInLogSigmoidGradient(t *testing.T) {
	for _, dt := range floats {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dt, -1), "x")
		e := ops.NewExpr(b)
		s := e.Call("sigmoid", x)
		cost := e.Sum(e.Log(s), nil, false)
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		g, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !dividesBySigmoid(g[0]) {
			t.Fatalf("%v: the raw gradient does not divide by sigmoid(x):\n%s", dt, graph.Debugprint(g))
		}
		res, stats, err := Apply(b, g, canonicalRules, Options{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if dividesBySigmoid(res[0]) || stats.Hits["mul_canonizer"] == 0 {
			t.Errorf("%v: hits %v, gradient still divides by sigmoid(x):\n%s", dt, stats.Hits, graph.Debugprint(res))
		}
		xs := []float64{-8, -3, -1, -0.1, 0, 0.5, 2, 6}
		values := map[*graph.Variable]*tensor.Array{x: tensor.FromFloat64s(dt, []int{len(xs)}, xs)}
		before, err := eval.Run(g, values)
		if err != nil {
			t.Fatal(err)
		}
		after, err := eval.Run(res, values)
		if err != nil {
			t.Fatal(err)
		}
		sameArrays(t, "d log(sigmoid(x))/dx", after[0], before[0])
	}
}

// dividesBySigmoid reports whether the graph has a true_div whose
// denominator contains a sigmoid.
func dividesBySigmoid(out *graph.Variable) bool {
	for _, n := range graph.Toposort([]*graph.Variable{out}) {
		if OpKey(n.Op) != "true_div" {
			continue
		}
		for _, m := range graph.Toposort([]*graph.Variable{n.Inputs[1]}) {
			if OpKey(m.Op) == "sigmoid" {
				return true
			}
		}
	}
	return false
}

// Every canonicalization rule carries the pass's tag and fast_run.
func TestCanonicalRulesAreTagged(t *testing.T) {
	names := map[string]bool{}
	for _, r := range canonicalRules {
		if !r.HasTag("canonicalize") || !r.HasTag("fast_run") || len(r.Roots) == 0 || names[r.Name] {
			t.Errorf("rule %s: tags %v, roots %v (or a duplicate name)", r.Name, r.Tags, r.Roots)
		}
		names[r.Name] = true
	}
	if got := len(Select("canonicalize", true, nil, nil, nil)); got < len(canonicalRules) {
		t.Errorf("Select(canonicalize) has %d rules, want at least %d", got, len(canonicalRules))
	}
}

// A product whose factors are shared (x2 = x1*x1, ...) is a small DAG but
// an exponential tree: canonicalization stays fast and changes nothing.
func TestCanonicalSharedProductDAG(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	y := x
	for range 60 {
		y = e.Mul(y, y)
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	res, stats, err := Apply(b, []*graph.Variable{y}, canonicalRules, Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != y || len(stats.Hits) != 0 {
		t.Errorf("hits %v", stats.Hits)
	}
}
