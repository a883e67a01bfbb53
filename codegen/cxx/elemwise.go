package cxx

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Elementwise nodes (Elemwise, FusedOp, CastOp, CopyOp) lower to one
// element function (a helper taking each input's stored value and
// returning the output's) and the loops that map it over the output
// (loops.go), chosen at generation time from what the types say about
// each operand's layout. Broadcast compatibility is checked in phase 1
// (generate.go's elementwiseChecks), so the loops never fail.

// An elementwise loop runs through the pool when its work, the output
// size times the element's cost (elementCost), reaches parallelWork, in
// chunks of at least half that work. Measured on the 2-core machine of
// BENCHMARKS.md (BenchmarkCxxElementwise, BenchmarkCxxMLPStep): a
// fork/join whose worker sleeps costs about 40 µs, what a serial a+1 takes
// on 1e5 float64 in cache, and one whose worker still spins from the
// previous loop (tg_pool.c) a few microseconds; but in a kernel that calls
// BLAS, OpenBLAS's threads spin on the cores for a long while after each
// product, and a parallel loop there ran slower than a serial one (tanh
// of 3e4 float32 after the MLP's first product: 260 µs against 50; of
// 3e5: 600-750 against 530-550; float64 tanh by tg_tanh_f64 of 3e5 after
// the first product, on a loaded machine: 930-1780 against 530-760),
// hence parallelWorkBLAS. A constant integer power (tg_powi) counts as
// arithmetic (cost 1): counted as 3, float32 2a + b**10 on 1e5 ran
// parallel in 200-310 µs against 25-29 serially.
const (
	parallelWork     = 1 << 18
	parallelWorkBLAS = 1 << 22
)

// expensiveScalars are the scalar ops that call a math function (tens of
// cycles per element where arithmetic takes one or two).
var expensiveScalars = map[string]bool{
	"pow": true, "exp": true, "log": true, "log1p": true, "expm1": true, "sin": true, "cos": true,
	"tanh": true, "sigmoid": true, "softplus": true, "true_div": true, "int_div": true, "mod": true,
}

// expensiveCost is the cost of one of expensiveScalars against 1 for the
// memory traffic and arithmetic of an element.
const expensiveCost = 8

// elementCost estimates the cost of one element of an elementwise node.
func elementCost(n *graph.Apply) int {
	cost := 1
	switch op := n.Op.(type) {
	case ops.Elemwise:
		k, _, constant := constExponent(n)
		if _, powi := powiValue(k); expensiveScalars[op.Scalar.Name] && !(constant && powi) {
			cost += expensiveCost
		}
	case ops.FusedOp:
		prog, err := parseProgram(op.Program)
		if err != nil {
			return cost
		}
		for _, in := range prog.instrs {
			if _, powi := powiExponent(in); in.row != nil && expensiveScalars[in.row.Name] && !powi {
				cost += expensiveCost
			}
		}
	}
	return cost
}

// cTypeOf is ops.CTypeOf.
func cTypeOf(d dtype.DType) ops.CType { return ops.CTypeOf(d) }

// load and store apply a dtype's Load/Store template to a C expression.
func load(d dtype.DType, x string) string {
	return strings.ReplaceAll(cTypeOf(d).Load, "$0", x)
}

func store(d dtype.DType, x string) string {
	ct := cTypeOf(d)
	return "static_cast<" + ct.Storage + ">(" + strings.ReplaceAll(ct.Store, "$0", x) + ")"
}

// elementwiseOf reports whether n is an elementwise node that broadcasts
// its inputs, with the name its errors use and its output rank.
func elementwiseOf(n *graph.Apply) (string, int, bool) {
	switch op := n.Op.(type) {
	case ops.Elemwise:
		return op.Scalar.Name, n.Outputs[0].Type.Ndim(), true
	case ops.FusedOp:
		return "composite", op.Ndim, true
	}
	return "", 0, false
}

// elementwiseInPlace: an elementwise node reads input i at the position it
// writes when input i has the output's rank and no broadcast dimension.
func elementwiseInPlace(n *graph.Apply, i int) bool {
	in, out := n.Inputs[i].Type, n.Outputs[0].Type
	if in.Ndim() != out.Ndim() {
		return false
	}
	for d, l := range in.Shape {
		if l == 1 && out.Shape[d] != 1 {
			return false
		}
	}
	if op, ok := n.Op.(ops.Elemwise); ok && op.Scalar.CheckI64 != nil {
		return false // may fail after writing
	}
	return true
}

// elementFunction adds the helper computing one element from body (which
// reads the parameters a0, a1, ... of the inputs' storage types and
// returns the output's storage value) and returns its name; equal bodies
// share one helper.
func elementFunction(e *Emitter, n *graph.Apply, body []string) string {
	in := make([]dtype.DType, len(n.Inputs))
	for i, v := range n.Inputs {
		in[i] = v.Type.DType
	}
	return elementHelper(e, in, n.Outputs[0].Type.DType, body)
}

