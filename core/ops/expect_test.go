package ops_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// arr makes an array of dtype dt from values given as float64.
func arr(dt dtype.DType, shape []int, v ...float64) *tensor.Array {
	return tensor.FromFloat64s(dt, shape, v)
}

// f64 makes a float64 array.
func f64(shape []int, v ...float64) *tensor.Array { return arr(dtype.Float64, shape, v...) }

// i64 makes an int64 array.
func i64(shape []int, v ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int64, shape, v) }

// iota64 is the float64 array 0, 1, 2, ... of the given shape.
func iota64(shape ...int) *tensor.Array {
	v := make([]float64, tensor.Size(shape))
	for i := range v {
		v[i] = float64(i)
	}
	return f64(shape, v...)
}

// dims is shorthand for a shape literal.
func dims(d ...int) []int { return d }

// build is a typed constructor applied to a list of inputs: what the tests
// evaluate, differentiate and check the types and errors of.
type build func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error)

// scalar is the scalar table's row called name, applied elementwise.
func scalar(name string) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Scalar(b, name, in...)
	}
}

// unary is a one-input constructor.
func unary(f func(*graph.Builder, *graph.Variable) (*graph.Variable, error)) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) { return f(b, in[0]) }
}

// binary is a two-input constructor.
func binary(f func(*graph.Builder, *graph.Variable, *graph.Variable) (*graph.Variable, error)) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) { return f(b, in[0], in[1]) }
}

// reduction is the typed constructor of a reduction or arg-reduction.
type reduction func(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error)

// reduceBy reduces its one input over axes (nil: all of them).
func reduceBy(f reduction, axes []int, keepdims bool) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return f(b, in[0], axes, keepdims)
	}
}

// castTo casts its one input to dt.
func castTo(dt dtype.DType) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) { return ops.Cast(b, in[0], dt) }
}

// apply runs f on the inputs with e's sticky error.
func apply(e *ops.Expr, f build, in ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	for _, x := range in {
		if x == nil {
			e.Err = graph.ValueErrorf("missing input")
			return nil
		}
	}
	v, err := f(e.B, in...)
	if err != nil {
		e.Err = err
		return nil
	}
	return v
}

// evalOp applies f to inputs holding values (with unknown static lengths),
// evaluates it and checks its shape inference.
func evalOp(t *testing.T, f build, values ...*tensor.Array) *tensor.Array {
	t.Helper()
	return opstest.Eval(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, f, in...)
	}, values...)
}

// typed returns an input variable of the given dtype and static shape.
func typed(b *graph.Builder, dt dtype.DType, shape ...int) *graph.Variable {
	return b.Input(graph.NewType(dt, shape...), "")
}

// evalErr builds f on inputs of unknown static shape and returns the
// error of the evaluation (the build must succeed).
func evalErr(t *testing.T, f build, values ...*tensor.Array) error {
	t.Helper()
	b := graph.NewBuilder()
	xs := opstest.Inputs(b, values)
	out, err := f(b, xs...)
	if err != nil {
		t.Fatalf("building: %v", err)
	}
	m := map[*graph.Variable]*tensor.Array{}
	for i, x := range xs {
		m[x] = values[i]
	}
	_, err = eval.Run([]*graph.Variable{out}, m)
	return err
}

