package ops

import (
	"fmt"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// Dot is numpy.dot for vectors and matrices: vector·vector is a scalar,
// matrix·vector and vector·matrix are vectors, matrix·matrix a matrix. The
// output dtype is the inputs' promoted dtype.
//
//	dot(matrix (2, 3), matrix (3, 4)) -> matrix (2, 4)
type DotOp struct{}

func (op DotOp) Name() string { return "dot" }

// OutputTypes checks the ranks (1 or 2) and the static inner dimensions.
func (op DotOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 2 {
		return nil, graph.TypeErrorf("dot takes 2 inputs, got %d", len(in))
	}
	x, y := in[0], in[1]
	if x.Ndim() < 1 || x.Ndim() > 2 || y.Ndim() < 1 || y.Ndim() > 2 {
		return nil, graph.TypeErrorf("dot: inputs must be vectors or matrices, got %s", TypesString(in))
	}
	kx, ky := x.Shape[x.Ndim()-1], y.Shape[0]
	if kx != graph.Unknown && ky != graph.Unknown && kx != ky {
		return nil, graph.ValueErrorf("dot: inner dimensions differ (%d and %d) for inputs %s", kx, ky, TypesString(in))
	}
	return []graph.Type{graph.NewType(dtype.Promote(x.DType, y.DType), dotShape(x.Shape, y.Shape)...)}, nil
}

// dotShape drops x's last and y's first dimension and joins the rest.
func dotShape(x, y []int) []int {
	return append(append([]int{}, x[:len(x)-1]...), y[1:]...)
}

// OutputShapes drops x's last and y's first length: (m, k)·(k, n) -> (m, n).
func (op DotOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	x, y := in[0], in[1]
	return [][]*graph.Variable{append(append([]*graph.Variable{}, x[:len(x)-1]...), y[1:]...)}, nil
}

// Evaluate treats both inputs as matrices (a vector x as one row, a vector
// y as one column) and multiplies them with gonum's BLAS for float32 and
// float64, a plain loop for the other dtypes.
func (op DotOp) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x, y := in[0], in[1]
	k := x.Shape[x.Ndim()-1]
	if k != y.Shape[0] {
		return nil, graph.ValueErrorf("dot: shapes %v and %v not aligned: %d (dim %d) != %d (dim 0)", x.Shape, y.Shape, k, x.Ndim()-1, y.Shape[0])
	}
	m, n := x.Size()/max(k, 1), y.Size()/max(k, 1)
	if k == 0 {
		m, n = 1, 1
		if x.Ndim() == 2 {
			m = x.Shape[0]
		}
		if y.Ndim() == 2 {
			n = y.Shape[1]
		}
	}
	dt := node.Outputs[0].Type.DType
	shape := dotShape(x.Shape, y.Shape)
	if err := tensor.CheckAlloc(dt, shape); err != nil {
		return nil, graph.MemoryErrorf("dot: %v (inputs of shapes %v and %v)", err, x.Shape, y.Shape)
	}
	if m == 0 || n == 0 || k == 0 {
		return []*tensor.Array{tensor.New(dt, shape)}, nil // empty, or sums of nothing
	}
	switch dt {
	case dtype.Float64:
		a, b := x.Astype(dt).Data.([]float64), y.Astype(dt).Data.([]float64)
		c := make([]float64, m*n)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: m, Cols: k, Stride: k, Data: a},
			blas64.General{Rows: k, Cols: n, Stride: n, Data: b},
			0, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
		return []*tensor.Array{tensor.FromFloat64s(dt, shape, c)}, nil
	case dtype.Float32:
		a, b := x.Astype(dt).Data.([]float32), y.Astype(dt).Data.([]float32)
		out := tensor.New(dt, shape)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
			blas32.General{Rows: k, Cols: n, Stride: n, Data: b},
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: out.Data.([]float32)})
		return []*tensor.Array{out}, nil
	case dtype.Complex64, dtype.Complex128:
		c := matmul(m, n, k, x.Complex128s(), y.Complex128s())
		return []*tensor.Array{tensor.FromComplex128s(dt, shape, c)}, nil
	case dtype.Float16:
		c := matmul(m, n, k, x.Float64s(), y.Float64s())
		return []*tensor.Array{tensor.FromFloat64s(dt, shape, c)}, nil
	default: // integers and bool (numpy: a bool dot is "any of the ands")
		c := matmul(m, n, k, x.Int64s(), y.Int64s())
		return []*tensor.Array{tensor.FromInt64s(dt, shape, c)}, nil
	}
}

