package ops

import (
	"fmt"
	"strings"
	"unsafe"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Broadcast in a DimShuffle pattern inserts a new dimension of length 1
// (Theano's 'x').
const Broadcast = -1

// DimShuffle reorders dimensions, inserts broadcastable ones and drops
// broadcastable ones. Pattern.At(i) is the input dimension that becomes
// output dimension i, or Broadcast. The pattern is a graph.IntList, so that
// the op is a comparable value.
//
//	dimshuffle{1,x,0}(matrix (3, 4)) -> tensor3 (4, 1, 3)
type DimShuffleOp struct {
	Pattern graph.IntList
}

func (op DimShuffleOp) Name() string { return "dimshuffle" }

func (op DimShuffleOp) ParamString() string {
	parts := make([]string, op.Pattern.Len())
	for i, p := range op.Pattern.Ints() {
		if p == Broadcast {
			parts[i] = "x"
		} else {
			parts[i] = fmt.Sprint(p)
		}
	}
	return strings.Join(parts, ",")
}

// OutputTypes checks that each input dimension is used at most once and
// that every dropped dimension is broadcastable.
func (op DimShuffleOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("dimshuffle takes 1 input, got %d", len(in))
	}
	t := in[0]
	used := make([]bool, t.Ndim())
	shape := make([]int, op.Pattern.Len())
	for i, p := range op.Pattern.Ints() {
		if p == Broadcast {
			shape[i] = 1
			continue
		}
		if p < 0 || p >= t.Ndim() {
			return nil, graph.ValueErrorf("dimshuffle{%s}: dimension %d out of range for %v", op.ParamString(), p, t)
		}
		if used[p] {
			return nil, graph.ValueErrorf("dimshuffle{%s}: dimension %d used twice", op.ParamString(), p)
		}
		used[p] = true
		shape[i] = t.Shape[p]
	}
	for d, u := range used {
		if !u && t.Shape[d] != 1 {
			return nil, graph.ValueErrorf("dimshuffle{%s}: cannot drop dimension %d of %v: it is not broadcastable", op.ParamString(), d, t)
		}
	}
	return []graph.Type{graph.NewType(t.DType, shape...)}, nil
}

// OutputShapes moves the input's lengths by the pattern; an inserted
// dimension has length 1.
func (op DimShuffleOp) OutputShapes(b *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	out := make([]*graph.Variable, op.Pattern.Len())
	for i, p := range op.Pattern.Ints() {
		if p == Broadcast {
			out[i] = l.Const(1)
		} else {
			out[i] = in[0][p]
		}
	}
	return [][]*graph.Variable{out}, l.Err()
}

// Evaluate copies the input into the permuted layout.
func (op DimShuffleOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	inStrides := x.Strides()
	shape := make([]int, op.Pattern.Len())
	strides := make([]int, op.Pattern.Len())
	for i, p := range op.Pattern.Ints() {
		shape[i] = 1
		if p != Broadcast {
			shape[i], strides[i] = x.Shape[p], inStrides[p]
		}
	}
	return []*tensor.Array{Gather(x, shape, stridedIndex(shape, strides))}, nil
}

// Pullback shuffles the gradient back: dimensions the op inserted are
// dropped, dimensions it dropped come back as broadcastable ones.
func (op DimShuffleOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	gz := gouts[0]
	if gz == nil || node.Inputs[0].Type.DType.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	inverse := make([]int, node.Inputs[0].Type.Ndim())
	for d := range inverse {
		inverse[d] = Broadcast
	}
	for i, p := range op.Pattern.Ints() {
		if p != Broadcast {
			inverse[p] = i
		}
	}
	e := NewExpr(b)
	return []*graph.Variable{e.DimShuffle(gz, inverse)}, e.Err
}

// Gather makes a new array of the given shape whose k-th element is x's
// element at flat position index[k]: the evaluator's tool for views.
func Gather(x *tensor.Array, shape []int, index []int) *tensor.Array {
	out := tensor.New(x.DType, shape)
	if len(index) == 0 {
		return out
	}
	src, dst := x.Bytes(), out.Bytes()
	switch x.DType.Size() {
	case 1:
		gatherWords(dst, src, index, uint8(0))
	case 2:
		gatherWords(dst, src, index, uint16(0))
	case 4:
		gatherWords(dst, src, index, uint32(0))
	case 8:
		gatherWords(dst, src, index, uint64(0))
	case 16:
		gatherWords(dst, src, index, [2]uint64{})
	}
	return out
}

// gatherWords copies dst[k] = src[index[k]], viewing both byte slices as
// elements of W's size (the element size of the dtype).
func gatherWords[W any](dst, src []byte, index []int, _ W) {
	size := int(unsafe.Sizeof(*new(W)))
	d := unsafe.Slice((*W)(unsafe.Pointer(&dst[0])), len(dst)/size)
	var s []W
	if len(src) > 0 {
		s = unsafe.Slice((*W)(unsafe.Pointer(&src[0])), len(src)/size)
	}
	for k, i := range index {
		d[k] = s[i]
	}
}

// DimShuffle reorders, inserts (Broadcast) and drops (broadcastable)
// dimensions of x: pattern[i] is the input dimension that becomes output
// dimension i, or Broadcast for a new dimension of length 1.
//
//	ops.DimShuffle(b, m, []int{1, ops.Broadcast, 0}) // dimshuffle{1,x,0}: (3, 4) -> (4, 1, 3)
func DimShuffle(b *graph.Builder, x *graph.Variable, pattern []int) (*graph.Variable, error) {
	return b.Apply1(DimShuffleOp{Pattern: graph.NewIntList(pattern...)}, x)
}
