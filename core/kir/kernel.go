package kir

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// Kernel is the loop level of the IR: one loop nest over an index space,
// reading input operands and writing output operands, with a body that
// says what each point of the space computes. The C++ generator
// (codegen/cxx/lower_kir.go) and the CUDA printer (cuda/) render the same
// Kernel; an op that lowers to one implements Lowerable, and needs no
// lowering of its own in either.
//
// The index space has Rank axes i0, i1, ...; each extent is symbolic: the
// length of an axis of one of the operands (the shape phase has computed
// every operand's shape before the kernel runs). Operands are numbered
// inputs first, then outputs. An operand is read or written at the point
// (i0, i1, ...) through its strides: a view's own strides (Strided), with
// stride 0 along an axis where its length is 1 and the space's is not
// (broadcasting), or C-contiguous strides (Contiguous, freshly allocated
// outputs). Its printed text, for exp(x) * 2 over a matrix:
//
//	kernel exp_mul(in0: float64[2], out0: float64[2] contiguous)
//	for i0<n0=out0.shape[0], i1<n1=out0.shape[1]:
//	  out0[i0,i1] = exp(in0[i0,i1]) * 2
type Kernel struct {
	Name    string
	Extents []Extent // the index space: one extent per axis
	Inputs  []Operand
	Outputs []Operand
	Body    Body
}

// Extent is an index-space axis's length: the length of axis Axis of
// operand Operand (inputs first, then outputs).
type Extent struct{ Operand, Axis int }

// Layout says how an operand's elements are addressed.
type Layout uint8

const (
	// Strided: through the view's run-time strides (any view, broadcast
	// included).
	Strided Layout = iota
	// Contiguous: C order, the strides implied by the shape.
	Contiguous
)

// Operand is an array the kernel reads or writes: its dtype, rank and
// layout, and what its static type says about its lengths. Its shape and
// strides are known only when the kernel runs.
//
// Broadcast[d] is true where the operand's length along axis d of the
// space is statically 1 (or the operand was padded with the axis: an
// input of lower rank than the space, aligned to the right as numpy
// aligns): it is read with stride 0 there, whatever the space's length.
// For an output it says the space's axis is statically 1. A nil
// Broadcast knows nothing (every axis may run). The printers choose their
// loops from these facts: a map whose operands are Contiguous and never
// broadcast is one flat loop.
type Operand struct {
	DType     dtype.DType
	Rank      int
	Layout    Layout
	Broadcast []bool
}

// Scalar reports whether every axis of the operand is statically 1: its
// one element may be read once, before any loop.
func (o Operand) Scalar() bool {
	if len(o.Broadcast) != o.Rank {
		return o.Rank == 0
	}
	for _, b := range o.Broadcast {
		if !b {
			return false
		}
	}
	return true
}

// Broadcasts reports whether the operand is statically 1 along axis d.
func (o Operand) Broadcasts(d int) bool { return d < len(o.Broadcast) && o.Broadcast[d] }

// Body is what the kernel computes: *Map, *Reduce, *Scan or *Call.
type Body interface{ isBody() }

// Map is an elementwise map: at every point of the index space, output j
// is Outputs[j], an expression whose Input(i) is input operand i's element
// at that point. Every operand has the space's rank; broadcasting is by
// zero strides.
//
//	out0[i0,i1] = exp(in0[i0,i1]) * 2
type Map struct{ Outputs []*Expr }

// FoldPolicy is the order a reduction combines its elements in.
type FoldPolicy uint8

const (
	// Sequential folds the elements of each output in C order of the
	// reduced axes: the evaluator's order, bit for bit.
	Sequential FoldPolicy = iota
	// Pairwise folds blocks and adds the blocks' values pairwise (as
	// numpy does): faster, and within the documented tolerance of the
	// sequential fold.
	Pairwise
)

// Reduce folds the index space (the shape of input 0) over Axes into
// output 0, which has the kept axes (or all of them, length 1 where
// reduced, when its rank is the space's). Every output element starts at
// Identity and folds its elements with acc = Step, an expression whose
// Input(0) is the accumulator and Input(1+i) is input i's element at the
// point. The accumulator has Identity's dtype, which may be wider than
// the output's (a float32 sum folds in float64, as the evaluator does);
// the folded value (divided by the number of elements folded, with Mean)
// is converted to output 0's dtype once, at the end:
//
//	out0[i0] = fold(acc = 0; for i1<n1: acc = acc + in0[i0,i1])
//
// NonEmpty makes folding no elements an error (max and min: their
// identity is no answer).
type Reduce struct {
	Axes     []int
	Identity Const
	Step     *Expr
	Fold     FoldPolicy
	Mean     bool
	NonEmpty bool
}

