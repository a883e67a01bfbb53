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
	return render(t, e, input, false)
}

// RenderChecked is Render for a caller that checks, before its loops,
// every operand a checking row could reject (the C++ generator raises on a
// negative exponent of an integer pow that reads an input with
// tg_any_negative): such rows render with their templates instead of
// being refused.
func RenderChecked(t Target, e *Expr, input func(i int) string) (Rendered, error) {
	return render(t, e, input, true)
}

func render(t Target, e *Expr, input func(i int) string, checked bool) (Rendered, error) {
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
		case n.row.ChecksIntegers(dts) && !checked && !nonNegativeExponent(n):
			return Rendered{}, fmt.Errorf("integer %s inside a composite runs in the evaluator (its check)", n.row.RowName())
		default:
			v = "tg_convert<" + compute + ">(" + applyTemplate(t, n.row, dts, operands) + ")"
			if p, ok := powerText(t, n, dts, operands[0]); ok {
				v = "tg_convert<" + compute + ">(" + p + ")"
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

// MaxPowProduct is the largest |k| of a constant integer exponent that
// Render writes out as products (x ** 2 is x * x, x ** 3 is x * (x * x));
// up to MaxPowi, tg_powi<k> multiplies by squaring in the same order.
const MaxPowProduct = 4

// powerText is x ** k for a pow node n of constant integer exponent k, as
// multiplications in its compute type: float powers in double, in the
// order of tg_powu (Go's math.Pow for an integer exponent: the
// evaluator's), integer powers of k >= 0 in int64 (wrapping
// multiplication: any order gives the same value). x is the base's value.
func powerText(t Target, n *Expr, dts []dtype.DType, x string) (string, bool) {
	k, ok := PowiExponent(n)
	if !ok {
		return "", false
	}
	switch compute := n.row.ComputeDType(dts); {
	case compute.IsFloat():
		if k < -MaxPowProduct || k > MaxPowProduct {
			return fmt.Sprintf("tg_powi<%d>(tg_convert<double>(%s))", k, x), true
		}
		p := powProduct(max(k, -k), "tg_convert<double>("+x+")", "1.0")
		if k < 0 {
			p = "(1.0 / " + p + ")"
		}
		return p, true
	case compute == dtype.Int64 && k >= 0 && k <= MaxPowProduct:
		c := t.Compute(dtype.Int64)
		return powProduct(k, "tg_convert<"+c+">("+x+")", c+"(1)"), true
	}
	return "", false
}

// powProduct writes x ** k (k >= 0) as products, low bits of k first:
// the accumulator times the square at each set bit (tg_powu's order), so
// x ** 3 is (x * (x * x)) and x ** 4 ((x * x) * (x * x)); one is x ** 0.
func powProduct(k int, x, one string) string {
	acc := ""
	for ; k > 0; k >>= 1 {
		if k&1 == 1 {
			if acc == "" {
				acc = x
			} else {
				acc = "(" + acc + " * " + x + ")"
			}
		}
		if k > 1 {
			x = "(" + x + " * " + x + ")"
		}
	}
	if acc == "" {
		return one
	}
	return acc
}

// nonNegativeExponent reports whether n is a pow whose exponent is a
// constant integer >= 0: an integer pow that can never be rejected.
func nonNegativeExponent(n *Expr) bool {
	if n.op != OpApply || n.row.RowName() != "pow" || n.args[1].op != OpConst {
		return false
	}
	c := n.args[1].c
	switch dt := c.dt; {
	case dt == dtype.Uint64 || dt == dtype.Bool:
		return true
	case dt.IsFloat() || dt.IsComplex():
		return false
	}
	return c.Int64() >= 0
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

// Checked lists the nodes of e that Render refuses and RenderChecked
// renders: rows that reject some integer operands (integer pow), unless
// the exponent is a constant that can never be rejected. A printer that
// checks their operands before its loops renders e with RenderChecked.
func Checked(e *Expr) []*Expr {
	var nodes []*Expr
	for _, n := range e.Schedule() {
		if n.op != OpApply {
			continue
		}
		dts := make([]dtype.DType, len(n.args))
		for i, a := range n.args {
			dts[i] = a.dt
		}
		if n.row.ChecksIntegers(dts) && !nonNegativeExponent(n) {
			nodes = append(nodes, n)
		}
	}
	return nodes
}
