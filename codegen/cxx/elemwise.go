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
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Elementwise nodes (Elemwise, FusedOp, CastOp, CopyOp) lower to a map
// kernel (their ops' Lower, core/ops/map_kernel.go), printed by
// lower_kir.go as one element function (a helper taking each read
// input's stored value and returning the output's) and the loops that map
// it over the output (loops.go), chosen at generation time from the
// kernel's operands. Broadcast compatibility is checked in phase 1
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
	"tan": true, "arcsin": true, "arccos": true, "arctan": true, "arctan2": true, "sinh": true,
	"cosh": true, "arcsinh": true, "arccosh": true, "arctanh": true, "log2": true, "log10": true,
	"exp2": true, "erf": true, "erfc": true,
}

// expensiveCost is the cost of one of expensiveScalars against 1 for the
// memory traffic and arithmetic of an element.
const expensiveCost = 8

// elementCost estimates the cost of one element of a map computing x:
// 1, and expensiveCost more for each math call (a constant integer power
// is multiplications: arithmetic).
func elementCost(x *kir.Expr) int {
	cost := 1
	for _, n := range x.Schedule() {
		if _, powi := kir.PowiExponent(n); n.Op() == kir.OpApply && expensiveScalars[n.Row().RowName()] && !powi {
			cost += expensiveCost
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

// sharedHelper adds the helper code, named prefix_<hash of code> (NAME in
// code), and returns its name: equal code is one helper.
func sharedHelper(e *Emitter, prefix, code string) string {
	sum := sha256.Sum256([]byte(code))
	name := prefix + "_" + hex.EncodeToString(sum[:6])
	e.Helper(name, strings.ReplaceAll(code, "NAME", name))
	return name
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
