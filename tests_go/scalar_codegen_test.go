package testsgo

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestScalarTableCodegen renders every row of the scalar op table, for every
// input dtype combination the row accepts, into one C++ program that
// includes codegen/runtime/tg_scalar.h, compiles it with g++ and runs it,
// and compares each printed result with the Go evaluator's Elemwise result
// on the same values: bitwise for bools and integers, within a few units in
// the last place for floats (NaN equals NaN).
//
// Each input enters the template as generated code will pass it: loaded from
// its storage type, converted to the row's OperandDType; the template's
// value is converted to the output dtype and stored.
func TestScalarTableCodegen(t *testing.T) {
	var cases []codegenCase
	for _, row := range ops.ScalarOps() {
		for _, in := range dtypeCombinations(row) {
			out, err := row.OutputDType(in)
			if err != nil {
				continue // the row rejects these dtypes at build time
			}
			cases = append(cases, newScalarCase(t, row, in, out))
		}
	}
	for _, r := range ops.Reductions() {
		for _, d := range allDTypes {
			if c, ok := newIdentityCase(t, r, d); ok {
				cases = append(cases, c)
			}
		}
	}
	got := compileAndRun(t, cases)
	for i, c := range cases {
		compareCase(t, c, got[i])
	}
}

// codegenCase is one instantiation of the C harness and the Go results it
// must reproduce.
type codegenCase struct {
	label string
	call  string        // the C++ loop that prints this case's results
	want  *tensor.Array // the Go evaluator's results
}

var allDTypes = []dtype.DType{
	dtype.Bool, dtype.Int8, dtype.Int16, dtype.Int32, dtype.Int64,
	dtype.Uint8, dtype.Uint16, dtype.Uint32, dtype.Uint64,
	dtype.Float16, dtype.Float32, dtype.Float64, dtype.Complex64, dtype.Complex128,
}

// dtypeCombinations lists the input dtypes to try for a row: every pair for
// binary rows; for switch, every condition dtype with equal branches and a
// bool condition with every pair of branches (the condition enters as a
// truth value whatever the branches are, so the two factors are independent).
func dtypeCombinations(row *ops.ScalarOp) [][]dtype.DType {
	var out [][]dtype.DType
	switch row.Arity {
	case 1:
		for _, a := range allDTypes {
			out = append(out, []dtype.DType{a})
		}
	case 2:
		for _, a := range allDTypes {
			for _, b := range allDTypes {
				out = append(out, []dtype.DType{a, b})
			}
		}
	case 3:
		for _, c := range allDTypes {
			for _, a := range allDTypes {
				out = append(out, []dtype.DType{c, a, a})
				if c == dtype.Bool {
					for _, b := range allDTypes {
						if b != a {
							out = append(out, []dtype.DType{c, a, b})
						}
					}
				}
			}
		}
	}
	return out
}

// testValues are the values tried for each dtype: zero, signs, both ends of
// the integer ranges (overflow wraps in numpy, Go and -fwrapv C alike),
// infinities and NaN. uint64 stays below 2⁶³: the evaluator computes
// integers in int64, where larger values read as negative.
func testValues(d dtype.DType) []complex128 {
	r := func(vs ...float64) []complex128 {
		out := make([]complex128, len(vs))
		for i, v := range vs {
			out[i] = complex(v, 0)
		}
		return out
	}
	inf, nan := math.Inf(1), math.NaN()
	switch d {
	case dtype.Bool:
		return r(0, 1)
	case dtype.Int8:
		return r(0, 1, -1, 2, -3, 7, 100, -128, 127)
	case dtype.Int16:
		return r(0, 1, -1, 2, -3, 7, -300, 32767, -32768)
	case dtype.Int32:
		return r(0, 1, -1, 3, -7, 100000, math.MaxInt32, math.MinInt32)
	case dtype.Int64:
		return r(0, 1, -1, 3, -7, 1e12, math.MaxInt64, math.MinInt64)
	case dtype.Uint8:
		return r(0, 1, 2, 3, 7, 100, 255)
	case dtype.Uint16:
		return r(0, 1, 2, 7, 300, 65535)
	case dtype.Uint32:
		return r(0, 1, 3, 7, 100000, math.MaxUint32)
	case dtype.Uint64:
		return r(0, 1, 3, 7, 1e12, 1<<62)
	case dtype.Float16:
		return r(0, math.Copysign(0, -1), 1, -1, 0.5, -2.5, 3, 100, 65504, inf, -inf, nan)
	case dtype.Float32:
		return r(0, math.Copysign(0, -1), 1, -1, 0.5, -2.5, 3, -1e-3, 1e10, inf, -inf, nan)
	case dtype.Float64:
		return r(0, math.Copysign(0, -1), 1, -1, 0.5, -2.5, 3, -1e-3, 1e10, 1e300, inf, -inf, nan)
	}
	return []complex128{0, 1, -1 + 0.5i, 0.5 - 2i, 3 + 4i, -2.5, 1i}
}

