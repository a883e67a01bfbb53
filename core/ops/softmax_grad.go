package ops

import (
	"slices"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// SoftmaxGradOp is the pullback of softmax as one node: with gz the gradient
// of the output and s = softmax(x), it computes (gz - Σ gz·s) · s, sums along
// the last axis. Softmax's pullback builds it so that the stabilize pass can
// recognise the gradient of log(softmax(x)) (gz = g / s) and rewrite it to
// g - s · Σ g, which stays finite where s underflows to 0.
//
//	softmax_grad([1, 0], [0.5, 0.5]) -> [0.25, -0.25]
type SoftmaxGradOp struct{}

func (op SoftmaxGradOp) Name() string { return "softmax_grad" }

// OutputTypes: the inputs are (gz, s) of one dtype and rank; the result has s's type.
func (op SoftmaxGradOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 2 {
		return nil, graph.TypeErrorf("softmax_grad takes 2 inputs (gz, softmax), got %d", len(in))
	}
	gz, s := in[0], in[1]
	if s.Ndim() < 1 || s.Ndim() > 2 || !s.DType.IsFloat() || gz.DType != s.DType || gz.Ndim() != s.Ndim() {
		return nil, graph.TypeErrorf("softmax_grad: gz and softmax must be float vectors or matrices of one dtype, got %s", TypesString(in))
	}
	return []graph.Type{s}, nil
}

// OutputShapes: the softmax's shape.
func (op SoftmaxGradOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[1]}, nil
}

// Evaluate computes each row in float64.
func (op SoftmaxGradOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	gz, s := in[0], in[1]
	if !slices.Equal(gz.Shape, s.Shape) {
		return nil, graph.ValueErrorf("softmax_grad: gz of shape %v for a softmax of shape %v", gz.Shape, s.Shape)
	}
	g, p := gz.Float64s(), s.Float64s()
	n := s.Shape[s.Ndim()-1]
	out := make([]float64, len(p))
	for start := 0; start+n <= len(p) && n > 0; start += n {
		dot := 0.0
		for i := start; i < start+n; i++ {
			dot += g[i] * p[i]
		}
		for i := start; i < start+n; i++ {
			out[i] = (g[i] - dot) * p[i]
		}
	}
	return []*tensor.Array{tensor.FromFloat64s(s.DType, s.Shape, out)}, nil
}

// Pullback, with out = (gz - Σ gz·s)·s and gout its gradient:
// d gz = softmax_grad(gout, s);  d s = gout·(gz - Σ gz·s) - gz·Σ gout·s.
func (op SoftmaxGradOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	gz, s, gout := node.Inputs[0], node.Inputs[1], gouts[0]
	if gout == nil {
		return []*graph.Variable{nil, nil}, nil
	}
	e := NewExpr(b)
	gout = e.Cast(gout, s.Type.DType)
	last := []int{s.Type.Ndim() - 1}
	dgz := e.Apply(op, gout, s)
	ds := e.Sub(e.Mul(gout, e.Sub(gz, e.Sum(e.Mul(gz, s), last, true))), e.Mul(gz, e.Sum(e.Mul(gout, s), last, true)))
	return []*graph.Variable{dgz, ds}, e.Err
}

// SoftmaxGrad is (gz - Σ gz·s)·s along the last axis: softmax's pullback
// for the gradient gz of s = softmax(x).
func SoftmaxGrad(b *graph.Builder, gz, s *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(SoftmaxGradOp{}, gz, s)
}

// Lower is a call of the runtime's softmax gradient (tg_nnet.h),
// (gz - sum(gz * s, last axis)) * s row by row, as Evaluate:
//
//	kernel softmax_grad(in0: float64[2], in1: float64[2], out0: float64[2] contiguous)
//	  tg_softmax_grad(in0, in1, out0)
func (op SoftmaxGradOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_softmax_grad", Header: "tg_nnet.h", Args: viewArgs(0, 2)}), nil
}

// softmax_grad is built by softmax's gradient only: no Build.
func init() {
	apply := func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
		return SoftmaxGrad(b, in[0], in[1])
	}
	Register(Registration{Name: "softmax_grad", Op: SoftmaxGradOp{},
		Examples: []Example{
			{Inputs: types(graph.NewType(dtype.Float64, 3, 4), graph.NewType(dtype.Float64, 3, 4)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Float32, 2, 5), graph.NewType(dtype.Float32, 2, 5)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Float64, 4), graph.NewType(dtype.Float64, 4)), Apply: apply},
		}})
}
