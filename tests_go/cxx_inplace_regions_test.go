package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// In-place updates in kernels with regions (codegen/cxx/schedule.go,
// stepFailure): every region call runs before the first update written
// in place, so the updates stay in place, and a call failing inside a
// region leaves the shared variable as it was.

// inPlaceRegionCase is a function with one shared w (a float64 vector),
// updated in place, whose region can fail on the bad arguments.
type inPlaceRegionCase struct {
	name      string
	spec      compile.FunctionSpec
	good      [][]*tensor.Array // arguments that run (the evaluator's values)
	bad       []*tensor.Array   // arguments failing inside a region
	wantError graph.ErrorKind
	fresh     bool // a region reads the new value: the update must go to a fresh buffer
}

func TestCxxInPlaceUpdateWithRegions(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	c := b.Input(graph.NewType(dtype.Int8), "c")
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	idx := b.Input(graph.NewType(dtype.Int64, -1), "idx")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	w := b.Shared(graph.NewType(dtype.Float64, -1), "w")
	lr := e.Const(0.1, x)
	// SGD whose gradient an ifelse chooses (the then branch indexes x)
	g := ifelse1(t, b, c, e.Mul(x, e.Sum(e.AdvancedSubtensor(x, idx), nil, false)), e.Mul(x, e.Const(2, x)))
	sgd := compile.FunctionSpec{Inputs: []*graph.Variable{c, x, idx}, Outputs: []*graph.Variable{e.Sum(e.Mul(w, x), nil, false)},
		Updates: [][2]*graph.Variable{{w, e.Sub(w, e.Mul(lr, g))}}}
	// the continuation computes the update and an output indexing the
	// ifelse's value, which fails at run time: its own schedule indexes first
	idx2 := b.Input(graph.NewType(dtype.Int64, -1), "idx2")
	g2 := ifelse1(t, b, c, e.Mul(x, e.Const(3, x)), e.Call("tanh", x))
	inCont := compile.FunctionSpec{Inputs: []*graph.Variable{c, x, idx2}, Outputs: []*graph.Variable{e.AdvancedSubtensor(e.Mul(g2, e.Const(2, x)), idx2)},
		Updates: [][2]*graph.Variable{{w, e.Sub(w, e.Mul(lr, g2))}}}
	// an ifelse output the update does not read: its region runs first anyway
	side := compile.FunctionSpec{Inputs: []*graph.Variable{c, x, idx},
		Outputs: []*graph.Variable{ifelse1(t, b, c, e.Mul(e.AdvancedSubtensor(x, idx), e.Const(2, x)), e.Add(x, w))},
		Updates: [][2]*graph.Variable{{w, e.Mul(w, e.Const(0.9, w))}}}
	// a value-dependent length: the continuation region's broadcast check fails
	n := e.Cast(e.Sum(e.AdvancedSubtensor(x, idx), nil, false), dtype.Int64)
	zero, one := b.Constant(tensor.Scalar(dtype.Int64, 0)), b.Constant(tensor.Scalar(dtype.Int64, 1))
	r := e.Add(e.Cast(e.ARange(zero, n, one, dtype.Int64), dtype.Float64), y)
	cont := compile.FunctionSpec{Inputs: []*graph.Variable{x, idx, y}, Outputs: []*graph.Variable{r},
		Updates: [][2]*graph.Variable{{w, e.Sub(w, e.Mul(lr, x))}}}
	// a region reading the new value runs after its writer: not in place
	decay := e.Mul(w, e.Const(0.9, w))
	after := compile.FunctionSpec{Inputs: []*graph.Variable{c, x, y},
		Outputs: []*graph.Variable{ifelse1(t, b, c, e.Add(decay, y), x)},
		Updates: [][2]*graph.Variable{{w, decay}}}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	x4 := randomArray(rng, dtype.Float64, 4)
	good, bad := tensor.FromInt64s(dtype.Int64, []int{2}, []int64{3, 0}), tensor.FromInt64s(dtype.Int64, []int{1}, []int64{9})
	xs := tensor.FromFloat64s(dtype.Float64, []int{4}, []float64{1, 2, 0, 1})
	cases := []inPlaceRegionCase{
		{"sgd with an ifelse gradient", sgd, [][]*tensor.Array{{i8(1), x4, good}, {i8(0), x4, bad}}, []*tensor.Array{i8(1), x4, bad}, graph.KindIndex, false},
		{"continuation indexing after the ifelse", inCont, [][]*tensor.Array{{i8(1), x4, good}, {i8(0), x4, good}}, []*tensor.Array{i8(0), x4, bad}, graph.KindIndex, false},
		{"ifelse beside the update", side, [][]*tensor.Array{{i8(1), x4, good}, {i8(0), x4, bad}}, []*tensor.Array{i8(1), x4, bad}, graph.KindIndex, false},
		{"continuation beside the update", cont, [][]*tensor.Array{{xs, good, randomArray(rng, dtype.Float64, 2)}, {xs, tensor.FromInt64s(dtype.Int64, []int{2}, []int64{1, 1}), randomArray(rng, dtype.Float64, 4)}},
			[]*tensor.Array{xs, good, randomArray(rng, dtype.Float64, 3)}, graph.KindValue, false},
		{"ifelse reading the new value", after, [][]*tensor.Array{{i8(1), x4, randomArray(rng, dtype.Float64, 4)}, {i8(0), x4, randomArray(rng, dtype.Float64, 3)}},
			[]*tensor.Array{i8(1), x4, randomArray(rng, dtype.Float64, 3)}, graph.KindValue, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w0 := randomArray(rng, dtype.Float64, 4)
			shared := map[*graph.Variable]*tensor.Array{w: w0}
			for _, args := range tc.good {
				checkCxxSpec(t, b, tc.spec, args, shared)
			}
			ref, err := compile.Compile(b, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			f, k := compileCxx(t, b, tc.spec)
			if f.InPlace[0] == tc.fresh {
				t.Fatalf("in place: %v, want %v\n%v\n%s", f.InPlace[0], !tc.fresh, f.Graph, k.Kernel.Source)
			}
			alias := native.CallOptions{Poison: 0xff, Alias: map[int]int{1: len(tc.spec.Inputs)}, FailAlloc: -1}
			if tc.fresh {
				alias.Alias = nil
			}
			for _, args := range tc.good {
				want, err := ref.Run(append(append([]*tensor.Array{}, args...), w0))
				if err != nil {
					t.Fatal(err)
				}
				wMem := w0.Clone()
				got, err := callNative(k, append(append([]*tensor.Array{}, args...), wMem), resultTypes(f.Graph), alias)
				if err != nil {
					t.Fatal(err)
				}
				compareResults(t, want, got, k)
				if !tc.fresh {
					compareResults(t, want[1:], []*tensor.Array{wMem}, k) // written in place
				}
			}
			wMem := w0.Clone()
			_, err = callNative(k, append(append([]*tensor.Array{}, tc.bad...), wMem), resultTypes(f.Graph), alias)
			if errorKind(err) != tc.wantError {
				t.Fatalf("want error kind %v from the region, got %v", tc.wantError, err)
			}
			compareResults(t, []*tensor.Array{w0}, []*tensor.Array{wMem}, k) // unchanged
		})
	}
}