// rowValues narrows testValues where numpy itself gives no value: an
// integer power with a negative exponent is a ValueError (checked by
// TestIntegerPowNegativeExponent), not a number to compare.
func rowValues(row *ops.ScalarOp, in []dtype.DType, i int) []complex128 {
	vs := testValues(in[i])
	if row.Name == "pow" && i == 1 && row.ComputeDType(in).IsComplex() {
		// the phase of x ** 1e300 is 1e300 · arg x modulo 2π: one ulp of arg
		// decides it, so no two libraries agree on its sign
		var kept []complex128
		for _, v := range vs {
			if math.Abs(real(v)) <= 1e6 {
				kept = append(kept, v)
			}
		}
		return kept
	}
	if row.Name == "pow" && i == 1 && row.ComputeDType(in) == dtype.Int64 {
		var kept []complex128
		for _, v := range vs {
			if real(v) >= 0 {
				kept = append(kept, v)
			}
		}
		return kept
	}
	return vs
}

// newScalarCase evaluates the row with Go on the cross product of the
// inputs' values and writes the C++ call that computes the same.
func newScalarCase(t *testing.T, row *ops.ScalarOp, in []dtype.DType, out dtype.DType) codegenCase {
	t.Helper()
	values := make([][]complex128, len(in))
	for i := range in {
		values[i] = rowValues(row, in, i)
	}
	columns := crossProduct(values)
	b := graph.NewBuilder()
	vars := make([]*graph.Variable, len(in))
	bind := map[*graph.Variable]*tensor.Array{}
	for i, d := range in {
		vars[i] = b.Input(graph.NewType(d, graph.Unknown), "")
		bind[vars[i]] = arrayOf(d, columns[i])
	}
	y, err := ops.ApplyScalar(b, row, vars...)
	if err != nil {
		t.Fatalf("%s%v: build: %v", row.Name, in, err)
	}
	res, err := eval.Run([]*graph.Variable{y}, bind)
	if err != nil {
		t.Fatalf("%s%v: evaluate: %v", row.Name, in, err)
	}
	// run<OutStorage, OutCompute>(label, n, [&](int k) { return <template> }, ...)
	// input i's value at tuple k: values[i][(k / stride) % len], as crossProduct lays them out
	args := make([]string, len(in))
	stride := 1
	for i := len(in) - 1; i >= 0; i-- {
		at := fmt.Sprintf("%s[(k / %d) %% %d]", cArray(values[i], in[i]), stride, len(values[i]))
		args[i] = fmt.Sprintf("tg_convert<%s>(load(%s))", ops.CTypeOf(row.OperandDType(in, i)).Compute, at)
		stride *= len(values[i])
	}
	expr := row.C
	for i := len(args) - 1; i >= 0; i-- {
		expr = strings.ReplaceAll(expr, fmt.Sprintf("$%d", i), args[i])
	}
	label := fmt.Sprintf("%s%v", row.Name, in)
	return codegenCase{label: label, want: res[0], call: emitRun(out, len(columns[0]), expr)}
}