// elementHelper adds the element function of parameters a0, a1, ... (the
// storage types of in) returning out's storage, named by its text.
func elementHelper(e *Emitter, in []dtype.DType, out dtype.DType, body []string) string {
	params := make([]string, len(in))
	for i, d := range in {
		params[i] = fmt.Sprintf("%s a%d", cTypeOf(d).Storage, i)
	}
	return sharedHelper(e, "tg_elem", fmt.Sprintf("static inline %s NAME(%s) {\n    %s\n}", cTypeOf(out).Storage, strings.Join(params, ", "), strings.Join(body, "\n    ")))
}

// sharedHelper adds the helper code, named prefix_<hash of code> (NAME in
// code), and returns its name: equal code is one helper.
func sharedHelper(e *Emitter, prefix, code string) string {
	sum := sha256.Sum256([]byte(code))
	name := prefix + "_" + hex.EncodeToString(sum[:6])
	e.Helper(name, strings.ReplaceAll(code, "NAME", name))
	return name
}

// scalarExpr applies row's C template to operand expressions, each in its
// input's compute type, converting them to the row's operand types.
func scalarExpr(row *ops.ScalarOp, dts []dtype.DType, operands []string) string {
	expr := row.C
	if c, ok := vectorScalars[vectorScalar{row.Name, row.OperandDType(dts, 0)}]; ok {
		expr = c
	}
	for i := len(operands) - 1; i >= 0; i-- {
		conv := fmt.Sprintf("tg_convert<%s>(%s)", cTypeOf(row.OperandDType(dts, i)).Compute, operands[i])
		expr = strings.ReplaceAll(expr, fmt.Sprintf("$%d", i), conv)
	}
	return expr
}

// vectorScalar names a scalar row and its first operand's dtype.
type vectorScalar struct {
	name string
	dt   dtype.DType
}

// vectorScalars replace a scalar row's C template for float32 or float64
// operands by a branch-free version (tg_loops.h) that the compiler
// vectorizes, where the libm call does not vectorize.
var vectorScalars = map[vectorScalar]string{
	{"tanh", dtype.Float32}: "tg_tanh_f32($0)",
	{"tanh", dtype.Float64}: "tg_tanh_f64($0)",
}

// lowerElemwise maps the scalar row's template over the inputs.
func lowerElemwise(e *Emitter, n *graph.Apply) error {
	row := n.Op.(ops.Elemwise).Scalar
	dts := make([]dtype.DType, len(n.Inputs))
	operands := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		dts[i] = in.Type.DType
		operands[i] = load(dts[i], fmt.Sprintf("a%d", i))
	}
	out := n.Outputs[0].Type.DType
	var expr string
	if k, lit, ok := constExponent(n); ok {
		// the exponent in the code, not read per element: multiplications
		// for an integer one in float arithmetic, as in a fused kernel
		if kk, ok := powiValue(k); ok && row.ComputeDType(dts).IsFloat() {
			expr = fmt.Sprintf("tg_powi<%d>(tg_convert<double>(%s))", kk, operands[0])
		} else {
			operands[1] = load(dts[1], lit)
		}
	}
	if expr == "" {
		expr = scalarExpr(row, dts, operands)
	}
	fn := elementFunction(e, n, []string{"return " + store(out, fmt.Sprintf("tg_convert<%s>(%s)", cTypeOf(out).Compute, expr)) + ";"})
	if row.CheckI64 != nil && row.ComputeDType(dts) == dtype.Int64 {
		if row.Name != "pow" {
			return fmt.Errorf("cxx: no check for integer %s", row.Name)
		}
		e.Line("if (tg_view_size(out0) > 0 && tg_any_negative(in1)) return tg_set_error(err, \"ValueError: pow: Integers to negative integer powers are not allowed.\");")
	}
	emitLoops(e, n, fn)
	return nil
}

// lowerCast converts each element as astype does.
func lowerCast(e *Emitter, n *graph.Apply) error {
	from, to := n.Inputs[0].Type.DType, n.Outputs[0].Type.DType
	fn := elementFunction(e, n, []string{"return " + store(to, fmt.Sprintf("tg_astype<%s>(%s)", cTypeOf(to).Compute, load(from, "a0"))) + ";"})
	emitLoops(e, n, fn)
	return nil
}

// lowerCopy copies the elements.
func lowerCopy(e *Emitter, n *graph.Apply) error {
	fn := elementFunction(e, n, []string{"return a0;"})
	emitLoops(e, n, fn)
	return nil
}

