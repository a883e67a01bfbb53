package ops

import (
	"fmt"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
)

// Reduce and FusedReduceOp lower to one kir.Kernel with a Reduce body
// over the (mapped) input's index space. The accumulator has the dtype
// the evaluator folds in (float64 for every real float, int64 for bools
// and integers, complex128 for complex: accumulatorDType), each element
// is converted to it, and the fold policy is the one DESIGN.md decision 13
// allows: pairwise for sums and means of real floats, sequential (the
// evaluator's order, bit for bit) for every other fold. For
// T.sum(x, axis=1) of a float32 matrix:
//
//	kernel sum(in0: float32[2], out0: float32[1] contiguous)
//	for i0<n0=in0.shape[0], i1<n1=in0.shape[1]:
//	  reduce axes [1] from 0 (pairwise): acc = acc + cast{float64}(in0[i0,i1])
//	  out0[kept axes] = cast{float32}(acc)

// Lower folds the input.
func (op Reduce) Lower(node *graph.Apply) (*kir.Kernel, error) {
	x := node.Inputs[0].Type
	return reduceKernel(op.Kind, op.Axes, node, x.Ndim(), kir.Input(0, x.DType))
}

// Lower folds the fused map without storing it.
func (op FusedReduceOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	r, err := op.reduce()
	if err != nil {
		return nil, err
	}
	if op.Expr == nil || op.Expr.NumInputs() > len(node.Inputs) {
		return nil, fmt.Errorf("composite_reduce: an expression that does not fit the node's %d inputs", len(node.Inputs))
	}
	if len(node.Inputs) == 0 {
		return nil, fmt.Errorf("composite_reduce of a map of no inputs (constant folding computes it)")
	}
	return reduceKernel(r.Kind, op.Axes, node, op.Ndim, op.Expr)
}

// accumulatorDType is the dtype reduction k to output dtype out folds in:
// Reduce.Evaluate's domain.
func accumulatorDType(k *Reduction, out dtype.DType) dtype.DType {
	switch compute := k.ComputeDType(out); {
	case compute.IsComplex():
		return dtype.Complex128
	case compute == dtype.Int64:
		return dtype.Int64
	}
	return dtype.Float64
}

// reduceKernel folds element (an expression of node's inputs, Input(i)
// for input i) over axes of a space of rank r: inputs of lower rank are
// padded on the left, and one-element constant inputs are literals.
func reduceKernel(k *Reduction, axes graph.AxisSet, node *graph.Apply, r int, element *kir.Expr) (*kir.Kernel, error) {
	out := node.Outputs[0].Type
	acc := accumulatorDType(k, out.DType)
	// the element reads input i as the step's Input(1+i)
	element, err := kir.Substitute(element, func(i int) *kir.Expr {
		if c, ok := constantOperand(node.Inputs[i]); ok {
			return kir.Constant(c)
		}
		return kir.Input(1+i, node.Inputs[i].Type.DType)
	})
	if err != nil {
		return nil, err
	}
	mapped := element.DType()
	if mapped != acc {
		element = kir.Cast(element, acc)
	}
	step, err := kir.Apply(k.Scalar, kir.Input(0, acc), element)
	if err != nil {
		return nil, err
	}
	fold := kir.Sequential
	if acc == dtype.Float64 && k.Scalar.Name == "add" && mapped.IsFloat() {
		fold = kir.Pairwise
	}
	kern := &kir.Kernel{Name: k.Name, Extents: make([]kir.Extent, r),
		Outputs: []kir.Operand{{DType: out.DType, Rank: out.Ndim(), Layout: kir.Contiguous}},
		Body: &kir.Reduce{Axes: axes.Axes(), Identity: k.Identity.Const(acc), Step: step, Fold: fold,
			Mean: k.Mean, NonEmpty: k.NonEmpty}}
	for _, in := range node.Inputs {
		if in.Type.Ndim() > r {
			return nil, fmt.Errorf("%s: an input of rank %d in a space of rank %d", k.Name, in.Type.Ndim(), r)
		}
		kern.Inputs = append(kern.Inputs, kir.Operand{DType: in.Type.DType, Rank: r, Broadcast: broadcastPattern(in.Type, r)})
	}
	// each axis's length is that of the first input that runs along it
	// (input 0 when every input is statically 1 there)
	for d := range kern.Extents {
		kern.Extents[d] = kir.Extent{Operand: 0, Axis: d}
		for i, in := range kern.Inputs {
			if !in.Broadcasts(d) {
				kern.Extents[d].Operand = i
				break
			}
		}
	}
	return kern, nil
}