// newIdentityCase checks a reduction's identity e: folding one element x
// from e gives x. Go folds an (n, 1) column along axis 1; C applies the
// scalar row's template to tg_lowest<T>() (or 0, 1, ...) and x.
func newIdentityCase(t *testing.T, r *ops.Reduction, d dtype.DType) (codegenCase, bool) {
	t.Helper()
	vs := testValues(d)
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(d, graph.Unknown, 1), "")
	reduce, ok := reductions[r.Name]
	if !ok {
		t.Fatalf("no typed constructor for the reduction %q", r.Name)
	}
	y, err := reduce(b, x, []int{1}, false)
	if err != nil {
		return codegenCase{}, false // complex max and min
	}
	res, err := eval.Run([]*graph.Variable{y}, map[*graph.Variable]*tensor.Array{x: arrayOf(d, vs).Reshaped([]int{len(vs), 1})})
	if err != nil {
		t.Fatalf("%s(%v): evaluate: %v", r.Name, d, err)
	}
	out := y.Type.DType
	compute := ops.CTypeOf(r.ComputeDType(out)).Compute
	xs := fmt.Sprintf("tg_convert<%s>(load(%s[k]))", compute, cArray(vs, d))
	expr := strings.ReplaceAll(strings.ReplaceAll(r.Scalar.C, "$0", r.Identity.C(compute)), "$1", xs)
	if want := arrayOf(d, vs).Astype(out); !sameValues(want, res[0]) {
		t.Errorf("%s(%v): Go folds %v from its identity, want %v", r.Name, d, res[0], want)
	}
	return codegenCase{label: fmt.Sprintf("%s identity (%v)", r.Name, d), want: res[0], call: emitRun(out, len(vs), expr)}, true
}

// emitRun is the C++ loop that evaluates expr for k < n, converts each
// value to the compute type of dtype out, stores it as out and prints it.
func emitRun(out dtype.DType, n int, expr string) string {
	ct := ops.CTypeOf(out)
	storage := ct.Storage
	if out == dtype.Float16 {
		storage = "half_t"
	}
	return fmt.Sprintf("for (int k = 0; k < %d; k++) print(store<%s>::run(tg_convert<%s>(%s)));", n, storage, ct.Compute, expr)
}

// crossProduct lists every tuple of values (the last input varying
// fastest), as one column per input.
func crossProduct(values [][]complex128) [][]complex128 {
	n := 1
	for _, v := range values {
		n *= len(v)
	}
	cols := make([][]complex128, len(values))
	for k := 0; k < n; k++ {
		rest := k
		for i := len(values) - 1; i >= 0; i-- {
			cols[i] = append(cols[i], values[i][rest%len(values[i])])
			rest /= len(values[i])
		}
	}
	return cols
}

// arrayOf stores values as a vector of dtype d.
func arrayOf(d dtype.DType, values []complex128) *tensor.Array {
	shape := []int{len(values)}
	switch {
	case d.IsComplex():
		return tensor.FromComplex128s(d, shape, values)
	case d.IsDiscrete():
		ints := make([]int64, len(values))
		for i, v := range values {
			ints[i] = exactInt(real(v))
		}
		return tensor.FromInt64s(d, shape, ints)
	}
	fs := make([]float64, len(values))
	for i, v := range values {
		fs[i] = real(v)
	}
	return tensor.FromFloat64s(d, shape, fs)
}

// exactInt converts a float64 test value to int64, saturating at the ends
// (float64(MaxInt64) is 2⁶³, which int64() does not hold).
func exactInt(v float64) int64 {
	switch {
	case v >= math.MaxInt64:
		return math.MaxInt64
	case v <= math.MinInt64:
		return math.MinInt64
	}
	return int64(v)
}

// cArrays collects the static input arrays of the program, one per
// distinct (dtype, values) list.
var cArrays = map[string]string{}
var cArrayDefs []string

// cArray returns the name of a C++ array holding the values as dtype d.
func cArray(column []complex128, d dtype.DType) string {
	a := arrayOf(d, column)
	var lits []string
	for i := range column {
		lits = append(lits, cLiteral(a, i))
	}
	storage := ops.CTypeOf(d).Storage
	if d == dtype.Float16 {
		storage = "half_t"
	}
	body := fmt.Sprintf("%s[%d] = {%s}", storage, len(lits), strings.Join(lits, ", "))
	if name, ok := cArrays[body]; ok {
		return name
	}
	name := fmt.Sprintf("in%d", len(cArrays))
	cArrays[body] = name
	cArrayDefs = append(cArrayDefs, fmt.Sprintf("static const %s;", strings.Replace(body, "[", " "+name+"[", 1)))
	return name
}