// lowerFused computes the program's instructions in order, each rounded to
// its dtype's storage as the Elemwise or cast it replaced would store it
// (fusedElementFunction).
func lowerFused(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.FusedOp)
	prog, err := parseProgram(op.Program)
	if err != nil {
		return err
	}
	if prog.nInputs != len(n.Inputs) {
		return fmt.Errorf("cxx: composite takes %d inputs, got %d", prog.nInputs, len(n.Inputs))
	}
	inDT := make([]dtype.DType, len(n.Inputs))
	for i, in := range n.Inputs {
		inDT[i] = in.Type.DType
	}
	fn, out, err := fusedElementFunction(e, prog, inDT)
	if err != nil {
		return err
	}
	if out != n.Outputs[0].Type.DType {
		return fmt.Errorf("cxx: composite computes %v, its output is %v", out, n.Outputs[0].Type.DType)
	}
	emitLoops(e, n, fn)
	return nil
}

// fusedElementFunction adds the helper computing one element of a fused
// program from its inputs' stored values, each instruction rounded to its
// dtype's storage as the Elemwise or cast it replaced would store it (as
// lowerFused's element function), and returns its name and the dtype of
// the value it returns. Each instruction is one statement, a named
// temporary (const double t3 = ...;) that later instructions read by name:
// the function is the program's DAG, a value read twice is computed once,
// and its length is the program's, never that of the expression tree.
func fusedElementFunction(e *Emitter, prog *program, inDT []dtype.DType) (string, dtype.DType, error) {
	tdt := make([]dtype.DType, len(prog.instrs))
	argDT := func(a progArg) dtype.DType {
		switch a.kind {
		case 'i':
			return inDT[a.index]
		case 'k':
			return a.dt
		}
		return tdt[a.index]
	}
	argExpr := func(a progArg) (string, error) {
		switch a.kind {
		case 'i':
			return load(inDT[a.index], fmt.Sprintf("a%d", a.index)), nil
		case 'k':
			lit, err := constLiteral(a.dt, a.text)
			return load(a.dt, lit), err
		}
		return load(tdt[a.index], fmt.Sprintf("t%d", a.index)), nil
	}
	var body []string
	for t, in := range prog.instrs {
		dts := make([]dtype.DType, len(in.args))
		operands := make([]string, len(in.args))
		for i, a := range in.args {
			var err error
			dts[i] = argDT(a)
			if operands[i], err = argExpr(a); err != nil {
				return "", 0, err
			}
		}
		var value string
		if in.row == nil {
			tdt[t] = in.cast
			value = fmt.Sprintf("tg_astype<%s>(%s)", cTypeOf(in.cast).Compute, operands[0])
		} else {
			var err error
			if tdt[t], err = in.row.OutputDType(dts); err != nil {
				return "", 0, err
			}
			if in.row.CheckI64 != nil && in.row.ComputeDType(dts) == dtype.Int64 {
				return "", 0, fmt.Errorf("cxx: integer %s inside a composite runs in the evaluator (its check)", in.row.Name)
			}
			if k, ok := powiExponent(in); ok && in.row.ComputeDType(dts).IsFloat() {
				value = fmt.Sprintf("tg_convert<%s>(tg_powi<%d>(tg_convert<double>(%s)))", cTypeOf(tdt[t]).Compute, k, operands[0])
			} else {
				value = fmt.Sprintf("tg_convert<%s>(%s)", cTypeOf(tdt[t]).Compute, scalarExpr(in.row, dts, operands))
			}
		}
		body = append(body, fmt.Sprintf("const %s t%d = %s;", cTypeOf(tdt[t]).Storage, t, store(tdt[t], value)))
	}
	out := tdt[len(tdt)-1]
	body = append(body, fmt.Sprintf("return t%d;", len(prog.instrs)-1))
	for i := range inDT {
		body = append([]string{fmt.Sprintf("(void)a%d;", i)}, body...)
	}
	return elementHelper(e, inDT, out, body), out, nil
}

// constExponent reports whether n is an Elemwise pow whose exponent is a
// constant with every element equal (a scalar broadcast), with that value
// and its C literal.
func constExponent(n *graph.Apply) (float64, string, bool) {
	op, ok := n.Op.(ops.Elemwise)
	if !ok || op.Scalar.Name != "pow" || len(n.Inputs) != 2 {
		return 0, "", false
	}
	y := n.Inputs[1]
	if !y.IsConstant() || y.Value.Size() == 0 || y.Type.DType.IsComplex() {
		return 0, "", false
	}
	lit := literal(y.Value, 0)
	for i := 1; i < y.Value.Size(); i++ {
		if literal(y.Value, i) != lit {
			return 0, "", false
		}
	}
	return y.Value.Float64s()[0], lit, true
}

// powiValue reports whether k is an integer exponent that tg_powi
// computes (|k| <= maxPowi).
func powiValue(k float64) (int, bool) {
	if k != math.Trunc(k) || math.Abs(k) > maxPowi {
		return 0, false
	}
	return int(k), true
}

