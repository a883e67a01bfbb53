package rewrite_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/rewrite"
	"theanogo/core/tensor"
)

// blasRules are the rules of the BLAS family, by name.
func blasRules(t *testing.T) []*rewrite.Rule {
	var rules []*rewrite.Rule
	for _, r := range rewrite.Select("specialize", true, nil, nil, nil) {
		if slices.Contains([]string{"gemm", "gemv", "ger"}, r.Name) {
			rules = append(rules, r)
		}
	}
	if len(rules) != 3 {
		t.Fatalf("found %d BLAS rules, want 3", len(rules))
	}
	return rules
}

// Each pattern is rewritten by the rule named (to the op named), or by no
// rule ("") where folding would change a dtype or a broadcast; the values
// are the same before and after on random inputs, in float32 and float64.
// Inputs take the shapes listed (a length 1 is broadcastable, the others
// unknown); an input of a dtype other than the case's says so (cases about
// mixed dtypes run in float32 only).
func TestBLASRules(t *testing.T) {
	col := func(e *ops.Expr, v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{0, ops.Broadcast}) }
	row := func(e *ops.Expr, v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{ops.Broadcast, 0}) }
	tr := func(e *ops.Expr, v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{1, 0}) }
	type in struct {
		shape []int
		dt    dtype.DType // the case's dtype when Invalid
	}
	mat := func(m, n int) in { return in{shape: []int{m, n}} }
	vec := func(n int) in { return in{shape: []int{n}} }
	scalar := in{shape: []int{}}
	cases := []struct {
		name     string
		inputs   []in
		build    func(e *ops.Expr, x []*graph.Variable) *graph.Variable
		rule, op string
	}{
		{"Z + dot(X, Y)", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(x[0], e.Dot(x[1], x[2])) }, "gemm", "gemm"},
		{"dot(X, Y) + Z", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(e.Dot(x[1], x[2]), x[0]) }, "gemm", "gemm"},
		{"Z + a*dot(X, Y), a symbolic", []in{mat(4, 5), mat(4, 3), mat(3, 5), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(x[3], e.Dot(x[1], x[2])))
			}, "gemm", "gemm"},
		{"Z + dot(X, Y)*0.5", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(e.Dot(x[1], x[2]), e.Const(0.5, x[0])))
			}, "gemm", "gemm"},
		{"Z - a*dot(X, Y)", []in{mat(4, 5), mat(4, 3), mat(3, 5), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Sub(x[0], e.Mul(x[3], e.Dot(x[1], x[2])))
			}, "gemm", "gemm"},
		{"a*dot(X, Y) + b*Z", []in{mat(4, 5), mat(4, 3), mat(3, 5), scalar, scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(e.Mul(x[3], e.Dot(x[1], x[2])), e.Mul(x[0], x[4]))
			}, "gemm", "gemm"},
		{"dot(X, Y) - 2*Z", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Sub(e.Dot(x[1], x[2]), e.Mul(e.Const(2, x[0]), x[0]))
			}, "gemm", "gemm"},
		{"Z + -(a*(3*dot(X, Y)))", []in{mat(4, 5), mat(4, 3), mat(3, 5), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Neg(e.Mul(x[3], e.Mul(e.Const(3, x[0]), e.Dot(x[1], x[2])))))
			}, "gemm", "gemm"},
		{"SGD: W - 0.01*dot(X.T, G)", []in{mat(3, 5), mat(4, 3), mat(4, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Sub(x[0], e.Mul(e.Const(0.01, x[0]), e.Dot(tr(e, x[1]), x[2])))
			}, "gemm", "gemm"},
		{"Z + 2*dot(X, Y), int8 constant 2 cast", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(e.ConstOf(2, dtype.Int8), e.Dot(x[1], x[2])))
			}, "gemm", "gemm"},
		{"Z + a*dot(X, Y), int8 a cast", []in{mat(4, 5), mat(4, 3), mat(3, 5), {shape: []int{}, dt: dtype.Int8}},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(x[3], e.Dot(x[1], x[2])))
			}, "gemm", "gemm"},
		{"y + a*dot(A, x)", []in{vec(4), mat(4, 3), vec(3), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(x[3], e.Dot(x[1], x[2])))
			}, "gemv", "gemv"},
		{"b*y - dot(x, A)", []in{vec(3), mat(4, 3), vec(4), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Sub(e.Mul(x[3], x[0]), e.Dot(x[2], x[1]))
			}, "gemv", "gemv"},
		{"A + a*outer(x, y)", []in{mat(4, 3), vec(4), vec(3), scalar},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(x[3], e.Dot(col(e, x[1]), row(e, x[2]))))
			}, "ger", "ger"},
		{"A - outer(x, y)", []in{mat(4, 3), vec(4), vec(3)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Sub(x[0], e.Dot(col(e, x[1]), row(e, x[2])))
			}, "ger", "ger"},
		{"2*A + outer(x, y) is a gemm (ger has no b)", []in{mat(4, 3), vec(4), vec(3)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(e.Mul(e.Const(2, x[0]), x[0]), e.Dot(col(e, x[1]), row(e, x[2])))
			}, "gemm", "gemm"},

		{"bias row b + dot(X, W) stays", []in{mat(1, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(e.Dot(x[1], x[2]), x[0]) }, "", "add"},
		{"column dot(X, w) broadcast over Z stays", []in{mat(4, 5), mat(4, 3), mat(3, 1)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(x[0], e.Dot(x[1], x[2])) }, "", "add"},
		{"float32 only: float64 a upcasts, stays", []in{mat(4, 5), mat(4, 3), mat(3, 5), {shape: []int{}, dt: dtype.Float64}},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(x[3], e.Dot(x[1], x[2])))
			}, "", "add"},
		{"float32 only: float64 Z upcasts the dot, stays", []in{{shape: []int{4, 5}, dt: dtype.Float64}, mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(x[0], e.Dot(x[1], x[2])) }, "", ""},
		{"int64 stays", []in{{shape: []int{4, 5}, dt: dtype.Int64}, {shape: []int{4, 3}, dt: dtype.Int64}, {shape: []int{3, 5}, dt: dtype.Int64}},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(x[0], e.Dot(x[1], x[2])) }, "", "add"},
		{"Z + 0*dot(X, Y) stays (NaN in X propagates)", []in{mat(4, 5), mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return e.Add(x[0], e.Mul(e.Const(0, x[0]), e.Dot(x[1], x[2])))
			}, "", "add"},
		{"a plain dot stays", []in{mat(4, 3), mat(3, 5)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Dot(x[0], x[1]) }, "", "dot"},
		{"vector·vector stays", []in{scalar, vec(3), vec(3)},
			func(e *ops.Expr, x []*graph.Variable) *graph.Variable { return e.Add(x[0], e.Dot(x[1], x[2])) }, "", "add"},
	}
	rules := blasRules(t)
	rng := rand.New(rand.NewPCG(1, 6))
	for _, c := range cases {
		for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64} {
			if dt == dtype.Float64 && strings.HasPrefix(c.name, "float32 only") {
				continue
			}
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				values := make([]*tensor.Array, len(c.inputs))
				for i, in := range c.inputs {
					d := dt
					if in.dt != dtype.Invalid {
						d = in.dt
					}
					values[i] = opstest.Rand(rng, in.shape...).Astype(d)
				}
				b := graph.NewBuilder()
				xs := opstest.Inputs(b, values)
				e := ops.NewExpr(b)
				out := c.build(e, xs)
				if e.Err != nil {
					t.Fatal(e.Err)
				}
				res, stats, err := rewrite.Apply(b, []*graph.Variable{out}, rules, rewrite.Options{Strict: true})
				if err != nil {
					t.Fatal(err)
				}
				fired := ""
				for name, n := range stats.Hits {
					if n > 0 {
						fired += name
					}
				}
				if fired != c.rule {
					t.Errorf("rules fired: %v, want %q\n%s", stats.Hits, c.rule, graph.Debugprint(res))
				}
				if c.op != "" && (res[0].Owner == nil || res[0].Owner.Op.Name() != c.op) {
					t.Errorf("rewritten to\n%swant a %s", graph.Debugprint(res), c.op)
				}
				bind := map[*graph.Variable]*tensor.Array{}
				for i, x := range xs {
					bind[x] = values[i]
				}
				before, err := eval.Run([]*graph.Variable{out}, bind)
				if err != nil {
					t.Fatal(err)
				}
				after, err := eval.Run(res, bind)
				if err != nil {
					t.Fatal(err)
				}
				sameValues(t, after[0], before[0])
			})
		}
	}
}

// sameValues checks dtype, shape and values to the dtype's rounding.
func sameValues(t *testing.T, got, want *tensor.Array) {
	t.Helper()
	if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) {
		t.Fatalf("got %v %v, want %v %v", got.DType, got.Shape, want.DType, want.Shape)
	}
	tol := 1e-12
	if want.DType == dtype.Float32 {
		tol = 1e-5
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range w {
		if math.Abs(g[i]-w[i]) > tol*(1+math.Abs(w[i])) {
			t.Fatalf("element %d: got %v, want %v", i, g[i], w[i])
		}
	}
}