// matmul multiplies the row-major m×k matrix a by the k×n matrix b.
func matmul[T int64 | float64 | complex128](m, n, k int, a, b []T) []T {
	c := make([]T, m*n)
	for i := range m {
		for p := range k {
			aip := a[i*k+p]
			for j := range n {
				c[i*n+j] += aip * b[p*n+j]
			}
		}
	}
	return c
}

// Pullback: for matrices gx = gz·yᵀ and gy = xᵀ·gz; vectors become a row
// or a column so that the same products (outer ones included) apply.
func (op DotOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, y, gz := node.Inputs[0], node.Inputs[1], gouts[0]
	if gz == nil || node.Outputs[0].Type.DType.IsDiscrete() {
		return []*graph.Variable{nil, nil}, nil
	}
	e := NewExpr(b)
	dot := e.Dot
	row := func(v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{Broadcast, 0}) }
	col := func(v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{0, Broadcast}) }
	tr := func(v *graph.Variable) *graph.Variable { return e.DimShuffle(v, []int{1, 0}) }
	var gx, gy *graph.Variable
	switch {
	case x.Type.Ndim() == 1 && y.Type.Ndim() == 1: // z = Σ xᵢyᵢ
		gx, gy = e.Mul(gz, y), e.Mul(gz, x)
	case x.Type.Ndim() == 2 && y.Type.Ndim() == 1: // z = X y
		gx, gy = dot(col(gz), row(y)), dot(tr(x), gz)
	case x.Type.Ndim() == 1 && y.Type.Ndim() == 2: // z = x Y
		gx, gy = dot(y, gz), dot(col(x), row(gz))
	default: // Z = X Y
		gx, gy = dot(gz, tr(y)), dot(tr(x), gz)
	}
	grads := []*graph.Variable{nil, nil}
	for i, g := range []*graph.Variable{gx, gy} {
		if in := node.Inputs[i]; !in.Type.DType.IsDiscrete() {
			grads[i] = e.Cast(g, in.Type.DType)
		}
	}
	return grads, e.Err
}

// Dot is numpy.dot(x, y) for vectors and matrices.
//
//	ops.Dot(b, x, w) // (2, 3)·(3, 4) -> (2, 4)
func Dot(b *graph.Builder, x, y *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(DotOp{}, x, y)
}

// Lower is a call of the runtime's view-level dot (tg_blas.h), which picks
// BLAS's transpose flags and leading dimensions from the views, copies
// into the arena only a layout BLAS cannot read, and loops for the dtypes
// BLAS lacks. The shape phase checks the inner lengths with the
// evaluator's message, so the call cannot fail:
//
//	kernel dot(in0: float64[2], in1: float64[2], out0: float64[2] contiguous)
//	  check in0.shape[1] == in1.shape[0]
//	  tg_dot(in0, in1, out0) arena for in0 in1, never fails
func (op DotOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	call := &kir.Call{Func: "tg_dot", Header: "tg_blas.h", Args: viewArgs(0, 2), Fails: kir.NeverFails, Arena: []int{0, 1}}
	if x, y := node.Inputs[0].Type, node.Inputs[1].Type; x.Ndim() > 0 && y.Ndim() > 0 {
		last := x.Ndim() - 1
		call.Checks = []kir.LengthCheck{{
			Equal:   [][2]kir.Extent{{{Operand: 0, Axis: last}, {Operand: 1, Axis: 0}}},
			Message: fmt.Sprintf("dot: shapes %%s and %%s not aligned: %%lld (dim %d) != %%lld (dim 0)", last),
			Shown:   []int{0, 1}, ShowPair: true,
		}}
	}
	return callKernel(node, op.Name(), call), nil
}

func init() {
	apply := func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) { return Dot(b, in[0], in[1]) }
	Register(Registration{Name: "dot", Op: DotOp{}, Build: buildBinary("dot", Dot),
		Examples: []Example{
			{Inputs: types(graph.NewType(dtype.Float64, -1, 3), graph.NewType(dtype.Float64, 3, -1)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Float32, 4), graph.NewType(dtype.Float32, 4, -1)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Float32, -1, 2), graph.NewType(dtype.Float32, 2)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Int32, 3), graph.NewType(dtype.Int32, 3)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Int64, -1, 2), graph.NewType(dtype.Int8, 2, -1)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Complex128, 2, -1), graph.NewType(dtype.Complex128, -1)), Apply: apply}, // a length mismatch fails as the evaluator does
			{Inputs: types(graph.NewType(dtype.Float16, -1, 3), graph.NewType(dtype.Float16, 3, 2)), Apply: apply},
		}})
}