// wantErr checks that err is a graph.Error of the given kind whose message
// contains every fragment.
func wantErr(t *testing.T, err error, kind graph.ErrorKind, fragments ...string) {
	t.Helper()
	var ge *graph.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want a %s error containing %q, got %v", kindName(kind), fragments, err)
	}
	if ge.Kind != kind {
		t.Errorf("want a %s, got a %s: %v", kindName(kind), kindName(ge.Kind), err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func kindName(k graph.ErrorKind) string {
	switch k {
	case graph.KindType:
		return "TypeError"
	case graph.KindValue:
		return "ValueError"
	case graph.KindIndex:
		return "IndexError"
	case graph.KindMemory:
		return "MemoryError"
	}
	return "error"
}

// wantArray checks dtype, shape and values (floats to a relative 1e-12,
// NaN equal to NaN; complex by parts).
func wantArray(t *testing.T, got, want *tensor.Array) {
	t.Helper()
	if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) {
		t.Fatalf("got %v array of shape %v, want %v of shape %v", got.DType, got.Shape, want.DType, want.Shape)
	}
	if want.DType.IsComplex() {
		g, w := got.Complex128s(), want.Complex128s()
		for i := range w {
			if !close(real(g[i]), real(w[i])) || !close(imag(g[i]), imag(w[i])) {
				t.Errorf("element %d: got %v, want %v", i, g[i], w[i])
			}
		}
		return
	}
	if want.DType.IsDiscrete() {
		g, w := got.Int64s(), want.Int64s()
		for i := range w {
			if g[i] != w[i] {
				t.Errorf("element %d: got %v, want %v (got %v)", i, g[i], w[i], got)
				return
			}
		}
		return
	}
	g, w := got.Float64s(), want.Float64s()
	tol := 1e-12
	if want.DType != dtype.Float64 {
		tol = 1e-3 // float16 and float32 round
	}
	for i := range w {
		if !(math.IsNaN(g[i]) && math.IsNaN(w[i])) && !(g[i] == w[i]) && !(math.Abs(g[i]-w[i]) <= tol*(1+math.Abs(w[i]))) { // a NaN where a number is wanted fails
			t.Errorf("element %d: got %v, want %v", i, g[i], w[i])
		}
	}
}

func close(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-12*(1+math.Abs(b)) }

// wantType checks a variable's static type.
func wantType(t *testing.T, v *graph.Variable, dt dtype.DType, shape ...int) {
	t.Helper()
	if !v.Type.Equal(graph.NewType(dt, shape...)) {
		t.Errorf("type %v, want %v", v.Type, graph.NewType(dt, shape...))
	}
}

// items builds subtensor items from a compact list: an int or "input" is an
// index; a [3]any is a slice whose entries are ints, none or "input".
func items(list ...any) []ops.IndexItem {
	entry := func(v any) ops.IndexEntry {
		switch v := v.(type) {
		case int:
			return ops.IndexEntry{Kind: ops.EntryConst, Value: v}
		case string:
			if v == "input" {
				return ops.IndexEntry{Kind: ops.EntryInput}
			}
		case nil:
			return ops.IndexEntry{Kind: ops.EntryNone}
		}
		panic(fmt.Sprintf("items: bad entry %v", v))
	}
	out := make([]ops.IndexItem, len(list))
	for i, it := range list {
		if s, ok := it.([3]any); ok {
			out[i] = ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{entry(s[0]), entry(s[1]), entry(s[2])}}
			continue
		}
		out[i] = ops.IndexItem{Entries: []ops.IndexEntry{entry(it)}}
	}
	return out
}

// subtensor is x[items] with the index inputs after x.
func subtensor(its []ops.IndexItem) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Subtensor(b, in[0], its, in[1:]...)
	}
}

// incSubtensor is inc_subtensor (set false) or set_subtensor of x, y and the
// index inputs.
func incSubtensor(set bool, its []ops.IndexItem) build {
	f := ops.IncSubtensor
	if set {
		f = ops.SetSubtensor
	}
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return f(b, in[0], in[1], its, in[2:]...)
	}
}

// evalRun evaluates one output.
func evalRun(out *graph.Variable, values map[*graph.Variable]*tensor.Array) (*tensor.Array, error) {
	res, err := eval.Run([]*graph.Variable{out}, values)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// tensorBools makes a bool vector.
func tensorBools(b ...bool) *tensor.Array { return tensor.FromBools(dims(len(b)), b) }

// complexVec makes a complex64 vector.
func complexVec(v ...complex128) *tensor.Array {
	return tensor.FromComplex128s(dtype.Complex64, dims(len(v)), v)
}
