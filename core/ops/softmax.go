package ops

import (
	"math"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// Softmax is exp(x) / Σ exp(x) along the last axis of a matrix (each row) or
// a vector, computed stably by subtracting the row maximum first; with Log
// it is log(softmax(x)) = x - max - log Σ exp(x - max).
//
//	softmax([[1, 1], [0, ln 3]]) -> [[0.5, 0.5], [0.25, 0.75]]
type SoftmaxOp struct {
	Log bool
}

func (op SoftmaxOp) Name() string {
	if op.Log {
		return "logsoftmax"
	}
	return "softmax"
}

func (op SoftmaxOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("%s takes 1 input, got %d", op.Name(), len(in))
	}
	x := in[0]
	if x.Ndim() < 1 || x.Ndim() > 2 {
		return nil, graph.TypeErrorf("%s: input must be a matrix or a vector, got %v", op.Name(), x)
	}
	if !x.DType.IsFloat() {
		return nil, graph.TypeErrorf("%s: input must be real floating point, got %v", op.Name(), x)
	}
	return []graph.Type{x}, nil
}

// OutputShapes: softmax keeps the shape.
func (op SoftmaxOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate computes each row in float64.
func (op SoftmaxOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	v := x.Float64s()
	n := x.Shape[x.Ndim()-1]
	for start := 0; start+n <= len(v) && n > 0; start += n {
		row := v[start : start+n]
		top := math.Inf(-1)
		for _, a := range row {
			top = math.Max(top, a)
		}
		sum := 0.0
		for _, a := range row {
			sum += math.Exp(a - top)
		}
		for i, a := range row {
			if op.Log {
				row[i] = a - top - math.Log(sum)
			} else {
				row[i] = math.Exp(a-top) / sum
			}
		}
	}
	return []*tensor.Array{tensor.FromFloat64s(x.DType, x.Shape, v)}, nil
}

// Pullback, with s the softmax and sums along the last axis:
// softmax: gx = (gz - Σ gz·s) · s, one softmax_grad node (SoftmaxGradOp,
// which the stabilize pass recognises); logsoftmax: gx = gz - exp(out) · Σ gz.
func (op SoftmaxOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, out, gz := node.Inputs[0], node.Outputs[0], gouts[0]
	if gz == nil {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	gz = e.Cast(gz, x.Type.DType)
	last := []int{x.Type.Ndim() - 1}
	var gx *graph.Variable
	if op.Log {
		gx = e.Sub(gz, e.Mul(e.Exp(out), e.Sum(gz, last, true)))
	} else {
		gx = e.Apply(SoftmaxGradOp{}, gz, out)
	}
	return []*graph.Variable{gx}, e.Err
}

// Softmax is exp(x) / Σ exp(x) along the last axis of a vector or matrix.
func Softmax(b *graph.Builder, x *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(SoftmaxOp{}, x)
}

// LogSoftmax is log(softmax(x)), computed stably.
func LogSoftmax(b *graph.Builder, x *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(SoftmaxOp{Log: true}, x)
}

// Lower is a call of the runtime's softmax (tg_nnet.h), which computes
// each row in double exactly as Evaluate does and splits large inputs'
// rows over the pool:
//
//	kernel logsoftmax(in0: float32[2], out0: float32[2] contiguous)
//	  tg_softmax(in0, out0, 1)
func (op SoftmaxOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_softmax", Header: "tg_nnet.h",
		Args: []kir.Arg{kir.ViewArg(0), kir.ViewArg(1), kir.IntArg(boolInt(op.Log))}}), nil
}

func init() {
	for _, r := range []struct {
		name string
		f    func(*graph.Builder, *graph.Variable) (*graph.Variable, error)
	}{{"softmax", Softmax}, {"logsoftmax", LogSoftmax}} {
		f := r.f
		apply := func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) { return f(b, in[0]) }
		Register(Registration{Name: r.name, Op: SoftmaxOp{}, Build: buildUnary(r.name, f),
			Examples: []Example{
				{Inputs: types(graph.NewType(dtype.Float64, -1, -1)), Apply: apply},
				{Inputs: types(graph.NewType(dtype.Float32, -1, -1)), Apply: apply},
				{Inputs: types(graph.NewType(dtype.Float64, -1)), Apply: apply},
				{Inputs: types(graph.NewType(dtype.Float32, 1, -1)), Apply: apply},
			}})
	}
}
