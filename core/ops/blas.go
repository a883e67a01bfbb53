package ops

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// The BLAS ops are the forms a dot takes when the specialize pass folds the
// scaling and accumulation around it into one BLAS call (core/rewrite/blas.go):
//
//	gemm(Z, a, X, Y, b) = a*X·Y + b*Z      X (m, k), Y (k, n), Z (m, n)
//	gemv(y, a, A, x, b) = a*A·x + b*y      A (m, n), x (n,), y (m,)
//	ger(A, a, x, y)     = A + a*outer(x, y) x (m,), y (n,), A (m, n)
//
// Every input has the output's dtype, float32 or float64 (other dtypes stay
// dots); a and b are 0-d. The accumulated input (Z, y, A) has the output's
// full shape: it is not broadcast. The output is a new array, the
// accumulated input copied and never written. As in BLAS, a of 0 does not
// read the product's operands and b of 0 does not read the accumulated
// input (a NaN there does not propagate); the rewrites never build either.

// GemmOp is BLAS gemm: a*X·Y + b*Z for matrices.
//
//	gemm(Z (2, 4), 1, X (2, 3), Y (3, 4), 1) -> matrix (2, 4)
type GemmOp struct{}

func (op GemmOp) Name() string { return "gemm" }

// OutputTypes checks dtypes, ranks and that the static lengths agree.
func (op GemmOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	if err := blasTypes("gemm", "gemm(Z matrix, a scalar, X matrix, Y matrix, b scalar)", inputs, 2, 0, 2, 2, 0); err != nil {
		return nil, err
	}
	z, x, y := inputs[0].Type, inputs[2].Type, inputs[3].Type
	lengths, err := agree("gemm", graph.TypesOf(inputs), [][2]int{{z.Shape[0], x.Shape[0]}, {z.Shape[1], y.Shape[1]}, {x.Shape[1], y.Shape[0]}})
	if err != nil {
		return nil, err
	}
	return []graph.Type{graph.NewType(z.DType, lengths[0], lengths[1])}, nil
}