// cLiteral writes element i of a as a C++ initializer of its storage type.
func cLiteral(a *tensor.Array, i int) string {
	switch s := a.Data.(type) {
	case []bool:
		return strconv.FormatBool(s[i])
	case []complex64:
		return fmt.Sprintf("std::complex<float>(%s, %s)", cFloat(float64(real(s[i]))), cFloat(float64(imag(s[i]))))
	case []complex128:
		return fmt.Sprintf("std::complex<double>(%s, %s)", cFloat(real(s[i])), cFloat(imag(s[i])))
	case []float32:
		return "float(" + cFloat(float64(s[i])) + ")"
	case []float64:
		return cFloat(s[i])
	case []uint16:
		if a.DType == dtype.Float16 {
			return fmt.Sprintf("half_t{%d}", s[i])
		}
	}
	if a.DType.Kind() == dtype.KindUint {
		return fmt.Sprintf("%dULL", uint64(a.Int64s()[i]))
	}
	v := a.Int64s()[i]
	if v == math.MinInt64 {
		return "INT64_MIN"
	}
	return fmt.Sprintf("%dLL", v)
}

// cFloat writes a float64 exactly (a hexadecimal literal).
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

// harness is the program's fixed part: how inputs load and results print.
const harness = `#include "codegen/runtime/tg_scalar.h"
#include <cinttypes>
#include <cstdio>

struct half_t { uint16_t bits; }; // float16 storage, told apart from uint16
static inline float load(half_t h) { return tg_half_to_float(h.bits); }
template <class T> static inline T load(T x) { return x; }

template <class S> struct store { template <class C> static S run(C x) { return S(x); } };
template <> struct store<half_t> { static half_t run(float x) { return half_t{tg_float_to_half(x)}; } };

static void print(bool v) { printf(" %d", int(v)); }
static void print(int8_t v) { printf(" %d", int(v)); }
static void print(int16_t v) { printf(" %d", int(v)); }
static void print(int32_t v) { printf(" %" PRId32, v); }
static void print(int64_t v) { printf(" %" PRId64, v); }
static void print(uint8_t v) { printf(" %u", unsigned(v)); }
static void print(uint16_t v) { printf(" %u", unsigned(v)); }
static void print(uint32_t v) { printf(" %" PRIu32, v); }
static void print(uint64_t v) { printf(" %" PRIu64, v); }
static void print(half_t v) { printf(" %u", unsigned(v.bits)); }
static void print(float v) { printf(" %a", double(v)); }
static void print(double v) { printf(" %a", v); }
template <class T> static void print(std::complex<T> v) { printf(" %a,%a", double(v.real()), double(v.imag())); }
`

// compileAndRun writes the program, compiles it and returns each case's
// printed fields.
func compileAndRun(t *testing.T, cases []codegenCase) [][]string {
	t.Helper()
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++ on PATH: the scalar table's C templates are not checked")
	}
	var src bytes.Buffer
	src.WriteString(harness)
	for _, def := range cArrayDefs {
		src.WriteString(def + "\n")
	}
	src.WriteString("\nint main() {\n")
	for _, c := range cases {
		fmt.Fprintf(&src, "    { %s puts(\"\"); } // %s\n", c.call, c.label)
	}
	src.WriteString("    return 0;\n}\n")
	dir := t.TempDir()
	file, bin := filepath.Join(dir, "scalar_table.cc"), filepath.Join(dir, "scalar_table")
	if err := os.WriteFile(file, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	cmd := exec.Command(gxx, "-std=c++17", "-O0", "-fwrapv", "-Wall", "-Werror", "-Wno-unused-function", "-I", root, "-o", bin, file)
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		keep := filepath.Join(os.TempDir(), "theanogo_scalar_table.cc")
		_ = os.WriteFile(keep, src.Bytes(), 0o644)
		t.Fatalf("g++ failed (source kept at %s): %v\n%s", keep, err, msg)
	}
	t.Logf("g++ compiled %d cases (%d bytes of C++) in %v", len(cases), src.Len(), time.Since(start).Round(time.Millisecond))
	outText, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running the compiled table: %v", err)
	}
	var lines [][]string
	sc := bufio.NewScanner(bytes.NewReader(outText))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, strings.Fields(sc.Text()))
	}
	if len(lines) != len(cases) {
		t.Fatalf("the program printed %d lines for %d cases", len(lines), len(cases))
	}
	return lines
}

