package ops

import (
	"fmt"
	"math"
	"sort"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// Reduce folds its input over some axes with one of the reductions in
// reductionTable: sum prod max min mean.
//
//	sum{axis=[1],keepdims=false}(matrix (3, 4)) -> vector (3,)
type Reduce struct {
	Kind     *Reduction // a row of reductionTable: pointer equality is row identity
	Axes     graph.AxisSet
	KeepDims bool
}

// Reduction is one row of the reduction table: a row of the scalar op table
// that combines the accumulator with each element, and the accumulator's
// starting value. Evaluation and code generation fold the same way:
//
//	acc = identity; for each x: acc = Scalar(acc, x)
type Reduction struct {
	Name string
	// Scalar combines: add for sum and mean, mul for prod, maximum, minimum.
	Scalar *ScalarOp
	// Identity is the starting value e, with Scalar(e, x) == x for every x.
	Identity Identity
	// Out gives the output (and accumulator) dtype from the input dtype.
	Out func(dtype.DType) dtype.DType
	// Mean divides the folded value by the number of elements folded.
	Mean bool
	// NonEmpty rejects folding no elements, as numpy does for max and min
	// (their identity, an infinity or an integer extreme, is no answer).
	NonEmpty bool
}

// Identity names a reduction's starting value; its value depends on the
// dtype the reduction computes in.
type Identity int

const (
	IdentityZero    Identity = iota // 0: x + 0 == x
	IdentityOne                     // 1: x * 1 == x
	IdentityLowest                  // -inf, or the smallest int64: max(lowest, x) == x
	IdentityHighest                 // +inf, or the largest int64: min(highest, x) == x
)

// Float64 is the identity in the float domain.
func (id Identity) Float64() float64 {
	return [...]float64{0, 1, math.Inf(-1), math.Inf(1)}[id]
}

// Int64 is the identity in the integer domain (integers compute in int64).
func (id Identity) Int64() int64 {
	return [...]int64{0, 1, math.MinInt64, math.MaxInt64}[id]
}

// Complex128 is the identity in the complex domain.
func (id Identity) Complex128() complex128 { return complex(id.Float64(), 0) }

// C is the identity as a C++ expression of compute type ctype, using
// tg_scalar.h: IdentityLowest.C("float") == "tg_lowest<float>()".
func (id Identity) C(ctype string) string {
	return [...]string{ctype + "(0)", ctype + "(1)", "tg_lowest<" + ctype + ">()", "tg_highest<" + ctype + ">()"}[id]
}

// accumulatorType follows numpy: sums and products of bools and small
// integers accumulate in the platform integer, unsigned in uint64.
func accumulatorType(d dtype.DType) dtype.DType {
	switch d.Kind() {
	case dtype.KindBool, dtype.KindInt:
		return dtype.Int64
	case dtype.KindUint:
		return dtype.Uint64
	}
	return d
}

func sameType(d dtype.DType) dtype.DType { return d }

// meanType: numpy's mean of integers is float64.
func meanType(d dtype.DType) dtype.DType {
	if d.IsDiscrete() {
		return dtype.Float64
	}
	return d
}

// reductionTable lists the reductions Reduce knows.
var reductionTable = map[string]*Reduction{
	"sum":  {Name: "sum", Scalar: ScalarByName("add"), Identity: IdentityZero, Out: accumulatorType},                 // Σ x
	"prod": {Name: "prod", Scalar: ScalarByName("mul"), Identity: IdentityOne, Out: accumulatorType},                 // Π x
	"max":  {Name: "max", Scalar: ScalarByName("maximum"), Identity: IdentityLowest, Out: sameType, NonEmpty: true},  // max x (NaN propagates)
	"min":  {Name: "min", Scalar: ScalarByName("minimum"), Identity: IdentityHighest, Out: sameType, NonEmpty: true}, // min x (NaN propagates)
	"mean": {Name: "mean", Scalar: ScalarByName("add"), Identity: IdentityZero, Out: meanType, Mean: true},           // Σ x / n
}

// Reductions lists the reduction table's rows, sorted by name.
func Reductions() []*Reduction {
	names := make([]string, 0, len(reductionTable))
	for n := range reductionTable {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*Reduction, len(names))
	for i, n := range names {
		out[i] = reductionTable[n]
	}
	return out
}

// ComputeDType is the dtype a reduction to output dtype out folds in: the
// compute dtype of its scalar row applied to two accumulators.
func (r *Reduction) ComputeDType(out dtype.DType) dtype.DType {
	return r.Scalar.ComputeDType([]dtype.DType{out, out})
}

func (op Reduce) Name() string { return op.Kind.Name }

func (op Reduce) ParamString() string {
	return fmt.Sprintf("axis=%v keepdims=%v", op.Axes, op.KeepDims)
}

func (op Reduce) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("%s takes 1 input, got %d", op.Kind.Name, len(in))
	}
	t := in[0]
	if t.DType.IsComplex() && op.Kind.Scalar.C128 == nil {
		return nil, graph.TypeErrorf("%s is not defined for complex input %v", op.Kind.Name, t)
	}
	for _, a := range op.Axes.Axes() {
		if a >= t.Ndim() {
			return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v", op.Kind.Name, a, t)
		}
		if op.Kind.NonEmpty && t.Shape[a] == 0 {
			return nil, graph.ValueErrorf("%s: zero-size dimension %d of %v has no maximum or minimum", op.Kind.Name, a, t)
		}
	}
	return []graph.Type{graph.NewType(op.Kind.Out(t.DType), reducedShape(t.Shape, op.Axes, op.KeepDims)...)}, nil
}

