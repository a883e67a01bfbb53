package rewrite

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// specializeRules are the rules the specialize pass runs on a pow: the
// canonical ones and pow_specialize.
func specializeRules() []*Rule {
	return append(append([]*Rule{}, canonicalRules...), powRules...)
}

// opCounts counts the nodes of each op key computing outs.
func opCounts(outs ...*graph.Variable) map[string]int {
	got := map[string]int{}
	for _, n := range graph.Toposort(outs) {
		got[OpKey(n.Op)]++
	}
	return got
}

// powInput is a matrix of dt with negative, zero, large (wrapping for
// integers) and, for floats, special values.
func powInput(rng *rand.Rand, dt dtype.DType) *tensor.Array {
	var v []float64
	if dt.IsFloat() {
		v = []float64{0, math.Copysign(0, -1), 1, -1, 2.5, -3.25, 1e-3, 1e30, math.NaN(), math.Inf(1), math.Inf(-1)}
		for len(v) < 24 {
			v = append(v, (rng.Float64()*4-2)*math.Pow(10, float64(rng.Intn(5)-2)))
		}
	} else {
		lo, hi := -128.0, 127.0
		if dt.Kind() == dtype.KindUint {
			lo, hi = 0, 255
		}
		v = []float64{0, 1, hi, lo, 2}
		for len(v) < 24 {
			v = append(v, math.Floor(lo+rng.Float64()*(hi-lo+1)))
		}
	}
	return tensor.FromFloat64s(dt, []int{4, len(v) / 4}, v)
}

// Each constant exponent, for every base and exponent dtype, is rewritten
// to the op expected (or left a pow), the result keeps pow's type, and the
// values are pow's: exactly for integers (wrapping included) and the exact
// forms, to an ulp or so for x ** 3 and the float32 forms. x ** 0.5 is
// sqrt (numpy's fast path), which differs from C's pow at -0 and -inf.
func TestPowSpecialize(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	bases := []dtype.DType{dtype.Int8, dtype.Int16, dtype.Int32, dtype.Int64, dtype.Uint8, dtype.Float32, dtype.Float64}
	exps := []dtype.DType{dtype.Int8, dtype.Int64, dtype.Float32, dtype.Float64}
	for _, k := range []float64{2, 3, 0.5, -1, 1, 0, -2, 5, 2.5} {
		for _, xdt := range bases {
			for _, ydt := range exps {
				if k != math.Trunc(k) && !ydt.IsFloat() {
					continue
				}
				for _, ranked := range []bool{false, true} {
					name := fmt.Sprintf("x**%v/%v**%v/ranked=%v", k, xdt, ydt, ranked)
					t.Run(name, func(t *testing.T) { checkPowCase(t, rng, k, xdt, ydt, ranked) })
				}
			}
		}
	}
}

func checkPowCase(t *testing.T, rng *rand.Rand, k float64, xdt, ydt dtype.DType, ranked bool) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(xdt, -1, -1), "x")
	var y *graph.Variable
	if ranked { // the exponent as Python's x ** 2 builds it: a (1, 1) constant
		y = b.Constant(tensor.FromFloat64s(ydt, []int{1, 1}, []float64{k}))
	} else {
		y = b.Constant(tensor.Scalar(ydt, k))
	}
	out, err := ops.Scalar(b, "pow", x, y)
	if err != nil {
		t.Fatal(err)
	}
	res, stats, err := Apply(b, []*graph.Variable{out}, specializeRules(), Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	dt := out.Type.DType
	if !res[0].Type.Equal(out.Type) {
		t.Fatalf("type %v, want %v", res[0].Type, out.Type)
	}
	got := opCounts(res[0])
	wantPow := 1
	switch {
	case k == 2 || k == 3 || k == 0 || k == 1:
		wantPow = 0
	case (k == 0.5 || k == -1) && dt.IsFloat():
		wantPow = 0
	}
	if got["pow"] != wantPow {
		t.Fatalf("%d pow nodes, want %d (hits %v):\n%s", got["pow"], wantPow, stats.Hits, graph.Debugprint(res))
	}
	if wantPow == 0 && k != 0 && k != 1 && stats.Hits["pow_specialize"] == 0 {
		t.Errorf("pow_specialize did not fire: %v", stats.Hits)
	}
	want := map[float64]string{2: "sqr", 3: "sqr", 0.5: "sqrt", -1: "true_div"}[k]
	if wantPow == 0 && want != "" && got[want] != 1 {
		t.Errorf("no %s in\n%s", want, graph.Debugprint(res))
	}
	in := powInput(rng, xdt)
	values := map[*graph.Variable]*tensor.Array{x: in}
	before, errBefore := eval.Run([]*graph.Variable{out}, values)
	after, errAfter := eval.Run(res, values)
	if errBefore != nil || errAfter != nil {
		// an integer to a negative power raises, before and after
		if errBefore == nil || errAfter == nil || !dt.IsDiscrete() || k >= 0 {
			t.Fatalf("before: %v, after: %v", errBefore, errAfter)
		}
		var ve *graph.Error
		if !errors.As(errAfter, &ve) || ve.Kind != graph.KindValue {
			t.Errorf("after: %T %v, want a ValueError", errAfter, errAfter)
		}
		return
	}
	w, g := before[0], after[0]
	if g.DType != w.DType || fmt.Sprint(g.Shape) != fmt.Sprint(w.Shape) {
		t.Fatalf("%v %v, want %v %v", g.DType, g.Shape, w.DType, w.Shape)
	}
	xs := in.Float64s()
	gs, ws := g.Float64s(), w.Float64s()
	for i := range ws {
		if k == 0.5 && (xs[i] == math.Inf(-1) || (xs[i] == 0 && math.Signbit(xs[i]))) {
			if s := math.Sqrt(xs[i]); !(gs[i] == s && math.Signbit(gs[i]) == math.Signbit(s)) && !(math.IsNaN(s) && math.IsNaN(gs[i])) {
				t.Errorf("x=%v: %v, want sqrt's %v", xs[i], gs[i], s)
			}
			continue
		}
		tol := 0.0
		switch {
		case dt == dtype.Float32:
			tol = 2e-7
		case dt.IsFloat():
			tol = 4e-16
		}
		ok := gs[i] == ws[i] || (math.IsNaN(gs[i]) && math.IsNaN(ws[i])) ||
			math.Abs(gs[i]-ws[i]) <= tol*math.Abs(ws[i])
		if !ok {
			t.Errorf("x=%v: %v, want %v", xs[i], gs[i], ws[i])
		}
	}
}

