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
// returning the output's) and the loops that map it over the output:
//
//   - a flat loop with __restrict pointers when every input is contiguous
//     with the output's shape or a statically known scalar (the compiler
//     vectorizes it);
//   - a flat loop with a step of 0 or 1 per input when some inputs are
//     broadcast scalars at run time;
//   - otherwise a strided nest: the innermost dimension as a tight loop,
//     the outer ones as a counter.
//
// Above parallelThreshold elements the loop runs through tg_parallel_for
// in chunks of parallelGrain. Broadcast compatibility is checked in phase
// 1 (generate.go's elementwiseChecks), so the loops never fail.

// parallelThreshold is the output size from which an elementwise loop is
// split across the pool's threads; parallelGrain is the smallest chunk.
const (
	parallelThreshold = 32768
	parallelGrain     = 16384
)

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
	var params []string
	for i, in := range n.Inputs {
		params = append(params, fmt.Sprintf("%s a%d", cTypeOf(in.Type.DType).Storage, i))
	}
	sig := fmt.Sprintf("static inline %s NAME(%s) {\n    %s\n}", cTypeOf(n.Outputs[0].Type.DType).Storage, strings.Join(params, ", "), strings.Join(body, "\n    "))
	sum := sha256.Sum256([]byte(sig))
	fn := "tg_elem_" + hex.EncodeToString(sum[:6])
	e.Helper(fn, strings.Replace(sig, "NAME", fn, 1))
	return fn
}

// staticScalar reports whether every dimension of t is statically 1.
func staticScalar(t graph.Type) bool {
	for _, d := range t.Shape {
		if d != 1 {
			return false
		}
	}
	return true
}

// emitLoops writes the loops applying element function fn over out0.
func emitLoops(e *Emitter, n *graph.Apply, fn string) {
	out := n.Outputs[0].Type
	r := out.Ndim()
	os := cTypeOf(out.DType).Storage
	e.Line("const int64_t size = tg_view_size(out0);")
	e.Line("if (size == 0) return 0;")
	var fields []string
	fields = append(fields, os+" *o;")
	var vector []int
	for i, in := range n.Inputs {
		fields = append(fields, fmt.Sprintf("const %s *p%d;", cTypeOf(in.Type.DType).Storage, i))
		if !staticScalar(in.Type) {
			vector = append(vector, i)
			if r > 0 {
				fields = append(fields, fmt.Sprintf("int64_t s%d[%d];", i, r))
			}
			fields = append(fields, fmt.Sprintf("int64_t f%d;", i))
		}
	}
	if r > 0 {
		fields = append(fields, fmt.Sprintf("int64_t shape[%d];", r))
	}
	fields = append(fields, "int mode;")
	e.Line("struct ctx_t { %s };", strings.Join(fields, " "))
	e.Line("ctx_t c;")
	e.Line("c.o = (%s *)out0->data;", os)
	for i, in := range n.Inputs {
		e.Line("c.p%d = (const %s *)in%d->data;", i, cTypeOf(in.Type.DType).Storage, i)
	}
	if r > 0 {
		e.Line("for (int d = 0; d < %d; d++) c.shape[d] = out0->shape[d];", r)
	}
	e.Line("c.mode = 1;")
	for _, i := range vector {
		if r > 0 {
			e.Line("tg_bstrides(in%d, out0, c.s%d);", i, i)
			e.Line("c.f%d = tg_flat_step(c.s%d, out0);", i, i)
		} else {
			e.Line("c.f%d = 1;", i)
		}
		e.Line("if (c.f%d < 0) c.mode = 3; else if (c.f%d == 0 && c.mode == 1) c.mode = 2;", i, i)
	}
	e.Line("tg_range_fn body = [](void *vc, int64_t b, int64_t end) {")
	e.Line("ctx_t *c = (ctx_t *)vc;")
	e.Line("%s *__restrict o = c->o;", os)
	args := func(at func(i int) string) string {
		var a []string
		for i := range n.Inputs {
			if staticScalar(n.Inputs[i].Type) {
				a = append(a, fmt.Sprintf("x%d", i))
			} else {
				a = append(a, at(i))
			}
		}
		return strings.Join(a, ", ")
	}
	for i, in := range n.Inputs {
		st := cTypeOf(in.Type.DType).Storage
		e.Line("const %s *__restrict p%d = c->p%d;", st, i, i)
		if staticScalar(in.Type) {
			e.Line("const %s x%d = p%d[0];", st, i, i)
		}
	}
	e.Line("if (c->mode == 1) {")
	e.Line("for (int64_t k = b; k < end; k++) o[k] = %s(%s);", fn, args(func(i int) string { return fmt.Sprintf("p%d[k]", i) }))
	e.Line("} else if (c->mode == 2) {")
	for _, i := range vector {
		e.Line("const int64_t f%d = c->f%d;", i, i)
	}
	e.Line("for (int64_t k = b; k < end; k++) o[k] = %s(%s);", fn, args(func(i int) string { return fmt.Sprintf("p%d[k * f%d]", i, i) }))
	e.Line("} else {")
	if r > 0 {
		e.Line("int64_t idx[%d];", r)
		e.Line("int64_t rest = b;")
		e.Line("for (int d = %d; d >= 0; d--) { idx[d] = rest %% c->shape[d]; rest /= c->shape[d]; }", r-1)
		for _, i := range vector {
			e.Line("int64_t off%d = 0; for (int d = 0; d < %d; d++) off%d += idx[d] * c->s%d[d];", i, r, i, i)
			e.Line("const int64_t t%d = c->s%d[%d];", i, i, r-1)
		}
		e.Line("int64_t k = b;")
		e.Line("while (k < end) {")
		e.Line("int64_t len = c->shape[%d] - idx[%d];", r-1, r-1)
		e.Line("if (len > end - k) len = end - k;")
		e.Line("for (int64_t j = 0; j < len; j++) o[k + j] = %s(%s);", fn, args(func(i int) string { return fmt.Sprintf("p%d[off%d + j * t%d]", i, i, i) }))
		var adv []string
		for _, i := range vector {
			adv = append(adv, fmt.Sprintf("off%d += len * t%d;", i, i))
		}
		e.Line("k += len; idx[%d] += len; %s", r-1, strings.Join(adv, " "))
		var carry []string
		for _, i := range vector {
			carry = append(carry, fmt.Sprintf("off%d += c->s%d[d - 1] - idx[d] * c->s%d[d];", i, i, i))
		}
		e.Line("for (int d = %d; d > 0 && idx[d] == c->shape[d]; d--) { %s idx[d] = 0; idx[d - 1]++; }", r-1, strings.Join(carry, " "))
		e.Line("}")
	}
	e.Line("}")
	e.Line("};")
	e.Line("if (size >= %d) tg_parallel_for(size, %d, body, &c); else body(&c, 0, size);", parallelThreshold, parallelGrain)
}

