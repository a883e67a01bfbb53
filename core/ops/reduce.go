package ops

import (
	"fmt"
	"math"
	"sort"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Reduce folds its input over some axes with one of the reductions in
// reductionTable: sum prod max min mean.
//
//	sum{axis=[1],keepdims=false}(matrix (3, 4)) -> vector (3,)
type Reduce struct {
	Kind     *Reduction
	Axes     []int // sorted, non-negative
	KeepDims bool
}

// Reduction is one row of the reduction table.
type Reduction struct {
	Name string
	// Identity is the starting value; NaN means the reduction has none and
	// rejects empty inputs (max, min).
	Identity float64
	// Out gives the output dtype from the input dtype.
	Out func(dtype.DType) dtype.DType
	// Complex reports whether complex inputs are allowed.
	Complex bool
	// Combine folds one value into the accumulator, per domain.
	F64  func(acc, x float64) float64
	I64  func(acc, x int64) int64
	C128 func(acc, x complex128) complex128
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
	"sum": {Name: "sum", Identity: 0, Out: accumulatorType, Complex: true, // Σ x
		F64:  func(a, x float64) float64 { return a + x },
		I64:  func(a, x int64) int64 { return a + x },
		C128: func(a, x complex128) complex128 { return a + x }},
	"prod": {Name: "prod", Identity: 1, Out: accumulatorType, Complex: true, // Π x
		F64:  func(a, x float64) float64 { return a * x },
		I64:  func(a, x int64) int64 { return a * x },
		C128: func(a, x complex128) complex128 { return a * x }},
	"max": {Name: "max", Identity: math.NaN(), Out: sameType, // max x (NaN propagates)
		F64: func(a, x float64) float64 {
			if x > a || math.IsNaN(x) {
				return x
			}
			return a
		},
		I64: func(a, x int64) int64 { return max(a, x) }},
	"min": {Name: "min", Identity: math.NaN(), Out: sameType, // min x (NaN propagates)
		F64: func(a, x float64) float64 {
			if x < a || math.IsNaN(x) {
				return x
			}
			return a
		},
		I64: func(a, x int64) int64 { return min(a, x) }},
	"mean": {Name: "mean", Identity: 0, Out: meanType, Complex: true, // Σ x / n
		F64:  func(a, x float64) float64 { return a + x },
		C128: func(a, x complex128) complex128 { return a + x }},
}

func (op *Reduce) Name() string { return op.Kind.Name }

func (op *Reduce) Params() string {
	return fmt.Sprintf("axis=%v keepdims=%v", op.Axes, op.KeepDims)
}

func (op *Reduce) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) != 1 {
		return nil, graph.TypeErrorf("%s takes 1 input, got %d", op.Kind.Name, len(in))
	}
	t := in[0]
	if t.DType.IsComplex() && !op.Kind.Complex {
		return nil, graph.TypeErrorf("%s is not defined for complex input %v", op.Kind.Name, t)
	}
	for _, a := range op.Axes {
		if a >= t.Ndim() {
			return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v", op.Kind.Name, a, t)
		}
		if (op.Kind.Name == "max" || op.Kind.Name == "min") && t.Shape[a] == 0 {
			return nil, graph.ValueErrorf("%s: zero-size dimension %d of %v has no maximum or minimum", op.Kind.Name, a, t)
		}
	}
	return []graph.Type{graph.NewType(op.Kind.Out(t.DType), reducedShape(t.Shape, op.Axes, op.KeepDims)...)}, nil
}

// reducedShape removes the reduced axes (or sets them to 1 with keepdims).
func reducedShape(shape, axes []int, keepdims bool) []int {
	out := []int{}
	for d, n := range shape {
		if containsInt(axes, d) {
			if keepdims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, n)
	}
	return out
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

func (op *Reduce) InferShape(_ *graph.Apply, shapes [][]int) ([][]int, error) {
	return [][]int{reducedShape(shapes[0], op.Axes, op.KeepDims)}, nil
}

// Evaluate accumulates every input element into its output position.
func (op *Reduce) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	k := op.Kind
	outShape := reducedShape(x.Shape, op.Axes, op.KeepDims)
	outDT := node.Outputs[0].Type.DType
	target := reduceTargets(x.Shape, op.Axes)
	n := tensor.Size(outShape)
	count := 1
	for _, a := range op.Axes {
		count *= x.Shape[a]
	}
	noIdentity := math.IsNaN(k.Identity)
	if noIdentity && count == 0 && n > 0 {
		return nil, graph.ValueErrorf("%s: zero-size array to reduction operation %s which has no identity", k.Name, k.Name)
	}
	switch {
	case x.DType.IsComplex() || outDT.IsComplex():
		acc := foldInto(n, target, x.Complex128s(), complex(k.Identity, 0), noIdentity, k.C128)
		if k.Name == "mean" {
			for i := range acc {
				acc[i] /= complex(float64(count), 0)
			}
		}
		return []*tensor.Array{tensor.FromComplex128s(outDT, outShape, acc)}, nil
	case x.DType.IsDiscrete() && k.I64 != nil:
		acc := foldInto(n, target, x.Int64s(), int64(k.Identity), noIdentity, k.I64)
		return []*tensor.Array{tensor.FromInt64s(outDT, outShape, acc)}, nil
	default:
		acc := foldInto(n, target, x.ReadFloat64s(), k.Identity, noIdentity, k.F64)
		if k.Name == "mean" {
			for i := range acc {
				acc[i] /= float64(count)
			}
		}
		return []*tensor.Array{tensor.FromFloat64s(outDT, outShape, acc)}, nil
	}
}