// An integer base to a negative constant power keeps its pow, which
// raises a ValueError as numpy does.
func TestPowSpecializeKeepsIntegerNegativePower(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Int32, -1), "x")
	out, err := ops.Scalar(b, "pow", x, b.Constant(tensor.FromInt64s(dtype.Int8, nil, []int64{-1})))
	if err != nil {
		t.Fatal(err)
	}
	res, stats, err := Apply(b, []*graph.Variable{out}, specializeRules(), Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if opCounts(res...)["pow"] != 1 || stats.Hits["pow_specialize"] != 0 {
		t.Fatalf("rewritten (%v):\n%s", stats.Hits, graph.Debugprint(res))
	}
}

// The gradient of sum(x ** 2) writes 2x broadcast by second(x ** 2, g);
// after canonicalize nothing is left that computes x ** 2 for its shape,
// and with x ** 2 -> sqr the cost reads x once.
func TestFillSinkDropsShapeOnlyPow(t *testing.T) {
	for _, dt := range floats {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dt, -1, -1), "x")
		e := ops.NewExpr(b)
		p := e.Call("pow", x, b.Constant(tensor.FromInt64s(dtype.Int8, []int{1, 1}, []int64{2})))
		lam := dimshuffle(e, e.Const(1e-4, x), ops.Broadcast, ops.Broadcast)
		g := e.Mul(e.Second(p, lam), e.Mul(dimshuffle(e, e.Const(2, x), ops.Broadcast, ops.Broadcast), x))
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		res, stats, err := Apply(b, []*graph.Variable{g}, specializeRules(), Options{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		got := opCounts(res...)
		if got["pow"] != 0 || got["second"] != 0 || got["sqr"] != 0 || got["mul"] != 1 || stats.Hits["fill_sink"] == 0 {
			t.Errorf("%v: %v (hits %v):\n%s", dt, got, stats.Hits, graph.Debugprint(res))
		}
		rng := rand.New(rand.NewSource(1))
		values := map[*graph.Variable]*tensor.Array{x: randomInput(rng, dt, []int{3, 4}, false)}
		before, err := eval.Run([]*graph.Variable{g}, values)
		if err != nil {
			t.Fatal(err)
		}
		after, err := eval.Run(res, values)
		if err != nil {
			t.Fatal(err)
		}
		sameArrays(t, "gradient", after[0], before[0])
	}
}

// fill_sink keeps the broadcast when the other operands do not have the
// shape: second(m, s) * t for scalars s, t is second(m, s * t), computed
// once per element of m, not once per element twice.
func TestFillSinkKeepsNeededShape(t *testing.T) {
	b := graph.NewBuilder()
	m := b.Input(graph.NewType(dtype.Float64, -1, -1), "m")
	s := b.Input(graph.NewType(dtype.Float64, 1, 1), "s")
	u := b.Input(graph.NewType(dtype.Float64, 1, 1), "u")
	e := ops.NewExpr(b)
	out := e.Mul(e.Second(m, s), u)
	res, stats, err := Apply(b, []*graph.Variable{out}, canonicalRules, Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	top, name := ScalarNode(res[0])
	if name != "second" || top.Inputs[0] != m || stats.Hits["fill_sink"] != 1 {
		t.Fatalf("hits %v:\n%s", stats.Hits, graph.Debugprint(res))
	}
	if _, inner := ScalarNode(top.Inputs[1]); inner != "mul" || !res[0].Type.Equal(out.Type) {
		t.Fatalf("%v:\n%s", res[0].Type, graph.Debugprint(res))
	}
	values := map[*graph.Variable]*tensor.Array{
		m: tensor.FromFloat64s(dtype.Float64, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}),
		s: tensor.FromFloat64s(dtype.Float64, []int{1, 1}, []float64{1.5}),
		u: tensor.FromFloat64s(dtype.Float64, []int{1, 1}, []float64{-2}),
	}
	before, _ := eval.Run([]*graph.Variable{out}, values)
	after, err := eval.Run(res, values)
	if err != nil {
		t.Fatal(err)
	}
	sameArrays(t, "second", after[0], before[0])
}