// reducedShape removes the reduced axes (or sets them to 1 with keepdims).
func reducedShape(shape []int, axes graph.AxisSet, keepdims bool) []int {
	out := []int{}
	for d, n := range shape {
		if axes.Has(d) {
			if keepdims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, n)
	}
	return out
}

// Evaluate accumulates every input element into its output position.
func (op Reduce) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	k := op.Kind
	outShape := reducedShape(x.Shape, op.Axes, op.KeepDims)
	outDT := node.Outputs[0].Type.DType
	target := reduceTargets(x.Shape, op.Axes)
	n := tensor.Size(outShape)
	count, err := reducedCount(k, x.Shape, op.Axes, n)
	if err != nil {
		return nil, err
	}
	compute := k.ComputeDType(outDT)
	switch {
	case compute.IsComplex():
		acc := foldInto(n, target, x.Complex128s(), k.Identity.Complex128(), k.Scalar.C128)
		if k.Mean {
			for i := range acc {
				acc[i] /= complex(float64(count), 0)
			}
		}
		return []*tensor.Array{tensor.FromComplex128s(outDT, outShape, acc)}, nil
	case compute == dtype.Int64:
		acc := foldInto(n, target, x.Int64s(), k.Identity.Int64(), k.Scalar.I64)
		return []*tensor.Array{tensor.FromInt64s(outDT, outShape, acc)}, nil
	default:
		acc := foldInto(n, target, x.ReadFloat64s(), k.Identity.Float64(), k.Scalar.F64)
		if k.Mean {
			for i := range acc {
				acc[i] /= float64(count)
			}
		}
		return []*tensor.Array{tensor.FromFloat64s(outDT, outShape, acc)}, nil
	}
}

// reduceTargets gives, for every input position, the output position it
// reduces into.
func reduceTargets(shape []int, axes graph.AxisSet) []int {
	kept := make([]int, 0, len(shape))
	for d, n := range shape {
		if !axes.Has(d) {
			kept = append(kept, n)
		}
	}
	keptStrides := tensor.Strides(kept)
	strides := make([]int, len(shape))
	j := 0
	for d := range shape {
		if !axes.Has(d) {
			strides[d] = keptStrides[j]
			j++
		}
	}
	return stridedIndex(shape, strides)
}

// foldInto folds xs into n accumulators that start at identity, combining
// with the scalar row's function: acc[target[i]] = combine(acc, xs[i]).
func foldInto[T any](n int, target []int, xs []T, identity T, combine func(acc, x, _ T) T) []T {
	acc := make([]T, n)
	for i := range acc {
		acc[i] = identity
	}
	var zero T
	for i, x := range xs {
		t := target[i]
		acc[t] = combine(acc[t], x, zero)
	}
	return acc
}