// scalarExpr applies row's C template to operand expressions, each in its
// input's compute type, converting them to the row's operand types.
func scalarExpr(row *ops.ScalarOp, dts []dtype.DType, operands []string) string {
	expr := row.C
	for i := len(operands) - 1; i >= 0; i-- {
		conv := fmt.Sprintf("tg_convert<%s>(%s)", cTypeOf(row.OperandDType(dts, i)).Compute, operands[i])
		expr = strings.ReplaceAll(expr, fmt.Sprintf("$%d", i), conv)
	}
	return expr
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
	expr := scalarExpr(row, dts, operands)
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
// its dtype's storage as the Elemwise or cast it replaced would store it.
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
			dts[i] = argDT(a)
			if operands[i], err = argExpr(a); err != nil {
				return err
			}
		}
		var value string
		if in.row == nil {
			tdt[t] = in.cast
			value = fmt.Sprintf("tg_astype<%s>(%s)", cTypeOf(in.cast).Compute, operands[0])
		} else {
			if tdt[t], err = in.row.OutputDType(dts); err != nil {
				return err
			}
			if in.row.CheckI64 != nil && in.row.ComputeDType(dts) == dtype.Int64 {
				return fmt.Errorf("cxx: integer %s inside a composite runs in the evaluator (its check)", in.row.Name)
			}
			value = fmt.Sprintf("tg_convert<%s>(%s)", cTypeOf(tdt[t]).Compute, scalarExpr(in.row, dts, operands))
		}
		body = append(body, fmt.Sprintf("const %s t%d = %s;", cTypeOf(tdt[t]).Storage, t, store(tdt[t], value)))
	}
	if last := tdt[len(tdt)-1]; last != n.Outputs[0].Type.DType {
		return fmt.Errorf("cxx: composite computes %v, its output is %v", last, n.Outputs[0].Type.DType)
	}
	body = append(body, fmt.Sprintf("return t%d;", len(prog.instrs)-1))
	for i := range n.Inputs {
		body = append([]string{fmt.Sprintf("(void)a%d;", i)}, body...)
	}
	emitLoops(e, n, elementFunction(e, n, body))
	return nil
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
