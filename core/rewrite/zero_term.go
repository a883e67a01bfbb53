package rewrite

import (
	"slices"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// dropZeroSign removes the gradient of a penalty with a zero coefficient
// from a sum that also holds the penalised variable: the tutorials' mlp.py
// writes cost = nll + 0.00*L1 + 0.0001*L2 with L1 = abs(W).sum(), whose
// gradient 0*sgn(W) sits beside 2e-4*W in W's update and kept the SGD step
// from becoming one gemm into W (four passes over W instead of one).
//
//	t + 0*sgn(x) -> t, when t is a sum (add, sub, neg) with a term ±a*x
//
// It is exact for every x except the sign of a zero: where x is NaN, both
// 0*sgn(x) and the term a*x are NaN (so t is); elsewhere sgn(x) is -1, 0
// or 1, and adding ±0 changes nothing but the sign of a zero sum. A float
// `x * 0` alone stays (it is NaN where x is infinite).
func dropZeroSign(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	_, name := ScalarNode(n.Outputs[0])
	if len(n.Inputs) != 2 || !n.Outputs[0].Type.DType.IsFloat() {
		return nil, nil
	}
	for k, zero := range n.Inputs {
		x := zeroTimesSign(zero)
		if x == nil {
			continue
		}
		t := n.Inputs[1-k]
		if !sumHasTerm(t, x, 8) || t.Type.DType != n.Outputs[0].Type.DType ||
			!slices.Equal(t.Type.Broadcastable(), n.Outputs[0].Type.Broadcastable()) {
			continue
		}
		if name == "sub" && k == 0 { // 0*sgn(x) - t = -t
			out, err := ops.Scalar(b, "neg", t)
			if err != nil {
				return nil, err
			}
			return one(out), nil
		}
		return one(t), nil
	}
	return nil, nil
}

// zeroTimesSign returns x when v is 0*sgn(x) (either order, the 0 a
// constant, possibly broadcast), or nil.
func zeroTimesSign(v *graph.Variable) *graph.Variable {
	n, name := ScalarNode(v)
	if name != "mul" || len(n.Inputs) != 2 {
		return nil
	}
	for k := range 2 {
		s, sname := ScalarNode(n.Inputs[1-k])
		if IsConstant(n.Inputs[k], 0) && sname == "sgn" {
			return s.Inputs[0]
		}
	}
	return nil
}

// sumHasTerm reports whether v, read as a tree of add, sub and neg nodes
// (at most depth deep), has a leaf ±(scalar factors)*x: a term that is
// NaN wherever x is, which makes the whole sum NaN there.
func sumHasTerm(v, x *graph.Variable, depth int) bool {
	if splitScale(v).v == x {
		return true
	}
	n, name := ScalarNode(v)
	if depth == 0 || (name != "add" && name != "sub" && name != "neg") {
		return false
	}
	for _, in := range n.Inputs {
		if sumHasTerm(in, x, depth-1) {
			return true
		}
	}
	return false
}