// Pullback: sum and mean spread the gradient over the reduced axes (mean
// divides by the count); max and min split it evenly among the elements
// equal to the result; prod multiplies by the product of the other elements
// (prodGrad, exact with zeros).
func (op Reduce) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, z, gz := node.Inputs[0], node.Outputs[0], gouts[0]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	expand := func(v *graph.Variable) *graph.Variable { // put back the reduced axes as length 1
		if op.KeepDims || v == nil {
			return v
		}
		pattern := make([]int, 0, x.Type.Ndim())
		j := 0
		for d := 0; d < x.Type.Ndim(); d++ {
			if op.Axes.Has(d) {
				pattern = append(pattern, Broadcast)
			} else {
				pattern = append(pattern, j)
				j++
			}
		}
		return e.DimShuffle(v, pattern)
	}
	g := e.Second(x, expand(e.Cast(gz, x.Type.DType)))
	switch op.Kind {
	case reductionTable["mean"]:
		count := e.Apply(ReducedCount{Axes: op.Axes}, x)
		g = e.Div(g, count)
	case reductionTable["max"], reductionTable["min"]:
		// gz split evenly among the entries equal to the extremum: the
		// shares of tied entries add up to exactly gz (see tieSplitGrad)
		at := e.Cast(e.Call("eq", x, expand(z)), x.Type.DType)
		ties := e.Sum(at, op.Axes.Axes(), true)
		ties = e.Call("maximum", ties, e.Const(1, ties)) // 0 only where the result is NaN
		g = e.Mul(g, e.Div(at, ties))
	case reductionTable["prod"]:
		g = e.Mul(g, prodGrad(e, x, expand(z), op.Axes))
	}
	return []*graph.Variable{g}, e.Err
}

// prodGrad is ∂Πx/∂xᵢ for the product z over axes (z with the reduced axes
// put back as length 1), exact where x has zeros:
//
//	no zero in the product:  z / xᵢ                 (as accurate as the product)
//	one zero:                Π of the others at it, 0 elsewhere
//	two or more zeros:       0 everywhere
//
// from the zero count and the product of the non-zero entries over the same
// axes; no intermediate divides by zero.
func prodGrad(e *Expr, x, z *graph.Variable, axes graph.AxisSet) *graph.Variable {
	isZero := e.Call("eq", x, e.Const(0, x))
	zeros := e.Sum(isZero, axes.Axes(), true)             // int64 count per product
	nonZero := e.Call("switch", isZero, e.Const(1, x), x) // x with its zeros as 1
	others := e.Apply(Reduce{Kind: reductionTable["prod"], Axes: axes, KeepDims: true}, nonZero)
	zero := e.Const(0, x)
	atZero := e.Call("switch", e.Call("eq", zeros, e.Const(1, zeros)), others, zero)
	atOther := e.Call("switch", e.Call("eq", zeros, e.Const(0, zeros)), e.Div(e.Cast(z, x.Type.DType), nonZero), zero)
	return e.Call("switch", isZero, atZero, atOther)
}

// ReducedCount is the number of elements a reduction over Axes folds into
// each output, as a scalar of the input's dtype: the divisor of mean's gradient.
type ReducedCount struct {
	Axes graph.AxisSet
}

func (op ReducedCount) Name() string        { return "reduced_count" }
func (op ReducedCount) ParamString() string { return fmt.Sprintf("axis=%v", op.Axes) }

func (op ReducedCount) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	return []graph.Type{graph.NewType(in[0].DType)}, nil
}

func (op ReducedCount) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	n := 1
	for _, a := range op.Axes.Axes() {
		n *= in[0].Shape[a]
	}
	return []*tensor.Array{tensor.Scalar(node.Outputs[0].Type.DType, float64(n))}, nil
}

// Pullback: a count depends on the input's shape only, not its values.
func (op ReducedCount) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil}, nil
}

// NormalizeAxes turns the user's axes into the set of axes for a rank-ndim
// input: negative axes count from the end, and nil means every axis
// (numpy's axis=None). An axis out of bounds or given twice is a ValueError
// naming op.
//
//	NormalizeAxes("sum", []int{-1}, matrix) == NewAxisSet(1)
func NormalizeAxes(op string, axes []int, t graph.Type) (graph.AxisSet, error) {
	ndim := t.Ndim()
	if ndim > graph.MaxAxes {
		return 0, graph.ValueErrorf("%s: %v has more than %d dimensions", op, t, graph.MaxAxes)
	}
	if axes == nil {
		all := make([]int, ndim)
		for i := range all {
			all[i] = i
		}
		return graph.NewAxisSet(all...), nil
	}
	var out graph.AxisSet
	for _, a := range axes {
		if a < -ndim || a >= ndim {
			return 0, graph.ValueErrorf("%s: axis %d is out of bounds for %v (rank %d)", op, a, t, ndim)
		}
		if a < 0 {
			a += ndim
		}
		if out.Has(a) {
			return 0, graph.ValueErrorf("%s: duplicate axis %d", op, a)
		}
		out |= graph.NewAxisSet(a)
	}
	return out, nil
}