// OutputShapes: the output has Z's shape.
func (op GemmOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate copies Z and calls gonum's gemm on the copy.
func (op GemmOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	z, x, y := in[0], in[2], in[3]
	m, k, n := x.Shape[0], x.Shape[1], y.Shape[1]
	if y.Shape[0] != k || z.Shape[0] != m || z.Shape[1] != n {
		return nil, graph.ValueErrorf("gemm: shapes Z %v, X %v, Y %v do not fit a*X·Y + b*Z", z.Shape, x.Shape, y.Shape)
	}
	alpha, beta := in[1].Float64s()[0], in[4].Float64s()[0]
	out := z.Clone()
	switch {
	case m == 0 || n == 0:
	case k == 0: // a sum of nothing: b*Z
		scale(out, beta)
	case out.DType == dtype.Float64:
		blas64.Gemm(blas.NoTrans, blas.NoTrans, alpha,
			blas64.General{Rows: m, Cols: k, Stride: k, Data: x.Data.([]float64)},
			blas64.General{Rows: k, Cols: n, Stride: n, Data: y.Data.([]float64)},
			beta, blas64.General{Rows: m, Cols: n, Stride: n, Data: out.Data.([]float64)})
	default:
		blas32.Gemm(blas.NoTrans, blas.NoTrans, float32(alpha),
			blas32.General{Rows: m, Cols: k, Stride: k, Data: x.Data.([]float32)},
			blas32.General{Rows: k, Cols: n, Stride: n, Data: y.Data.([]float32)},
			float32(beta), blas32.General{Rows: m, Cols: n, Stride: n, Data: out.Data.([]float32)})
	}
	return []*tensor.Array{out}, nil
}

// Gemm is a*X·Y + b*Z for matrices in one BLAS call; a and b are 0-d.
//
//	ops.Gemm(b, w, lr, xT, g, one) // w + lr * xT·g
func Gemm(b *graph.Builder, z, alpha, x, y, beta *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(GemmOp{}, z, alpha, x, y, beta)
}

// GemvOp is BLAS gemv: a*A·x + b*y for a matrix A and vectors x, y.
//
//	gemv(y (2,), 1, A (2, 3), x (3,), 1) -> vector (2,)
type GemvOp struct{}

func (op GemvOp) Name() string { return "gemv" }

// OutputTypes checks dtypes, ranks and that the static lengths agree.
func (op GemvOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	if err := blasTypes("gemv", "gemv(y vector, a scalar, A matrix, x vector, b scalar)", inputs, 1, 0, 2, 1, 0); err != nil {
		return nil, err
	}
	y, a, x := inputs[0].Type, inputs[2].Type, inputs[3].Type
	lengths, err := agree("gemv", graph.TypesOf(inputs), [][2]int{{y.Shape[0], a.Shape[0]}, {a.Shape[1], x.Shape[0]}})
	if err != nil {
		return nil, err
	}
	return []graph.Type{graph.NewType(y.DType, lengths[0])}, nil
}

// OutputShapes: the output has y's shape.
func (op GemvOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate copies y and calls gonum's gemv on the copy.
func (op GemvOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	y, a, x := in[0], in[2], in[3]
	m, n := a.Shape[0], a.Shape[1]
	if x.Shape[0] != n || y.Shape[0] != m {
		return nil, graph.ValueErrorf("gemv: shapes y %v, A %v, x %v do not fit a*A·x + b*y", y.Shape, a.Shape, x.Shape)
	}
	alpha, beta := in[1].Float64s()[0], in[4].Float64s()[0]
	out := y.Clone()
	switch {
	case m == 0:
	case n == 0:
		scale(out, beta)
	case out.DType == dtype.Float64:
		blas64.Gemv(blas.NoTrans, alpha,
			blas64.General{Rows: m, Cols: n, Stride: n, Data: a.Data.([]float64)},
			blas64.Vector{N: n, Inc: 1, Data: x.Data.([]float64)},
			beta, blas64.Vector{N: m, Inc: 1, Data: out.Data.([]float64)})
	default:
		blas32.Gemv(blas.NoTrans, float32(alpha),
			blas32.General{Rows: m, Cols: n, Stride: n, Data: a.Data.([]float32)},
			blas32.Vector{N: n, Inc: 1, Data: x.Data.([]float32)},
			float32(beta), blas32.Vector{N: m, Inc: 1, Data: out.Data.([]float32)})
	}
	return []*tensor.Array{out}, nil
}

// Gemv is a*A·x + b*y in one BLAS call; a and b are 0-d.
//
//	ops.Gemv(b, y, one, a, x, one) // y + A·x
func Gemv(b *graph.Builder, y, alpha, a, x, beta *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(GemvOp{}, y, alpha, a, x, beta)
}

// GerOp is BLAS ger: A + a*outer(x, y), Theano's Ger (no factor on A).
//
//	ger(A (2, 3), 1, x (2,), y (3,)) -> matrix (2, 3)
type GerOp struct{}

func (op GerOp) Name() string { return "ger" }

// OutputTypes checks dtypes, ranks and that the static lengths agree.
func (op GerOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	if err := blasTypes("ger", "ger(A matrix, a scalar, x vector, y vector)", inputs, 2, 0, 1, 1); err != nil {
		return nil, err
	}
	a, x, y := inputs[0].Type, inputs[2].Type, inputs[3].Type
	lengths, err := agree("ger", graph.TypesOf(inputs), [][2]int{{a.Shape[0], x.Shape[0]}, {a.Shape[1], y.Shape[0]}})
	if err != nil {
		return nil, err
	}
	return []graph.Type{graph.NewType(a.DType, lengths...)}, nil
}

// OutputShapes: the output has A's shape.
func (op GerOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate copies A and calls gonum's ger on the copy.
func (op GerOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	a, x, y := in[0], in[2], in[3]
	m, n := x.Shape[0], y.Shape[0]
	if a.Shape[0] != m || a.Shape[1] != n {
		return nil, graph.ValueErrorf("ger: shapes A %v, x %v, y %v do not fit A + a*outer(x, y)", a.Shape, x.Shape, y.Shape)
	}
	alpha := in[1].Float64s()[0]
	out := a.Clone()
	switch {
	case m == 0 || n == 0:
	case out.DType == dtype.Float64:
		blas64.Ger(alpha, blas64.Vector{N: m, Inc: 1, Data: x.Data.([]float64)}, blas64.Vector{N: n, Inc: 1, Data: y.Data.([]float64)},
			blas64.General{Rows: m, Cols: n, Stride: n, Data: out.Data.([]float64)})
	default:
		blas32.Ger(float32(alpha), blas32.Vector{N: m, Inc: 1, Data: x.Data.([]float32)}, blas32.Vector{N: n, Inc: 1, Data: y.Data.([]float32)},
			blas32.General{Rows: m, Cols: n, Stride: n, Data: out.Data.([]float32)})
	}
	return []*tensor.Array{out}, nil
}

// Ger is A + a*outer(x, y) in one BLAS call; a is 0-d.
//
//	ops.Ger(b, w, lr, gz, x) // w + lr * outer(gz, x)
func Ger(b *graph.Builder, a, alpha, x, y *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(GerOp{}, a, alpha, x, y)
}

// blasTypes checks that inputs have the ranks given, all the dtype of the
// first, float32 or float64; signature describes them in the error.
func blasTypes(name, signature string, inputs []*graph.Variable, ranks ...int) error {
	in := graph.TypesOf(inputs)
	if len(in) != len(ranks) {
		return graph.TypeErrorf("%s takes %d inputs, got %d", name, len(ranks), len(in))
	}
	dt := in[0].DType
	if dt != dtype.Float32 && dt != dtype.Float64 {
		return graph.TypeErrorf("%s computes in float32 or float64, got inputs %s", name, TypesString(in))
	}
	for i, t := range in {
		if t.DType != dt || t.Ndim() != ranks[i] {
			return graph.TypeErrorf("%s: want %s of one dtype, got %s", name, signature, TypesString(in))
		}
	}
	return nil
}

// agree returns, for each pair of static lengths that must be equal, the
// known one (Unknown when neither is known), or a ValueError when both are
// known and differ.
func agree(name string, in []graph.Type, pairs [][2]int) ([]int, error) {
	out := make([]int, len(pairs))
	for i, p := range pairs {
		switch {
		case p[0] == graph.Unknown:
			out[i] = p[1]
		case p[1] == graph.Unknown || p[0] == p[1]:
			out[i] = p[0]
		default:
			return nil, graph.ValueErrorf("%s: lengths %d and %d must be equal, inputs %s", name, p[0], p[1], TypesString(in))
		}
	}
	return out, nil
}

// scale multiplies a float32 or float64 array by beta in place, setting it
// to 0 when beta is 0 (as BLAS does: b*Z with b = 0 does not read Z).
func scale(a *tensor.Array, beta float64) {
	switch d := a.Data.(type) {
	case []float64:
		for i := range d {
			d[i] = scaled(beta, d[i])
		}
	case []float32:
		for i := range d {
			d[i] = scaled(float32(beta), d[i])
		}
	}
}

// scaled is beta*x, or 0 when beta is 0.
func scaled[T float32 | float64](beta, x T) T {
	if beta == 0 {
		return 0
	}
	return beta * x
}

// blasKernel is the call of the runtime's view-level gemm, gemv or ger
// (tg_blas.h): output 0 may take the accumulated input's memory (input 0:
// BLAS reads each element of beta*C before writing it, and the function
// detects the alias), the product's two operands (inputs 2 and 3) may be
// copied into the arena, and the shape phase checks the lengths, so the
// call cannot fail:
//
//	kernel gemm(in0: float64[2], in1: float64[0], in2: float64[2], in3: float64[2], in4: float64[0], out0: float64[2] contiguous)
//	  check in0.shape[0] == in2.shape[0], in0.shape[1] == in3.shape[1], in2.shape[1] == in3.shape[0]
//	  tg_gemm(in0, in1, in2, in3, in4, out0) in place of in0, arena for in2 in3, never fails
func blasKernel(node *graph.Apply, name string, equal [][2]kir.Extent, message string) *kir.Kernel {
	n := len(node.Inputs)
	return callKernel(node, name, &kir.Call{Func: "tg_" + name, Header: "tg_blas.h", Args: viewArgs(0, n),
		Fails: kir.NeverFails, InPlace: []int{0}, Arena: []int{2, 3},
		Checks: []kir.LengthCheck{{Equal: equal, Message: message, Shown: []int{0, 2, 3}}}})
}

// ax is axis a of operand i, for the checks' pairs.
func ax(i, a int) kir.Extent { return kir.Extent{Operand: i, Axis: a} }

// Lower: Z = (m, n), X = (m, k), Y = (k, n).
func (op GemmOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return blasKernel(node, op.Name(), [][2]kir.Extent{{ax(0, 0), ax(2, 0)}, {ax(0, 1), ax(3, 1)}, {ax(2, 1), ax(3, 0)}},
		"gemm: shapes Z %s, X %s, Y %s do not fit a*X·Y + b*Z"), nil
}

// Lower: y = (m), A = (m, k), x = (k).
func (op GemvOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return blasKernel(node, op.Name(), [][2]kir.Extent{{ax(0, 0), ax(2, 0)}, {ax(2, 1), ax(3, 0)}},
		"gemv: shapes y %s, A %s, x %s do not fit a*A·x + b*y"), nil
}

// Lower: A = (m, n), x = (m), y = (n).
func (op GerOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return blasKernel(node, op.Name(), [][2]kir.Extent{{ax(0, 0), ax(2, 0)}, {ax(0, 1), ax(3, 0)}},
		"ger: shapes A %s, x %s, y %s do not fit A + a*outer(x, y)"), nil
}

// gemm, gemv and ger are built by the specialize pass only (core/rewrite/
// blas.go): no Build.
func init() {
	var gemm, gemv, ger []Example
	for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32} {
		s := func(shape ...int) graph.Type { return graph.NewType(dt, shape...) }
		gemm = append(gemm, Example{Inputs: types(s(3, 4), s(), s(3, 2), s(2, 4), s()),
			Apply: func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
				return Gemm(b, in[0], in[1], in[2], in[3], in[4])
			}})
		gemv = append(gemv, Example{Inputs: types(s(3), s(), s(3, 5), s(5), s()),
			Apply: func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
				return Gemv(b, in[0], in[1], in[2], in[3], in[4])
			}})
		ger = append(ger, Example{Inputs: types(s(3, 4), s(), s(3), s(4)),
			Apply: func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
				return Ger(b, in[0], in[1], in[2], in[3])
			}})
	}
	Register(Registration{Name: "gemm", Op: GemmOp{}, Examples: gemm})
	Register(Registration{Name: "gemv", Op: GemvOp{}, Examples: gemv})
	Register(Registration{Name: "ger", Op: GerOp{}, Examples: ger})
}