// Combine splits a fold's step acc = row(acc, element) into the row and
// the element expression (which reads the inputs, never the
// accumulator): the form every reduction of the table has, and the one
// the printers' blocked and pairwise loops need.
func (r *Reduce) Combine() (Row, *Expr, bool) {
	s := r.Step
	if s == nil || s.op != OpApply || len(s.args) != 2 || s.args[0].op != OpInput || s.args[0].input != 0 {
		return nil, nil, false
	}
	for _, n := range s.args[1].Schedule() {
		if n.op == OpInput && n.input == 0 {
			return nil, nil, false
		}
	}
	return s.row, s.args[1], true
}

// Scan is a cumulative op along one axis of the index space (the shape of
// output 0): for every line along Axis, the accumulator starts at
// Identity and at each position k (from the end with Reverse) becomes
// Step (Input(0) the accumulator, Input(1+i) input i's element at the
// point), and is stored to output 0 at the point:
//
//	out0[i0,i1] = acc = acc + in0[i0,i1]  (carried along i1 from 0)
type Scan struct {
	Axis     int
	Identity Const
	Step     *Expr
	Reverse  bool
}

func (*Map) isBody()    {}
func (*Reduce) isBody() {}
func (*Scan) isBody()   {}
func (*Call) isBody()   {}

// Lowerable is the capability of an op whose node lowers to one Kernel:
// its inputs are the kernel's input operands and its outputs the output
// operands, in order. The C++ generator and the CUDA printer render it
// generically, so the op needs no lowering of its own in either.
type Lowerable interface {
	Lower(node *graph.Apply) (*Kernel, error)
}

// Operand returns operand i (inputs first, then outputs).
func (k *Kernel) Operand(i int) Operand {
	if i < len(k.Inputs) {
		return k.Inputs[i]
	}
	return k.Outputs[i-len(k.Inputs)]
}

// OperandName is operand i's name in printed text and generated code:
// in0, in1, ..., out0, ...
func (k *Kernel) OperandName(i int) string {
	if i < len(k.Inputs) {
		return "in" + strconv.Itoa(i)
	}
	return "out" + strconv.Itoa(i-len(k.Inputs))
}

// Reads reports, for each input operand, whether the body reads it. An
// input a lowering replaced by a constant inside the expression (a
// one-element constant: x * 0.5) stays an operand, so that operands and
// the node's inputs keep one numbering, but no loop reads it.
func (k *Kernel) Reads() []bool {
	reads := make([]bool, len(k.Inputs))
	mark := func(e *Expr, shift int) {
		if e == nil {
			return
		}
		for _, n := range e.Schedule() {
			if i := n.input - shift; n.op == OpInput && i >= 0 && i < len(reads) {
				reads[i] = true
			}
		}
	}
	switch b := k.Body.(type) {
	case *Map:
		for _, e := range b.Outputs {
			mark(e, 0)
		}
	case *Reduce:
		mark(b.Step, 1)
	case *Scan:
		mark(b.Step, 1)
	case *Call: // a runtime call may read any input (conservatively)
		for i := range reads {
			reads[i] = true
		}
	}
	return reads
}

// Rank is the index space's rank.
func (k *Kernel) Rank() int { return len(k.Extents) }

// Check verifies the kernel's invariants (operand numbers, ranks, the
// expressions' inputs and dtypes): printers call it first, so a bad
// lowering fails where it was built, naming the kernel.
func (k *Kernel) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("kir: kernel %s: %s", k.Name, fmt.Sprintf(format, args...))
	}
	nops := len(k.Inputs) + len(k.Outputs)
	for d, e := range k.Extents {
		if e.Operand < 0 || e.Operand >= nops || e.Axis < 0 || e.Axis >= k.Operand(e.Operand).Rank {
			return bad("extent %d names axis %d of operand %d", d, e.Axis, e.Operand)
		}
	}
	if len(k.Outputs) == 0 {
		return bad("no output")
	}
	for i := 0; i < nops; i++ {
		if o := k.Operand(i); o.Broadcast != nil && len(o.Broadcast) != o.Rank {
			return bad("operand %d of rank %d has a broadcast pattern of %d axes", i, o.Rank, len(o.Broadcast))
		}
	}
	stepped := func(step *Expr, what string, acc dtype.DType) error {
		if step == nil || step.NumInputs() > 1+len(k.Inputs) {
			return bad("%s reads inputs beyond the kernel's", what)
		}
		if step.DType() != acc {
			return bad("%s is %v, the accumulator %v", what, step.DType(), acc)
		}
		return nil
	}
	switch b := k.Body.(type) {
	case *Map:
		if len(b.Outputs) != len(k.Outputs) {
			return bad("%d expressions for %d outputs", len(b.Outputs), len(k.Outputs))
		}
		for j, e := range b.Outputs {
			if e.NumInputs() > len(k.Inputs) || e.DType() != k.Outputs[j].DType {
				return bad("output %d's expression (%v, reads %d inputs) does not fit %v", j, e.DType(), e.NumInputs(), k.Outputs[j].DType)
			}
		}
		for i, o := range append(append([]Operand{}, k.Inputs...), k.Outputs...) {
			if o.Rank != k.Rank() {
				return bad("operand %d has rank %d in a map of rank %d", i, o.Rank, k.Rank())
			}
		}
	case *Reduce:
		for _, a := range b.Axes {
			if a < 0 || a >= k.Rank() {
				return bad("reduced axis %d of a rank-%d space", a, k.Rank())
			}
		}
		if r := k.Outputs[0].Rank; r != k.Rank() && r != k.Rank()-len(b.Axes) {
			return bad("output of rank %d for %d of %d axes reduced", r, len(b.Axes), k.Rank())
		}
		if b.Identity.DType() == dtype.Invalid {
			return bad("a fold without an identity")
		}
		return stepped(b.Step, "the fold's step", b.Identity.DType())
	case *Scan:
		if b.Axis < 0 || b.Axis >= k.Rank() {
			return bad("scan axis %d of a rank-%d space", b.Axis, k.Rank())
		}
		return stepped(b.Step, "the scan's step", k.Outputs[0].DType)
	case *Call: // call.go
		return b.check(k, bad)
	default:
		return bad("body %T", k.Body)
	}
	return nil
}

