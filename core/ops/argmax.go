package ops

import (
	"fmt"
	"math"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// ArgReduce is argmax or argmin over some axes: the int64 position of the
// first largest (smallest) element, counted in C order within the reduced
// axes (over the flattened array when every axis is reduced, as numpy's
// axis=None). NaN counts as the extreme value, as in numpy.
//
//	argmax{axis=[1]}([[1, 5, 5], [7, 0, 2]]) -> [1, 0]
type ArgReduce struct {
	Min      bool
	Axes     graph.AxisSet
	KeepDims bool
}

func (op ArgReduce) Name() string {
	if op.Min {
		return "argmin"
	}
	return "argmax"
}

func (op ArgReduce) ParamString() string {
	return fmt.Sprintf("axis=%v keepdims=%v", op.Axes, op.KeepDims)
}

func (op ArgReduce) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("%s takes 1 input, got %d", op.Name(), len(in))
	}
	t := in[0]
	if t.DType.IsComplex() {
		return nil, graph.TypeErrorf("%s is not defined for complex input %v", op.Name(), t)
	}
	for _, a := range op.Axes.Axes() {
		if a >= t.Ndim() {
			return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v", op.Name(), a, t)
		}
		if t.Shape[a] == 0 {
			return nil, graph.ValueErrorf("%s: attempt to get %s of an empty sequence (dimension %d of %v)", op.Name(), op.Name(), a, t)
		}
	}
	return []graph.Type{graph.NewType(dtype.Int64, reducedShape(t.Shape, op.Axes, op.KeepDims)...)}, nil
}

// OutputShapes drops the reduced axes (or keeps them as 1 with keepdims).
func (op ArgReduce) OutputShapes(b *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{reducedLengths(NewLengths(b), in[0], op.Axes, op.KeepDims)}, nil
}

// Evaluate visits the input in C order, so within each output position the
// reduced positions come in increasing order and the first extreme wins.
func (op ArgReduce) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	outShape := reducedShape(x.Shape, op.Axes, op.KeepDims)
	n := tensor.Size(outShape)
	count := 1
	reduced := make([]int, len(x.Shape)) // the shape of the block of reduced axes
	for d, l := range x.Shape {
		reduced[d] = 1
		if op.Axes.Has(d) {
			reduced[d] = l
			count *= l
		}
	}
	if count == 0 && n > 0 {
		return nil, graph.ValueErrorf("%s: attempt to get %s of an empty sequence (shape %v)", op.Name(), op.Name(), x.Shape)
	}
	target := reduceTargets(x.Shape, op.Axes)
	strides := tensor.Strides(reduced)
	for d := range strides {
		if reduced[d] == 1 {
			strides[d] = 0
		}
	}
	within := stridedIndex(x.Shape, strides) // position inside the reduced block
	best := make([]int64, n)
	started := make([]bool, n)
	switch {
	case x.DType == dtype.Uint64: // compare above MaxInt64 correctly
		bits := x.Int64s()
		us := make([]uint64, len(bits))
		for i, v := range bits {
			us[i] = uint64(v)
		}
		argFold(us, target, within, best, started, op.Min, func(uint64) bool { return false })
	case x.DType.IsDiscrete():
		argFold(x.Int64s(), target, within, best, started, op.Min, func(int64) bool { return false })
	default:
		argFold(x.Float64s(), target, within, best, started, op.Min, math.IsNaN)
	}
	return []*tensor.Array{tensor.FromInt64s(dtype.Int64, outShape, best)}, nil
}

// argFold records, for each target, the within-position of the first
// extreme value; once a target holds a NaN it keeps it.
func argFold[T int64 | uint64 | float64](xs []T, target, within []int, best []int64, started []bool, isMin bool, isNaN func(T) bool) {
	val := make([]T, len(best))
	for i, x := range xs {
		t := target[i]
		better := !started[t]
		if !better && !isNaN(val[t]) {
			better = isNaN(x) || (isMin && x < val[t]) || (!isMin && x > val[t])
		}
		if better {
			val[t], best[t], started[t] = x, int64(within[i]), true
		}
	}
}

// Pullback: indices have no gradient.
func (op ArgReduce) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil}, nil
}

// ArgMax is the position of the first largest element over axes (nil:
// every axis, counted over the flattened array), numpy's argmax; with
// keepdims the reduced dimensions stay as length 1.
//
//	ops.ArgMax(b, m, []int{1}, false) // argmax{axis=[1] keepdims=false}: (2, 3) -> (2,)
func ArgMax(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return argReduce(b, false, x, axes, keepdims)
}

// ArgMin is the position of the first smallest element, as ArgMax.
func ArgMin(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return argReduce(b, true, x, axes, keepdims)
}

func argReduce(b *graph.Builder, isMin bool, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	name := ArgReduce{Min: isMin}.Name()
	if x == nil {
		return nil, graph.TypeErrorf("%s takes 1 input, got none", name)
	}
	set, err := NormalizeAxes(name, axes, x.Type)
	if err != nil {
		return nil, err
	}
	return b.Apply1(ArgReduce{Min: isMin, Axes: set, KeepDims: keepdims}, x)
}

// Lower is a call of the runtime's arg-reduction (tg_nnet.h) with the
// reduced axes as a bit set and whether it is argmin; it fails (before
// writing) on an empty selection, as Evaluate:
//
//	kernel argmax(in0: float64[2], out0: int64[1] contiguous)
//	  tg_argreduce(in0, 2, 0, out0)
func (op ArgReduce) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_argreduce", Header: "tg_nnet.h",
		Args: []kir.Arg{kir.ViewArg(0), kir.IntArg(int64(op.Axes)), kir.IntArg(boolInt(op.Min)), kir.ViewArg(1)}}), nil
}

// buildArgReduce reads {"axis": null | int | [ints], "keepdims": bool}.
func buildArgReduce(name string, f func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error)) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		axes, err := AxesParam(name, p, "axis")
		if err != nil {
			return nil, err
		}
		keep, err := p.Bool("keepdims", false)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		return f(b, inputs[0], axes, keep)
	}
}

func init() {
	for _, r := range []struct {
		name string
		f    func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error)
	}{{"argmax", ArgMax}, {"argmin", ArgMin}} {
		f := r.f
		at := func(axes []int, keep bool) func(*graph.Builder, []*graph.Variable) (*graph.Variable, error) {
			return func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) { return f(b, in[0], axes, keep) }
		}
		Register(Registration{Name: r.name, Op: ArgReduce{}, Build: buildArgReduce(r.name, f),
			Examples: []Example{
				{Inputs: types(graph.NewType(dtype.Float64, -1, 3)), Apply: at([]int{1}, false)},
				{Inputs: types(graph.NewType(dtype.Float32, 2, -1, 3)), Apply: at([]int{0, 2}, true)},
				{Inputs: types(graph.NewType(dtype.Int8, 4, 5)), Apply: at(nil, false)},
				{Inputs: types(graph.NewType(dtype.Bool, -1, 3)), Apply: at([]int{-1}, false)},
				{Inputs: types(graph.NewType(dtype.Uint16, 3, -1)), Apply: at([]int{0}, true)},
				{Inputs: types(graph.NewType(dtype.Float16, -1, -1)), Apply: at([]int{1}, false)}, // an empty row fails as the evaluator does
				{Inputs: types(graph.NewType(dtype.Int64, 6)), Apply: at([]int{0}, false)},
			}})
	}
}