// reduceTargets gives, for every input position, the output position it
// reduces into.
func reduceTargets(shape, axes []int) []int {
	kept := make([]int, 0, len(shape))
	for d, n := range shape {
		if !containsInt(axes, d) {
			kept = append(kept, n)
		}
	}
	keptStrides := tensor.Strides(kept)
	strides := make([]int, len(shape))
	j := 0
	for d := range shape {
		if !containsInt(axes, d) {
			strides[d] = keptStrides[j]
			j++
		}
	}
	return stridedIndex(shape, strides)
}

// foldInto folds xs into n accumulators; with noIdentity (max, min) each
// accumulator starts at its first element instead of identity. (The flag
// is explicit: int64(NaN), the identity max and min pass for integers, is
// not a NaN and not a usable start.)
func foldInto[T any](n int, target []int, xs []T, identity T, noIdentity bool, combine func(T, T) T) []T {
	acc := make([]T, n)
	started := make([]bool, n)
	for i := range acc {
		acc[i] = identity
	}
	for i, x := range xs {
		t := target[i]
		if noIdentity && !started[t] {
			acc[t], started[t] = x, true
			continue
		}
		acc[t] = combine(acc[t], x)
	}
	return acc
}

// Pullback: sum and mean spread the gradient over the reduced axes (mean
// divides by the count); max and min send it to the elements equal to the
// result; prod multiplies by the product of the other elements.
func (op *Reduce) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
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
			if containsInt(op.Axes, d) {
				pattern = append(pattern, Broadcast)
			} else {
				pattern = append(pattern, j)
				j++
			}
		}
		return e.DimShuffle(v, pattern)
	}
	g := e.Second(x, expand(e.Cast(gz, x.Type.DType)))
	switch op.Kind.Name {
	case "mean":
		count := e.Apply(&ReducedCount{Axes: op.Axes}, x)
		g = e.Div(g, count)
	case "max", "min":
		// gz where x equals the extremum (every tie gets it, as Theano)
		g = e.Mul(g, e.Cast(e.Call("eq", x, expand(z)), x.Type.DType))
	case "prod":
		// ∂Πx/∂xᵢ = Πx / xᵢ (not defined where xᵢ = 0)
		g = e.Mul(g, e.Div(expand(e.Cast(z, x.Type.DType)), x))
	}
	return []*graph.Variable{g}, e.Err
}

// ReducedCount is the number of elements a reduction over Axes folds into
// each output, as a scalar of the input's dtype: the divisor of mean's gradient.
type ReducedCount struct {
	Axes []int
}

func (op *ReducedCount) Name() string   { return "reduced_count" }
func (op *ReducedCount) Params() string { return fmt.Sprintf("axis=%v", op.Axes) }

func (op *ReducedCount) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	return []graph.Type{graph.NewType(in[0].DType)}, nil
}

func (op *ReducedCount) InferShape(_ *graph.Apply, _ [][]int) ([][]int, error) {
	return [][]int{{}}, nil
}

func (op *ReducedCount) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	n := 1
	for _, a := range op.Axes {
		n *= in[0].Shape[a]
	}
	return []*tensor.Array{tensor.Scalar(node.Outputs[0].Type.DType, float64(n))}, nil
}

// NormalizeAxes turns the user's axes (negative counts from the end; nil
// means all) into sorted, non-negative, unique axes for a rank-ndim input.
func NormalizeAxes(op string, axes []int, all bool, t graph.Type) ([]int, error) {
	ndim := t.Ndim()
	if all {
		out := make([]int, ndim)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		if a < -ndim || a >= ndim {
			return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v (rank %d)", op, a, t, ndim)
		}
		if a < 0 {
			a += ndim
		}
		if containsInt(out, a) {
			return nil, graph.ValueErrorf("%s: duplicate axis %d", op, a)
		}
		out = append(out, a)
	}
	sort.Ints(out)
	return out, nil
}

// buildReduce reads {"axis": null | int | [ints], "keepdims": bool}.
func buildReduce(kind string) Constructor {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := checkArity(kind, inputs, 1); err != nil {
			return nil, err
		}
		axes, given, err := p.Ints("axis")
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", kind, err)
		}
		keep, err := p.Bool("keepdims", false)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", kind, err)
		}
		norm, err := NormalizeAxes(kind, axes, !given, inputs[0].Type)
		if err != nil {
			return nil, err
		}
		return b.Apply1(&Reduce{Kind: reductionTable[kind], Axes: norm, KeepDims: keep}, inputs[0])
	}
}

// reduceConstructors is the reduction family's row in the Build registry.
var reduceConstructors = map[string]Constructor{
	"sum":  buildReduce("sum"),
	"prod": buildReduce("prod"),
	"max":  buildReduce("max"),
	"min":  buildReduce("min"),
	"mean": buildReduce("mean"),
}