// maxPowi is the largest |k| of a constant integer exponent computed by
// multiplications (tg_powi) rather than pow().
const maxPowi = 64

// powiExponent reports whether a program instruction is x ** k with a
// constant integer k (|k| <= maxPowi), and k.
func powiExponent(in progInstr) (int, bool) {
	if in.row == nil || in.row.Name != "pow" || len(in.args) != 2 || in.args[1].kind != 'k' {
		return 0, false
	}
	k, err := strconv.ParseFloat(in.args[1].text, 64)
	if err != nil {
		return 0, false
	}
	return powiValue(k)
}

// program is a FusedOp's program (core/ops/fused.go documents the text):
// instructions separated by ";", each a scalar row or cast:<dtype> and its
// arguments: inputs i<k>, earlier instructions t<k>, constants dtype:value.
type program struct {
	instrs  []progInstr
	nInputs int
}

type progInstr struct {
	row  *ops.ScalarOp // nil for a cast
	cast dtype.DType
	args []progArg
}

type progArg struct {
	kind  byte // 'i', 't' or 'k'
	index int
	dt    dtype.DType // constants
	text  string
}

func parseProgram(text string) (*program, error) {
	p := &program{}
	for _, line := range strings.Split(text, ";") {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil, fmt.Errorf("cxx: empty instruction in %q", text)
		}
		var in progInstr
		if to, ok := strings.CutPrefix(f[0], "cast:"); ok {
			dt, err := dtype.Parse(to)
			if err != nil {
				return nil, err
			}
			in.cast = dt
		} else if in.row = ops.ScalarByName(f[0]); in.row == nil {
			return nil, fmt.Errorf("cxx: unknown scalar op %q", f[0])
		}
		for _, a := range f[1:] {
			var arg progArg
			if dt, v, ok := strings.Cut(a, ":"); ok {
				d, err := dtype.Parse(dt)
				if err != nil {
					return nil, err
				}
				arg = progArg{kind: 'k', dt: d, text: v}
			} else {
				k, err := strconv.Atoi(a[1:])
				if err != nil || (a[0] != 'i' && a[0] != 't') {
					return nil, fmt.Errorf("cxx: bad argument %q", a)
				}
				arg = progArg{kind: a[0], index: k}
				if a[0] == 'i' {
					p.nInputs = max(p.nInputs, k+1)
				}
			}
			in.args = append(in.args, arg)
		}
		p.instrs = append(p.instrs, in)
	}
	return p, nil
}

// constLiteral writes a program constant as a C literal of its dtype's
// storage type.
func constLiteral(dt dtype.DType, text string) (string, error) {
	var a *tensor.Array
	switch {
	case dt.IsComplex():
		c, err := strconv.ParseComplex(text, 128)
		if err != nil {
			return "", err
		}
		a = tensor.FromComplex128s(dt, nil, []complex128{c})
	case dt.IsFloat():
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return "", err
		}
		a = tensor.FromFloat64s(dt, nil, []float64{f})
	case dt == dtype.Uint64:
		u, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return "", err
		}
		a = tensor.FromInt64s(dt, nil, []int64{int64(u)})
	default:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return "", err
		}
		a = tensor.FromInt64s(dt, nil, []int64{i})
	}
	return literal(a, 0), nil
}

// literal writes element i of a as a C++ value of its storage type.
func literal(a *tensor.Array, i int) string {
	switch s := a.Data.(type) {
	case []bool:
		return strconv.FormatBool(s[i])
	case []float64:
		return cFloat(s[i])
	case []float32:
		return "float(" + cFloat(float64(s[i])) + ")"
	case []complex64:
		return fmt.Sprintf("std::complex<float>(%s, %s)", cFloat(float64(real(s[i]))), cFloat(float64(imag(s[i]))))
	case []complex128:
		return fmt.Sprintf("std::complex<double>(%s, %s)", cFloat(real(s[i])), cFloat(imag(s[i])))
	}
	if a.DType == dtype.Float16 {
		return fmt.Sprintf("uint16_t(%d)", a.Data.([]uint16)[i])
	}
	v := a.Int64s()[i]
	st := cTypeOf(a.DType).Storage
	switch {
	case a.DType.Kind() == dtype.KindUint:
		return fmt.Sprintf("%s(%dULL)", st, uint64(v))
	case v == math.MinInt64:
		return "INT64_MIN"
	}
	return fmt.Sprintf("%s(%dLL)", st, v)
}

// cFloat writes a float64 exactly (hexadecimal).
func cFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NAN"
	case math.IsInf(v, 1):
		return "INFINITY"
	case math.IsInf(v, -1):
		return "-INFINITY"
	}
	return strconv.FormatFloat(v, 'x', -1, 64)
}
