package kir

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"theanogo/core/dtype"
)

// Target is what a C dialect (C++ for the CPU, CUDA C for the GPU) decides
// when an expression is rendered; Render decides the rest, the same for
// every target: the order of the statements (the schedule), the names of
// the temporaries (t0, t1, ... one per computed node, as String numbers
// them), the rounding of every value to its dtype's storage (as the
// Elemwise node it replaces stores it), and which template a row uses.
// Both targets compile the same runtime header of scalar helpers
// (tg_convert<T>(x) converts a computed value, tg_astype<T>(x) converts
// as astype does, tg_powi<k>(x) is x**k by multiplications), so those
// names are part of Render, not of the target.
type Target interface {
	// Storage is the C type holding a value of dt in memory ("double",
	// "uint16_t" for float16 on the CPU).
	Storage(dt dtype.DType) string
	// Compute is the C type a value of dt computes in ("float" for float16).
	Compute(dt dtype.DType) string
	// Load converts expression x of Storage(dt) to Compute(dt).
	Load(dt dtype.DType, x string) string
	// Store converts expression x of Compute(dt) to Storage(dt).
	Store(dt dtype.DType, x string) string
	// Literal is a constant as an expression of Storage(c.DType()).
	Literal(c Const) string
	// Template is the row's C template for operands of dtype operand (its
	// first operand's), usually row.CTemplate(); a target may name a
	// faster helper ("tg_tanh_f32($0)" where std::tanh does not vectorize).
	Template(row Row, operand dtype.DType) string
	// Index is the flat element index as an int64 expression, or an
	// error when the target's loops do not provide it.
	Index() (string, error)
}

// Rendered is an expression as C statements: Body computes every node
// once, in schedule order, each computed node into a const temporary
// (const double t3 = ...;), and Result is the expression of the root's
// value in Storage(root dtype) (a temporary, an input or a literal).
type Rendered struct {
	Body   []string
	Result string
}

// MaxPowi is the largest |k| of a constant integer exponent that Render
// computes by multiplications (tg_powi) rather than by pow.
const MaxPowi = 64

// Render writes e as statements of target t; input(i) is the C expression
// of input i's stored value (a parameter a0, a load in[i][k]). For
//
//	t0 = i0 + 1; exp(t0) * sin(t0)
//
// over float64 the C++ target renders
//
//	const double t0 = static_cast<double>(tg_convert<double>((tg_convert<double>(a0) + tg_convert<double>(0x1p+00))));
//	const double t1 = static_cast<double>(tg_convert<double>(std::exp(tg_convert<double>(t0))));
//	const double t2 = static_cast<double>(tg_convert<double>(std::sin(tg_convert<double>(t0))));
//	const double t3 = static_cast<double>(tg_convert<double>((tg_convert<double>(t1) * tg_convert<double>(t2))));
//
// with Result "t3": t0 is computed once, however many nodes read it.
// A row that checks its integer operands (integer pow) is an error: the
// generated code could not raise.
func Render(t Target, e *Expr, input func(i int) string) (Rendered, error) {
	order := e.Schedule()
	temps := Temporaries(order)
	// value is node n's stored value as an expression of Compute(n.dt)
	value := func(n *Expr) (string, error) {
		switch n.op {
		case OpInput:
			return t.Load(n.dt, input(n.input)), nil
		case OpConst:
			return t.Load(n.dt, t.Literal(n.c)), nil
		case OpIndex:
			x, err := t.Index()
			return t.Load(n.dt, x), err
		}
		return t.Load(n.dt, "t"+strconv.Itoa(temps[n])), nil
	}
	var r Rendered
	for _, n := range order {
		if n.op != OpApply && n.op != OpCast {
			continue
		}
		operands := make([]string, len(n.args))
		dts := make([]dtype.DType, len(n.args))
		for i, a := range n.args {
			var err error
			if operands[i], err = value(a); err != nil {
				return Rendered{}, err
			}
			dts[i] = a.dt
		}
		compute := t.Compute(n.dt)
		var v string
		switch {
		case n.op == OpCast:
			v = "tg_astype<" + compute + ">(" + operands[0] + ")"
		case n.row.ChecksIntegers(dts):
			return Rendered{}, fmt.Errorf("integer %s inside a composite runs in the evaluator (its check)", n.row.RowName())
		default:
			if k, ok := PowiExponent(n); ok && n.row.ComputeDType(dts).IsFloat() {
				v = fmt.Sprintf("tg_convert<%s>(tg_powi<%d>(tg_convert<double>(%s)))", compute, k, operands[0])
			} else {
				v = "tg_convert<" + compute + ">(" + applyTemplate(t, n.row, dts, operands) + ")"
			}
		}
		name := "t" + strconv.Itoa(temps[n])
		r.Body = append(r.Body, "const "+t.Storage(n.dt)+" "+name+" = "+t.Store(n.dt, v)+";")
	}
	switch e.op {
	case OpApply, OpCast:
		r.Result = "t" + strconv.Itoa(temps[e])
	case OpInput:
		r.Result = input(e.input)
	case OpConst:
		r.Result = t.Literal(e.c)
	default:
		x, err := t.Index()
		if err != nil {
			return Rendered{}, err
		}
		r.Result = t.Store(e.dt, t.Load(e.dt, x))
	}
	return r, nil
}

// applyTemplate fills the row's template with the operands, each
// converted to the C type of the dtype it enters the row in.
func applyTemplate(t Target, row Row, dts []dtype.DType, operands []string) string {
	expr := t.Template(row, row.OperandDType(dts, 0))
	for i := len(operands) - 1; i >= 0; i-- {
		conv := "tg_convert<" + t.Compute(row.OperandDType(dts, i)) + ">(" + operands[i] + ")"
		expr = strings.ReplaceAll(expr, "$"+strconv.Itoa(i), conv)
	}
	return expr
}

// PowiExponent reports whether n is x ** k for a constant integer k with
// |k| <= MaxPowi (which Render computes by multiplications), and k.
func PowiExponent(n *Expr) (int, bool) {
	if n.op != OpApply || n.row.RowName() != "pow" || n.args[1].op != OpConst {
		return 0, false
	}
	c := n.args[1].c
	var k float64
	switch dt := c.dt; {
	case dt.IsComplex():
		return 0, false
	case dt.IsFloat():
		k = c.Float64()
	case dt == dtype.Uint64:
		k = float64(c.Uint64())
	default:
		k = float64(c.Int64())
	}
	if k != math.Trunc(k) || math.Abs(k) > MaxPowi {
		return 0, false
	}
	return int(k), true
}
