package kir

import (
	"fmt"
	"sync"

	"theanogo/core/dtype"
)

// Op is the kind of a node.
type Op uint8

const (
	// OpInput is input i of the fused node, one element of it, of the
	// input's dtype: printed i0, i1, ...
	OpInput Op = iota + 1
	// OpConst is a constant (Const): printed as its value, 0.5.
	OpConst
	// OpApply is a row of the scalar table applied to its arguments:
	// printed tanh(x), x + y.
	OpApply
	// OpCast converts its argument to a dtype as astype does: printed
	// cast{float32}(x).
	OpCast
	// OpIndex is the flat (C-order) position of the element in the
	// output, an int64: what a counter-based random generator draws
	// from. Printed index.
	OpIndex
)

// Expr is one node of the DAG and the expression it roots. Nodes are
// immutable and interned: the constructors return the same pointer for
// the same node (same op, dtype, input, constant or row, and the same
// argument pointers), so equal expressions are ==, however and wherever
// they were built (a decoded expression is the pointer that was encoded).
type Expr struct {
	op    Op
	dt    dtype.DType
	input int
	c     Const
	row   Row
	args  []*Expr
	// nInputs is one more than the largest input index read below (0:
	// none), computed when the node is made.
	nInputs int
}

// key is what makes a node itself: the interning table's key.
type key struct {
	op    Op
	dt    dtype.DType
	input int
	c     Const
	row   Row
	args  [3]*Expr
}

// interned is the table of every node made so far. It only grows, as
// the caches of compiled code do: an expression's nodes are a few hundred
// bytes each, and a process builds as many as it fuses.
var interned = struct {
	sync.Mutex
	m map[key]*Expr
}{m: map[key]*Expr{}}

// intern returns the node of k, making it once.
func intern(k key, args []*Expr) *Expr {
	interned.Lock()
	defer interned.Unlock()
	if e := interned.m[k]; e != nil {
		return e
	}
	e := &Expr{op: k.op, dt: k.dt, input: k.input, c: k.c, row: k.row, args: args}
	if k.op == OpInput {
		e.nInputs = k.input + 1
	}
	for _, a := range args {
		e.nInputs = max(e.nInputs, a.nInputs)
	}
	interned.m[k] = e
	return e
}

// Input is one element of input i of the fused node, of dtype dt.
func Input(i int, dt dtype.DType) *Expr {
	if i < 0 {
		panic(fmt.Sprintf("kir: input %d", i))
	}
	return intern(key{op: OpInput, dt: dt, input: i}, nil)
}

// Constant is the constant c, of its dtype.
func Constant(c Const) *Expr { return intern(key{op: OpConst, dt: c.dt, c: c}, nil) }

// Index is the flat position of the element in the output (int64).
func Index() *Expr { return intern(key{op: OpIndex, dt: dtype.Int64}, nil) }

// Cast is x converted to dtype to, as CastOp (astype) converts it.
func Cast(x *Expr, to dtype.DType) *Expr {
	return intern(key{op: OpCast, dt: to, args: [3]*Expr{x}}, []*Expr{x})
}

// Apply is row applied to args, of the dtype the row's rule gives for the
// arguments' dtypes (as the Elemwise node of the same row would have), or
// the rule's error when the row does not take those dtypes.
//
//	kir.Apply(mul, kir.Input(0, dtype.Float32), kir.Constant(kir.IntConst(dtype.Int8, 3)))  // float32
func Apply(row Row, args ...*Expr) (*Expr, error) {
	if len(args) != row.RowArity() || len(args) > 3 {
		return nil, fmt.Errorf("kir: %s takes %d arguments, got %d", row.RowName(), row.RowArity(), len(args))
	}
	k := key{op: OpApply, row: row}
	dts := make([]dtype.DType, len(args))
	for i, a := range args {
		if a == nil {
			return nil, fmt.Errorf("kir: %s: argument %d is nil", row.RowName(), i)
		}
		k.args[i], dts[i] = a, a.dt
	}
	dt, err := row.OutputDType(dts)
	if err != nil {
		return nil, err
	}
	k.dt = dt
	return intern(k, append([]*Expr(nil), args...)), nil
}

// Op is the node's kind.
func (e *Expr) Op() Op { return e.op }

// DType is the dtype of the node's value.
func (e *Expr) DType() dtype.DType { return e.dt }

// InputIndex is the input an OpInput node reads.
func (e *Expr) InputIndex() int { return e.input }

// Const is an OpConst node's constant.
func (e *Expr) Const() Const { return e.c }

// Row is an OpApply node's row.
func (e *Expr) Row() Row { return e.row }

// Args are the node's arguments (an OpApply's operands, an OpCast's
// value). The slice is the node's own: do not modify it.
func (e *Expr) Args() []*Expr { return e.args }

// NumInputs is how many inputs the expression reads: one more than the
// largest input index in it.
func (e *Expr) NumInputs() int { return e.nInputs }

// Substitute is e with each input i replaced by with(i) (nil keeps the
// input): how a lowering puts a one-element constant operand into the
// expression, so that every printer writes it as a literal.
//
//	Substitute(i0 * i1, func(i int) *Expr { if i == 1 { return Constant(c) }; return nil })  // i0 * 0.5
//
// It rebuilds each node once (the schedule), so a shared value stays one
// node. A replacement must have the input's dtype, or the rebuilt rows may
// type differently: it is an error.
func Substitute(e *Expr, with func(i int) *Expr) (*Expr, error) {
	done := map[*Expr]*Expr{}
	for _, n := range e.Schedule() {
		switch n.op {
		case OpInput:
			r := with(n.input)
			if r == nil {
				r = n
			} else if r.dt != n.dt {
				return nil, fmt.Errorf("kir: input %d is %v, its replacement %v", n.input, n.dt, r.dt)
			}
			done[n] = r
		case OpApply:
			args := make([]*Expr, len(n.args))
			for i, a := range n.args {
				args[i] = done[a]
			}
			r, err := Apply(n.row, args...)
			if err != nil {
				return nil, err
			}
			done[n] = r
		case OpCast:
			done[n] = Cast(done[n.args[0]], n.dt)
		default:
			done[n] = n
		}
	}
	return done[e], nil
}
