package ops

import (
	"fmt"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Reshape gives x a new shape with the same number of elements, read from
// its second input, an integer vector of length Ndim (numpy's reshape: one
// entry may be -1, meaning "whatever length makes the sizes agree").
//
//	reshape{ndim=2}(vector (6,), [2, -1]) -> matrix (2, 3)
//
// The output's static shape comes from what OutputTypes can see of the
// shape vector's values (a constant, a shape op, a make_vector of
// constants: see staticTarget); the values actually used are always read
// at evaluation.
type ReshapeOp struct {
	Ndim int
}

// InferLength marks a reshape target entry of -1: the length computed from
// the others.
const InferLength = -2

func (op ReshapeOp) Name() string { return "reshape" }

func (op ReshapeOp) ParamString() string { return fmt.Sprintf("ndim=%d", op.Ndim) }

// OutputTypes checks that the shape input is an integer vector of length
// Ndim and, when the target (see staticTarget) and x's size are static,
// that the sizes agree.
func (op ReshapeOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 2 {
		return nil, graph.TypeErrorf("reshape takes 2 inputs (x, shape), got %d", len(in))
	}
	x, s := in[0], in[1]
	if s.Ndim() != 1 || !s.DType.IsInteger() {
		return nil, graph.TypeErrorf("reshape: the shape must be an integer vector, got %v (inputs %s)", s, TypesString(in))
	}
	target, err := staticTarget(inputs[1], op.Ndim) // first: its messages show a constant's values
	if err != nil {
		return nil, err
	}
	if s.Shape[0] != graph.Unknown && s.Shape[0] != op.Ndim {
		return nil, graph.ValueErrorf("reshape: ndim=%d but the shape vector has length %d (inputs %s)", op.Ndim, s.Shape[0], TypesString(in))
	}
	shape, err := resolveReshape(target, staticSize(x.Shape))
	if err != nil {
		return nil, graph.ValueErrorf("reshape: %v (inputs %s)", err, TypesString(in))
	}
	return []graph.Type{graph.NewType(x.DType, shape...)}, nil
}

// staticSize is the number of elements of a static shape, or graph.Unknown.
func staticSize(shape []int) int {
	for _, d := range shape {
		if d == graph.Unknown {
			return graph.Unknown
		}
	}
	n, ok := tensor.ElementCount(shape)
	if !ok { // CheckStaticSize rejects such types before they reach an op
		return graph.Unknown
	}
	return n
}

// resolveReshape fills in the InferLength entry of target from size (which
// may be graph.Unknown) and checks that the sizes agree when both are known.
func resolveReshape(target []int, size int) ([]int, error) {
	out := append([]int{}, target...)
	known, infer := 1, -1
	allKnown := true
	for i, n := range target {
		switch {
		case n == InferLength:
			if infer >= 0 {
				return nil, fmt.Errorf("can only specify one unknown dimension (-1) in the new shape %v", shapeString(target))
			}
			infer = i
		case n == graph.Unknown:
			allKnown = false
		case n < 0:
			return nil, fmt.Errorf("negative length %d in the new shape %v", n, shapeString(target))
		default:
			k, ok := tensor.ElementCount([]int{known, n})
			if !ok {
				return nil, fmt.Errorf("the new shape %v has more elements than an int64 can count", shapeString(target))
			}
			known = k
		}
	}
	if size == graph.Unknown || !allKnown {
		if infer >= 0 {
			out[infer] = graph.Unknown
		}
		return out, nil
	}
	if infer >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("cannot reshape an array of size %d into shape %v", size, shapeString(target))
		}
		out[infer] = size / known
		return out, nil
	}
	if known != size {
		return nil, fmt.Errorf("cannot reshape an array of size %d into shape %v", size, shapeString(target))
	}
	return out, nil
}