// Sum is x summed over axes (nil: every axis; an empty, non-nil slice: none),
// keeping each reduced dimension as length 1 when keepdims; numpy's
// x.sum(axis, keepdims=keepdims). Negative axes count from the end.
//
//	ops.Sum(b, m, []int{0}, false) // sum{axis=[0] keepdims=false}: (3, 4) -> (4,)
func Sum(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return reduceBy(b, reductionTable["sum"], x, axes, keepdims)
}

// Prod is the product over axes, as Sum takes them.
func Prod(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return reduceBy(b, reductionTable["prod"], x, axes, keepdims)
}

// Max is the maximum over axes, as Sum takes them.
func Max(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return reduceBy(b, reductionTable["max"], x, axes, keepdims)
}

// Min is the minimum over axes, as Sum takes them.
func Min(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return reduceBy(b, reductionTable["min"], x, axes, keepdims)
}

// Mean is the mean over axes, as Sum takes them.
func Mean(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return reduceBy(b, reductionTable["mean"], x, axes, keepdims)
}

// reduceBy normalizes the axes and applies the reduction r.
func reduceBy(b *graph.Builder, r *Reduction, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("%s takes 1 input, got none", r.Name)
	}
	set, err := NormalizeAxes(r.Name, axes, x.Type)
	if err != nil {
		return nil, err
	}
	return b.Apply1(Reduce{Kind: r, Axes: set, KeepDims: keepdims}, x)
}

// OutputShapes drops the reduced axes (or keeps them as 1 with keepdims).
func (op Reduce) OutputShapes(b *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{reducedLengths(NewLengths(b), in[0], op.Axes, op.KeepDims)}, nil
}

// OutputShapes: the count is a scalar.
func (op ReducedCount) OutputShapes(_ *graph.Builder, _ *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{}}, nil
}

// reducedCount is how many input elements fold into each of the n output
// elements, or the error numpy raises when a reduction without identity
// (max, min) would fold none.
func reducedCount(k *Reduction, shape []int, axes graph.AxisSet, n int) (int, error) {
	count := 1
	for _, a := range axes.Axes() {
		count *= shape[a]
	}
	if k.NonEmpty && count == 0 && n > 0 {
		return 0, graph.ValueErrorf("%s: zero-size array to reduction operation %s which has no identity", k.Name, k.Name)
	}
	return count, nil
}

// Const is the identity as a constant of dtype dt (the IR's form): the
// extremes of max and min are the dtype's own for integers (int8: -128).
func (id Identity) Const(dt dtype.DType) kir.Const {
	switch {
	case dt.IsComplex():
		return kir.ComplexConst(dt, id.Complex128())
	case dt.IsFloat():
		return kir.FloatConst(dt, id.Float64())
	case dt == dtype.Uint64 && id == IdentityHighest:
		return kir.Uint64Const(math.MaxUint64)
	case id == IdentityLowest:
		return kir.IntConst(dt, intExtremes[dt][0])
	case id == IdentityHighest:
		return kir.IntConst(dt, intExtremes[dt][1])
	}
	return kir.IntConst(dt, id.Int64())
}

// intExtremes are the smallest and largest values of the bool and integer
// dtypes (uint64's largest is not an int64: Identity.Const handles it).
var intExtremes = map[dtype.DType][2]int64{
	dtype.Bool: {0, 1}, dtype.Int8: {math.MinInt8, math.MaxInt8}, dtype.Int16: {math.MinInt16, math.MaxInt16},
	dtype.Int32: {math.MinInt32, math.MaxInt32}, dtype.Int64: {math.MinInt64, math.MaxInt64},
	dtype.Uint8: {0, math.MaxUint8}, dtype.Uint16: {0, math.MaxUint16}, dtype.Uint32: {0, math.MaxUint32},
	dtype.Uint64: {0, 0},
}