// String prints the kernel readably (see Kernel's example): a header with
// the operands, the loops with their extents, and the body.
func (k *Kernel) String() string {
	var sb strings.Builder
	var ops []string
	for i := 0; i < len(k.Inputs)+len(k.Outputs); i++ {
		o := k.Operand(i)
		s := fmt.Sprintf("%s: %v[%d]", k.OperandName(i), o.DType, o.Rank)
		if o.Layout == Contiguous {
			s += " contiguous"
		}
		var axes []string
		for d, b := range o.Broadcast {
			if b {
				axes = append(axes, strconv.Itoa(d))
			}
		}
		if len(axes) > 0 {
			s += " broadcast{" + strings.Join(axes, ",") + "}"
		}
		ops = append(ops, s)
	}
	fmt.Fprintf(&sb, "kernel %s(%s)\n", k.Name, strings.Join(ops, ", "))
	loops := make([]string, len(k.Extents))
	for d, e := range k.Extents {
		loops[d] = fmt.Sprintf("i%d<n%d=%s.shape[%d]", d, d, k.OperandName(e.Operand), e.Axis)
	}
	if len(loops) > 0 {
		fmt.Fprintf(&sb, "for %s:\n", strings.Join(loops, ", "))
	}
	point := k.point(k.Rank())
	switch b := k.Body.(type) {
	case *Map:
		for j, e := range b.Outputs {
			fmt.Fprintf(&sb, "  %s%s = %s\n", k.OperandName(len(k.Inputs)+j), point, k.exprText(e, false, point))
		}
	case *Reduce:
		fmt.Fprintf(&sb, "  reduce axes %v from %s (%s): acc = %s\n", b.Axes, b.Identity, foldNames[b.Fold], k.exprText(b.Step, true, point))
		result := "acc"
		if b.Mean {
			result = "acc / count"
		}
		if acc, out := b.Identity.DType(), k.Outputs[0].DType; acc != out {
			result = "cast{" + out.String() + "}(" + result + ")"
		}
		if b.NonEmpty {
			result += "  (no elements: an error)"
		}
		fmt.Fprintf(&sb, "  %s[kept axes] = %s\n", k.OperandName(len(k.Inputs)), result)
	case *Scan:
		dir := "from 0"
		if b.Reverse {
			dir = "from the end"
		}
		fmt.Fprintf(&sb, "  scan i%d %s, acc = %s: %s%s = acc = %s\n", b.Axis, dir, b.Identity,
			k.OperandName(len(k.Inputs)), point, k.exprText(b.Step, true, point))
	case *Call: // call.go
		sb.WriteString(b.text(k))
	}
	return sb.String()
}

var foldNames = map[FoldPolicy]string{Sequential: "sequential", Pairwise: "pairwise"}

// point is "[i0,i1,...]" for a space of rank r.
func (k *Kernel) point(r int) string {
	idx := make([]string, r)
	for d := range idx {
		idx[d] = "i" + strconv.Itoa(d)
	}
	return "[" + strings.Join(idx, ",") + "]"
}

// inputRef matches an input's name in an expression's printed text.
var inputRef = regexp.MustCompile(`\bi(\d+)\b`)

// exprText prints e with its inputs named as the kernel's operands at the
// point (in0[i0,i1]); with acc, Input(0) is the accumulator and Input(1+i)
// is input i.
func (k *Kernel) exprText(e *Expr, acc bool, point string) string {
	return inputRef.ReplaceAllStringFunc(e.String(), func(m string) string {
		i, _ := strconv.Atoi(m[1:])
		if acc {
			if i == 0 {
				return "acc"
			}
			i--
		}
		return "in" + strconv.Itoa(i) + point
	})
}