// shapeCarrier looks through an elementwise op whose other inputs are
// broadcast scalars: second(x ** 2, g) reads x's shape from x.
func TestFillUselessThroughPow(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1, -1), "x")
	g := b.Input(graph.NewType(dtype.Float32), "g")
	e := ops.NewExpr(b)
	p := e.Call("pow", x, b.Constant(tensor.FromFloat64s(dtype.Float32, []int{1, 1}, []float64{3})))
	out := e.Second(p, g)
	res, _, err := Apply(b, []*graph.Variable{out}, canonicalRules, Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Owner == nil || res[0].Owner.Inputs[0] != x || opCounts(res...)["pow"] != 0 {
		t.Fatalf("\n%s", graph.Debugprint(res))
	}
	// a second operand of the output's shape is not a broadcast scalar
	y := b.Input(graph.NewType(dtype.Float32, -1, -1), "y")
	out2 := e.Second(e.Mul(x, y), g)
	res, _, err = Apply(b, []*graph.Variable{out2}, canonicalRules, Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if opCounts(res...)["mul"] != 1 {
		t.Fatalf("\n%s", graph.Debugprint(res))
	}
}

// The SGD step of a weight with an L2 penalty is one gemm with beta:
// W - lr*(c*W + dot(X, G)) -> gemm(W, -lr, X, G, 1 - lr*c), in float32
// and float64, with constant and symbolic scales; not when the inner
// product is read elsewhere too (it would be computed twice).
func TestGemmAccumulate(t *testing.T) {
	for _, dt := range floats {
		for _, symbolic := range []bool{false, true} {
			b := graph.NewBuilder()
			w := b.Input(graph.NewType(dt, -1, -1), "W")
			x := b.Input(graph.NewType(dt, -1, -1), "X")
			gr := b.Input(graph.NewType(dt, -1, -1), "G")
			lr := b.Input(graph.NewType(dt), "lr")
			e := ops.NewExpr(b)
			lrM := dimshuffle(e, lr, ops.Broadcast, ops.Broadcast)
			if !symbolic {
				lrM = dimshuffle(e, e.Const(0.01, w), ops.Broadcast, ops.Broadcast)
			}
			c := dimshuffle(e, e.Const(2e-4, w), ops.Broadcast, ops.Broadcast)
			grad := e.Add(e.Mul(c, w), e.Dot(e.DimShuffle(x, []int{1, 0}), gr))
			upd := e.Sub(w, e.Mul(lrM, grad))
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			rules := append(specializeRules(), blasRulesInternal()...)
			res, stats, err := Apply(b, []*graph.Variable{upd}, rules, Options{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			got := opCounts(res...)
			elemwise := 0 // over matrices: the scales are 0-d
			for _, n := range graph.Toposort(res) {
				if _, ok := n.Op.(ops.Elemwise); ok && n.Outputs[0].Type.Ndim() > 0 {
					elemwise++
				}
			}
			if got["GemmOp"] != 1 || got["DotOp"] != 0 || elemwise != 0 || stats.Hits["gemm_accumulate"] != 1 ||
				res[0].Owner == nil || res[0].Owner.Inputs[0] != w {
				t.Errorf("%v symbolic=%v: %v (hits %v):\n%s", dt, symbolic, got, stats.Hits, graph.Debugprint(res))
			}
			rng := rand.New(rand.NewSource(2))
			values := map[*graph.Variable]*tensor.Array{
				w: randomInput(rng, dt, []int{3, 4}, true), x: randomInput(rng, dt, []int{5, 3}, true),
				gr: randomInput(rng, dt, []int{5, 4}, true), lr: tensor.Scalar(dt, 0.01),
			}
			before, err := eval.Run([]*graph.Variable{upd}, values)
			if err != nil {
				t.Fatal(err)
			}
			after, err := eval.Run(res, values)
			if err != nil {
				t.Fatal(err)
			}
			sameArrays(t, "update", after[0], before[0])

			// the gradient an output too: one gemm for it, the update elementwise
			res, stats, err = Apply(b, []*graph.Variable{upd, grad}, rules, Options{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := opCounts(res...); got["GemmOp"] != 1 || stats.Hits["gemm_accumulate"] != 0 {
				t.Errorf("%v symbolic=%v, gradient read twice: %v (hits %v):\n%s", dt, symbolic, got, stats.Hits, graph.Debugprint(res))
			}
		}
	}
}

// blasRulesInternal are the BLAS family's rules.
func blasRulesInternal() []*Rule { return blasRules }