// shapeString prints a reshape target the way the user wrote it (-1 for InferLength).
func shapeString(target []int) string {
	parts := make([]string, len(target))
	for i, n := range target {
		switch n {
		case InferLength:
			parts[i] = "-1"
		case graph.Unknown:
			parts[i] = "?"
		default:
			parts[i] = fmt.Sprint(n)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// targetFromValues turns the shape vector's values into a target (-1 becomes
// InferLength), rejecting other negative lengths.
func targetFromValues(values []int64) ([]int, error) {
	target := make([]int, len(values))
	for i, v := range values {
		switch {
		case v == -1:
			target[i] = InferLength
		case v < 0:
			return nil, fmt.Errorf("invalid length %d in the new shape %v", v, values)
		default:
			target[i] = int(v)
		}
	}
	return target, nil
}

// Evaluate reads the shape vector and copies x into the new shape.
func (op ReshapeOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x, s := in[0], in[1]
	if s.Size() != op.Ndim {
		return nil, graph.ValueErrorf("reshape: ndim=%d but the shape vector %v has %d entries", op.Ndim, s.Int64s(), s.Size())
	}
	target, err := targetFromValues(s.Int64s())
	if err != nil {
		return nil, graph.ValueErrorf("reshape: %v", err)
	}
	shape, err := resolveReshape(target, x.Size())
	if err != nil {
		return nil, graph.ValueErrorf("reshape: %v (input shape %v)", err, x.Shape)
	}
	return []*tensor.Array{x.Clone().Reshaped(shape)}, nil
}

// Pullback reshapes the gradient back to x's shape; the shape input has none.
func (op ReshapeOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, gz := node.Inputs[0], gouts[0]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return []*graph.Variable{nil, nil}, nil
	}
	e := NewExpr(b)
	gx := e.Reshape(e.Cast(gz, x.Type.DType), e.Shape(x), x.Type.Ndim())
	return []*graph.Variable{gx, nil}, e.Err
}

// staticTarget says what is known before evaluation about the values of the
// shape vector s: its constant value, the static shape of the array a shape
// op measures, or the constant elements of a make_vector.
func staticTarget(s *graph.Variable, ndim int) ([]int, error) {
	target := make([]int, ndim)
	for i := range target {
		target[i] = graph.Unknown
	}
	switch {
	case s.IsConstant():
		if s.Value.Size() != ndim {
			return nil, graph.ValueErrorf("reshape: ndim=%d but the shape %v has %d entries", ndim, s.Value.Int64s(), s.Value.Size())
		}
		t, err := targetFromValues(s.Value.Int64s())
		if err != nil {
			return nil, graph.ValueErrorf("reshape: %v", err)
		}
		return t, nil
	case s.Owner == nil:
		return target, nil
	}
	switch s.Owner.Op.(type) {
	case ShapeOp:
		copy(target, s.Owner.Inputs[0].Type.Shape)
	case MakeVectorOp:
		for i, el := range s.Owner.Inputs {
			if i < ndim && el.IsConstant() {
				t, err := targetFromValues(el.Value.Int64s())
				if err != nil {
					return nil, graph.ValueErrorf("reshape: %v", err)
				}
				target[i] = t[0]
			}
		}
	}
	return target, nil
}

// Reshape gives x the shape held by the integer vector shape, of length
// ndim (numpy's reshape: one entry may be -1). A negative ndim means the
// static length of shape, which must then be known.
//
//	ops.Reshape(b, v, b.Constant(shape23), 2) // reshape{ndim=2}: (6,) -> (2, 3)
func Reshape(b *graph.Builder, x, shape *graph.Variable, ndim int) (*graph.Variable, error) {
	if x == nil || shape == nil {
		return nil, graph.TypeErrorf("reshape takes 2 inputs (x, shape)")
	}
	if shape.Type.Ndim() != 1 || !shape.Type.DType.IsInteger() {
		return nil, graph.TypeErrorf("reshape: the shape must be an integer vector, got %v (x is %v)", shape.Type, x.Type)
	}
	if ndim < 0 {
		ndim = shape.Type.Shape[0]
	}
	if ndim < 0 {
		return nil, graph.TypeErrorf("reshape: ndim must be given when the length of the shape vector %v is not known", shape.Type)
	}
	return b.Apply1(ReshapeOp{Ndim: ndim}, x, shape)
}

// OutputShapes reads the shape vector's entries; the one -1 entry is the
// size of x divided by the product of the others.
func (op ReshapeOp) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	s := node.Inputs[1]
	entries := make([]*graph.Variable, op.Ndim)
	for i := range entries {
		if s.IsConstant() {
			entries[i] = l.Const(int(s.Value.Int64s()[i]))
			continue
		}
		entries[i] = l.Int64(l.e.Index(s, i))
	}
	size := l.Product(in[0])
	// With one entry -1, the product of all entries is minus the product of
	// the others.
	missing := l.FloorDiv(size, l.Neg(l.Product(entries)))
	out := make([]*graph.Variable, op.Ndim)
	for i, v := range entries {
		out[i] = l.Switch(l.Equal(v, l.Const(-1)), missing, v)
	}
	return [][]*graph.Variable{out}, l.Err()
}