// compareCase checks C's printed results against the Go evaluator's.
func compareCase(t *testing.T, c codegenCase, fields []string) {
	t.Helper()
	want := c.want
	if len(fields) != want.Size() {
		t.Errorf("%s: C printed %d values, Go has %d", c.label, len(fields), want.Size())
		return
	}
	bad := 0
	for k, f := range fields {
		got, err := parseResult(f, want.DType)
		if err != nil {
			t.Fatalf("%s: %v", c.label, err)
		}
		if w := elementOf(want, k); !closeEnough(got, w, want.DType) && bad < 3 {
			bad++
			t.Errorf("%s, element %d: C gives %v, Go gives %v", c.label, k, got, w)
		}
	}
}

// parseResult reads one printed value as a complex128 (reals have 0i).
func parseResult(field string, d dtype.DType) (complex128, error) {
	switch {
	case d == dtype.Float16:
		bits, err := strconv.ParseUint(field, 10, 16)
		return complex(tensor.HalfToFloat64(uint16(bits)), 0), err
	case d.IsComplex():
		re, im, _ := strings.Cut(field, ",")
		r, err1 := parseHexFloat(re)
		i, err2 := parseHexFloat(im)
		if err1 != nil {
			return 0, err1
		}
		return complex(r, i), err2
	case d.IsFloat():
		v, err := parseHexFloat(field)
		return complex(v, 0), err
	case d.Kind() == dtype.KindUint:
		v, err := strconv.ParseUint(field, 10, 64)
		return complex(float64(int64(v)), float64(int64(v)>>32)), err
	}
	v, err := strconv.ParseInt(field, 10, 64)
	return complex(float64(v), float64(v>>32)), err
}

// parseHexFloat reads printf's %a, including its nan and -nan.
func parseHexFloat(s string) (float64, error) {
	if strings.Contains(s, "nan") {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// elementOf reads element k of a the way parseResult reads C's: integers
// as (value, high 32 bits), so that int64s compare exactly.
func elementOf(a *tensor.Array, k int) complex128 {
	switch {
	case a.DType.IsComplex():
		return a.Complex128s()[k]
	case a.DType.IsDiscrete():
		v := a.Int64s()[k]
		return complex(float64(v), float64(v>>32))
	}
	return complex(a.ReadFloat64s()[k], 0)
}

// closeEnough: integers and bools exactly (both parts); floats within a
// relative tolerance for the dtype, with NaN equal to NaN.
func closeEnough(got, want complex128, d dtype.DType) bool {
	if d.IsDiscrete() {
		return got == want
	}
	rel := map[dtype.DType]float64{dtype.Float16: 2e-3, dtype.Float32: 4e-6, dtype.Complex64: 4e-6}[d]
	if rel == 0 {
		rel = 1e-13
	}
	scale := math.Max(cmplxAbs(got), cmplxAbs(want))
	return floatClose(real(got), real(want), rel, scale) && floatClose(imag(got), imag(want), rel, scale)
}

func cmplxAbs(z complex128) float64 {
	a := math.Hypot(real(z), imag(z))
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return 0
	}
	return a
}

func floatClose(a, b, rel, scale float64) bool {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case a == b:
		return true
	}
	return math.Abs(a-b) <= rel*scale
}

// sameValues compares two arrays element by element as closeEnough does.
func sameValues(a, b *tensor.Array) bool {
	if a.DType != b.DType || a.Size() != b.Size() {
		return false
	}
	for k := 0; k < a.Size(); k++ {
		if !closeEnough(elementOf(a, k), elementOf(b, k), a.DType) {
			return false
		}
	}
	return true
}

// reductions are the typed constructors of the reduction table's rows.
var reductions = map[string]func(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error){
	"sum": ops.Sum, "prod": ops.Prod, "max": ops.Max, "min": ops.Min, "mean": ops.Mean,
}
