package optable_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
	"theanogo/pyapi/optable"
)

// The JSON layer: op names, the decoding of JSON parameters into the typed
// constructors' arguments, and the errors of name-based construction. What
// the ops compute is tested in core/ops with the typed constructors.

func typed(b *graph.Builder, dt dtype.DType, shape ...int) *graph.Variable {
	return b.Input(graph.NewType(dt, shape...), "")
}

func vars(v ...*graph.Variable) []*graph.Variable { return v }

// wantErr checks that err is a graph.Error of the given kind whose message
// contains every fragment.
func wantErr(t *testing.T, err error, kind graph.ErrorKind, fragments ...string) {
	t.Helper()
	var ge *graph.Error
	if !errors.As(err, &ge) {
		t.Fatalf("want an error of kind %v containing %q, got %v", kind, fragments, err)
	}
	if ge.Kind != kind {
		t.Errorf("want an error of kind %v, got %v: %v", kind, ge.Kind, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func wantType(t *testing.T, v *graph.Variable, dt dtype.DType, shape ...int) {
	t.Helper()
	if v == nil {
		t.Fatalf("no variable, want %v", graph.NewType(dt, shape...))
	}
	if !v.Type.Equal(graph.NewType(dt, shape...)) {
		t.Errorf("type %v, want %v", v.Type, graph.NewType(dt, shape...))
	}
}

// mustParse decodes JSON parameters as tg_apply receives them.
func mustParse(t *testing.T, text string) optable.Params {
	t.Helper()
	p, err := optable.ParseParams(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return p
}

func TestParseParams(t *testing.T) {
	for _, text := range []string{"", "null", "{}"} {
		if p := mustParse(t, text); len(p) != 0 {
			t.Errorf("%q: %v, want no parameters", text, p)
		}
	}
	p := mustParse(t, `{"axis": [0, -1], "keepdims": true, "dtype": "int8", "ndim": 2}`)
	if axes, ok, err := p.Ints("axis"); err != nil || !ok || !slices.Equal(axes, []int{0, -1}) {
		t.Errorf("axis: %v, %v, %v", axes, ok, err)
	}
	if k, err := p.Bool("keepdims", false); err != nil || !k {
		t.Errorf("keepdims: %v, %v", k, err)
	}
	if d, err := p.DType("dtype", dtype.Invalid); err != nil || d != dtype.Int8 {
		t.Errorf("dtype: %v, %v", d, err)
	}
	if n, err := p.Int("ndim", 0); err != nil || n != 2 {
		t.Errorf("ndim: %v, %v", n, err)
	}
	for _, bad := range []string{"{", "[1, 2]", `{"axis": }`} {
		if _, err := optable.ParseParams(bad); err == nil || !strings.Contains(err.Error(), "bad op parameters") {
			t.Errorf("%q: got %v, want a bad op parameters error", bad, err)
		}
	}
}

// Absent and null parameters take the default; a wrong JSON type is an error.
func TestParamsAccessors(t *testing.T) {
	p := mustParse(t, `{"n": 1.5, "s": 3, "b": "yes", "l": [1, "x"], "m": {"a": 1}, "z": null, "one": 4}`)
	if v, err := p.Int("absent", 7); err != nil || v != 7 {
		t.Errorf("absent int: %v, %v", v, err)
	}
	if v, err := p.Int("z", 7); err != nil || v != 7 {
		t.Errorf("null int: %v, %v", v, err)
	}
	if _, err := p.Int("n", 0); err == nil || !strings.Contains(err.Error(), "must be an integer") {
		t.Errorf("1.5 as int: %v", err)
	}
	if _, err := p.String("s", ""); err == nil || !strings.Contains(err.Error(), "must be a string") {
		t.Errorf("3 as string: %v", err)
	}
	if _, err := p.Bool("b", false); err == nil || !strings.Contains(err.Error(), "must be a boolean") {
		t.Errorf(`"yes" as bool: %v`, err)
	}
	if _, err := p.DType("b", dtype.Invalid); err == nil {
		t.Error(`dtype "yes" accepted`)
	}
	if d, err := p.DType("absent", dtype.Float32); err != nil || d != dtype.Float32 {
		t.Errorf("absent dtype: %v, %v", d, err)
	}
	for _, key := range []string{"l", "m", "b", "n"} {
		if _, ok, err := p.Ints(key); !ok || err == nil || !strings.Contains(err.Error(), "must be a list of integers") {
			t.Errorf("%s as ints: %v, %v", key, ok, err)
		}
	}
	if v, ok, err := p.Ints("one"); err != nil || !ok || !slices.Equal(v, []int{4}) {
		t.Errorf("a single integer is a list of one: %v, %v, %v", v, ok, err)
	}
	for _, key := range []string{"absent", "z"} {
		if v, ok, err := p.Ints(key); err != nil || ok || v != nil {
			t.Errorf("%s as ints: %v, %v, %v; want not given", key, v, ok, err)
		}
	}
	if !p.Has("n") || p.Has("z") || p.Has("absent") {
		t.Error("Has: present and non-null only")
	}
}

func TestUnknownOp(t *testing.T) {
	b := graph.NewBuilder()
	_, err := optable.Build(b, "frobnicate", nil, vars(typed(b, dtype.Float64, 2)))
	wantErr(t, err, graph.KindValue, "unknown op", "frobnicate")
	e := ops.NewExpr(b)
	if v := optable.Apply(e, "frobnicate", nil, typed(b, dtype.Float64)); v != nil || e.Err == nil {
		t.Errorf("Apply of an unknown op: %v, %v", v, e.Err)
	}
	// The error sticks: the next Apply builds nothing.
	if v := optable.Apply(e, "exp", nil, typed(b, dtype.Float64)); v != nil {
		t.Error("Apply built after an error")
	}
	e = ops.NewExpr(b)
	if v := optable.Apply(e, "exp", nil, nil); v != nil || e.Err == nil {
		t.Errorf("Apply of a nil input: %v, %v", v, e.Err)
	}
}

// Names lists every op, sorted, with every family of the table.
func TestNames(t *testing.T) {
	names := optable.Names()
	if !slices.IsSorted(names) {
		t.Error("Names is not sorted")
	}
	for _, n := range []string{"add", "cast", "sum", "argmax", "dimshuffle", "reshape", "make_vector",
		"subtensor", "advanced_set_subtensor", "arange", "dot", "softmax", "relu", "ones_like"} {
		if _, found := slices.BinarySearch(names, n); !found {
			t.Errorf("Names lacks %q", n)
		}
	}
	for _, s := range ops.ScalarOps() {
		if _, found := slices.BinarySearch(names, s.Name); !found {
			t.Errorf("Names lacks the scalar row %q", s.Name)
		}
	}
}

// A name-based construction with the wrong number of inputs names the op.
func TestArity(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 2)
	cases := []struct {
		name   string
		ins    []*graph.Variable
		substr string
	}{
		{"add", vars(x), "2 inputs"},
		{"clip", vars(x), "3 inputs"},
		{"relu", vars(x, x, x), "1 or 2 inputs"},
		{"sum", vars(x, x), "1 inputs"},
		{"dot", vars(x), "2 inputs"},
		{"reshape", vars(x), "2 inputs"},
		{"arange", vars(x), "3 inputs"},
		{"subtensor", nil, "at least 1 input"},
		{"inc_subtensor", vars(x), "at least 2 inputs"},
		{"advanced_subtensor", vars(x), "at least 2 inputs"},
		{"advanced_inc_subtensor", vars(x, x), "at least 3 inputs"},
		{"advanced_set_subtensor", vars(x, x), "at least 3 inputs"},
		{"set_subtensor", vars(x), "at least 2 inputs"},
		{"argmax", vars(x, x), "1 inputs"},
		{"argmin", nil, "1 inputs"},
		{"softmax", vars(x, x), "1 inputs"},
		{"logsoftmax", nil, "1 inputs"},
	}
	for _, c := range cases {
		_, err := optable.Build(b, c.name, nil, c.ins)
		wantErr(t, err, graph.KindType, c.name, c.substr)
	}
}

// "axis": null or absent reduces every axis, an int one axis, a list
// those axes, and [] none; keepdims must be a boolean.
func TestReduceAxisParam(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 2, 3)
	cases := []struct {
		params string
		want   []int
	}{
		{``, nil},
		{`{"axis": null}`, nil},
		{`{"axis": 0}`, []int{3}},
		{`{"axis": -1}`, []int{2}},
		{`{"axis": [1]}`, []int{2}},
		{`{"axis": [0, 1]}`, nil},
		{`{"axis": []}`, []int{2, 3}},
		{`{"axis": 1, "keepdims": true}`, []int{2, 1}},
		{`{"keepdims": true}`, []int{1, 1}},
	}
	for _, c := range cases {
		v, err := optable.Build(b, "sum", mustParse(t, c.params), vars(x))
		if err != nil {
			t.Fatalf("sum %s: %v", c.params, err)
		}
		wantType(t, v, dtype.Float64, c.want...)
	}
	// The JSON form builds the same op as the typed constructor.
	v, _ := optable.Build(b, "max", mustParse(t, `{"axis": [-1], "keepdims": true}`), vars(x))
	w, _ := ops.Max(b, x, []int{-1}, true)
	if v.Owner.Op != w.Owner.Op {
		t.Errorf("max by name is %v, typed %v", v.Owner.Op, w.Owner.Op)
	}
	a, _ := optable.Build(b, "argmin", mustParse(t, `{"axis": 1}`), vars(x))
	wantType(t, a, dtype.Int64, 2)

	bad := []struct {
		op, params, substr string
	}{
		{"mean", `{"keepdims": "yes"}`, "keepdims"},
		{"argmax", `{"axis": "rows"}`, "axis"},
		{"sum", `{"axis": 1.5}`, "axis"},
		{"sum", `{"axis": [0, "1"]}`, "axis"},
	}
	for _, c := range bad {
		_, err := optable.Build(b, c.op, mustParse(t, c.params), vars(x))
		wantErr(t, err, graph.KindType, c.op, c.substr)
	}
	// Errors of the typed constructor pass through.
	_, err := optable.Build(b, "sum", mustParse(t, `{"axis": 2}`), vars(x))
	wantErr(t, err, graph.KindValue, "sum", "axis 2 is out of bounds")
}

func TestDTypeParams(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 3)
	v, err := optable.Build(b, "cast", mustParse(t, `{"dtype": "int64"}`), vars(x))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, 3)
	_, err = optable.Build(b, "cast", optable.Params{"dtype": "float128"}, vars(x))
	wantErr(t, err, graph.KindType, "cast", "float128")
	_, err = optable.Build(b, "cast", nil, vars(x))
	wantErr(t, err, graph.KindType, "cast", "missing dtype")
	_, err = optable.Build(b, "cast", optable.Params{"dtype": 3.0}, vars(x))
	wantErr(t, err, graph.KindType, "cast", "must be a string")

	// zeros_like and ones_like default to x's dtype.
	z, _ := optable.Build(b, "zeros_like", nil, vars(x))
	wantType(t, z, dtype.Float32, 3)
	o, _ := optable.Build(b, "ones_like", mustParse(t, `{"dtype": "int32"}`), vars(x))
	wantType(t, o, dtype.Int32, 3)
	_, err = optable.Build(b, "ones_like", mustParse(t, `{"dtype": "int33"}`), vars(x))
	wantErr(t, err, graph.KindType, "ones_like")

	// make_vector and arange default to the inputs' promoted dtype.
	i8 := typed(b, dtype.Int8)
	mv, _ := optable.Build(b, "make_vector", nil, vars(i8, i8))
	wantType(t, mv, dtype.Int8, 2)
	mv, _ = optable.Build(b, "make_vector", mustParse(t, `{"dtype": "float64"}`), vars(i8))
	wantType(t, mv, dtype.Float64, 1)
	ar, _ := optable.Build(b, "arange", nil, vars(i8, i8, i8))
	wantType(t, ar, dtype.Int64, graph.Unknown)
	ar, _ = optable.Build(b, "arange", mustParse(t, `{"dtype": "float32"}`), vars(i8, i8, i8))
	wantType(t, ar, dtype.Float32, graph.Unknown)
	_, err = optable.Build(b, "arange", mustParse(t, `{"dtype": true}`), vars(i8, i8, i8))
	wantErr(t, err, graph.KindType, "arange")
}

// "pattern" is a list of integers and "x".
func TestDimShufflePattern(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Int16, graph.Unknown, 1, 4)
	v, err := optable.Build(b, "dimshuffle", mustParse(t, `{"pattern": [2, "x", 0]}`), vars(x))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int16, 4, 1, graph.Unknown)
	bad := []struct {
		params string
		kind   graph.ErrorKind
		substr string
	}{
		{`{"pattern": [0, "y", 1, 2]}`, graph.KindValue, "bad pattern entry"},
		{`{"pattern": [0, 1.5, 2]}`, graph.KindValue, "bad pattern entry"},
		{`{"pattern": [0, -1, 2]}`, graph.KindValue, "bad pattern entry"},
		{`{"pattern": [0, null, 2]}`, graph.KindValue, "bad pattern entry"},
		{`{"pattern": "x"}`, graph.KindType, "pattern must be a list"},
		{``, graph.KindType, "pattern must be a list"},
		{`{"pattern": [0, 1]}`, graph.KindValue, "cannot drop dimension 2"},
	}
	for _, c := range bad {
		_, err := optable.Build(b, "dimshuffle", mustParse(t, c.params), vars(x))
		wantErr(t, err, c.kind, "dimshuffle", c.substr)
	}
}

// transpose's "axes": null reverses the dimensions.
func TestTransposeAxes(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 2, graph.Unknown, 4)
	v, _ := optable.Build(b, "transpose", nil, vars(x))
	wantType(t, v, dtype.Float32, 4, graph.Unknown, 2)
	v, _ = optable.Build(b, "transpose", mustParse(t, `{"axes": null}`), vars(x))
	wantType(t, v, dtype.Float32, 4, graph.Unknown, 2)
	v, _ = optable.Build(b, "transpose", mustParse(t, `{"axes": [0, 2, 1]}`), vars(x))
	wantType(t, v, dtype.Float32, 2, 4, graph.Unknown)
	_, err := optable.Build(b, "transpose", mustParse(t, `{"axes": []}`), vars(x))
	wantErr(t, err, graph.KindValue, "transpose")
	_, err = optable.Build(b, "transpose", mustParse(t, `{"axes": "10"}`), vars(x))
	wantErr(t, err, graph.KindType, "transpose")
}

// reshape's "ndim" defaults to the static length of the shape vector;
// flatten's to 1.
func TestNdimParams(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 4, 6)
	c := b.Constant(tensor.FromInt64s(dtype.Int64, []int{3}, []int64{2, -1, 3}))
	v, err := optable.Build(b, "reshape", nil, vars(x, c))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, 2, 4, 3)
	v, _ = optable.Build(b, "reshape", mustParse(t, `{"ndim": 3}`), vars(x, c))
	wantType(t, v, dtype.Float32, 2, 4, 3)
	unknown := typed(b, dtype.Int64, graph.Unknown)
	_, err = optable.Build(b, "reshape", nil, vars(x, unknown))
	wantErr(t, err, graph.KindType, "reshape", "ndim")
	v, _ = optable.Build(b, "reshape", mustParse(t, `{"ndim": 2}`), vars(x, unknown))
	wantType(t, v, dtype.Float32, graph.Unknown, graph.Unknown)
	_, err = optable.Build(b, "reshape", mustParse(t, `{"ndim": "2"}`), vars(x, c))
	wantErr(t, err, graph.KindType, "reshape", "ndim")
	_, err = optable.Build(b, "reshape", nil, vars(x, b.Constant(tensor.FromFloat64s(dtype.Float64, []int{1}, []float64{24}))))
	wantErr(t, err, graph.KindType, "reshape", "integer vector")

	f, _ := optable.Build(b, "flatten", nil, vars(x))
	wantType(t, f, dtype.Float32, 24)
	f, _ = optable.Build(b, "flatten", mustParse(t, `{"ndim": 2}`), vars(x))
	wantType(t, f, dtype.Float32, 4, 6)
	_, err = optable.Build(b, "flatten", mustParse(t, `{"ndim": 0.5}`), vars(x))
	wantErr(t, err, graph.KindType, "flatten", "ndim")
}

// "items" decodes to index items: {"index": n | "input"}, {"slice":
// [start, stop, step]} with null for an absent entry, {"newaxis": true}.
func TestItemsParam(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 10, graph.Unknown, 1)
	n := typed(b, dtype.Int64)
	ok := []struct {
		params string
		ins    []*graph.Variable
		want   []int
	}{
		{``, vars(x), []int{10, graph.Unknown, 1}},
		{`{"items": []}`, vars(x), []int{10, graph.Unknown, 1}},
		{`{"items": [{"index": 0}]}`, vars(x), []int{graph.Unknown, 1}},
		{`{"items": [{"slice": [2, 5, null]}]}`, vars(x), []int{3, graph.Unknown, 1}},
		{`{"items": [{"slice": [null, null, -3]}, {"index": 0}]}`, vars(x), []int{4, 1}},
		{`{"items": [{"index": "input"}]}`, vars(x, n), []int{graph.Unknown, 1}},
		{`{"items": [{"slice": ["input", null, null]}]}`, vars(x, n), []int{graph.Unknown, graph.Unknown, 1}},
	}
	for _, c := range ok {
		v, err := optable.Build(b, "subtensor", mustParse(t, c.params), c.ins)
		if err != nil {
			t.Fatalf("%s: %v", c.params, err)
		}
		wantType(t, v, dtype.Float32, c.want...)
	}
	// The JSON form builds the same op as the typed constructor.
	v, _ := optable.Build(b, "subtensor", mustParse(t, `{"items": [{"index": -1}, {"slice": [1, null, 2]}]}`), vars(x))
	w, _ := ops.Subtensor(b, x, []ops.IndexItem{ops.IndexAt(-1), {Slice: true, Entries: []ops.IndexEntry{
		{Kind: ops.EntryConst, Value: 1}, {Kind: ops.EntryNone}, {Kind: ops.EntryConst, Value: 2}}}})
	if v.Owner.Op != w.Owner.Op {
		t.Errorf("subtensor by name is %v, typed %v", v.Owner.Op, w.Owner.Op)
	}

	bad := []struct {
		params string
		substr string
	}{
		{`{"items": [{"slice": [1]}]}`, "slice"},
		{`{"items": [{"index": 1.5}]}`, "bad index entry"},
		{`{"items": [{"index": null}]}`, "bad index entry"},
		{`{"items": [{"index": "x"}]}`, "bad index entry"},
		{`{"items": [{"slice": [1, 2, true]}]}`, "bad index entry"},
		{`{"items": [{"index": 0, "slice": [1, 2, 3]}]}`, "item 0"},
		{`{"items": [3]}`, "item 0"},
		{`{"items": {"index": 0}}`, "items must be a list"},
	}
	for _, c := range bad {
		_, err := optable.Build(b, "subtensor", mustParse(t, c.params), vars(x))
		wantErr(t, err, graph.KindType, "subtensor", c.substr)
	}
	y := typed(b, dtype.Float32)
	_, err := optable.Build(b, "set_subtensor", mustParse(t, `{"items": [{"index": 0.5}]}`), vars(x, y))
	wantErr(t, err, graph.KindType, "set_subtensor", "bad index entry")
	s, err := optable.Build(b, "inc_subtensor", mustParse(t, `{"items": [{"index": 0}, {"index": "input"}, {"index": 0}]}`), vars(x, y, n))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, s, dtype.Float32, 10, graph.Unknown, 1)
}

// None in an index (numpy's newaxis) inserts a broadcastable dimension
// where it stands: x[None, 1:, 0, None] on a (3, 4, 5) array is (1, 2, 1, 5).
func TestSubtensorNewAxis(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, 3, 4, 5), "x")
	p := optable.Params{"items": []any{
		map[string]any{"newaxis": true},
		map[string]any{"slice": []any{1.0, nil, nil}},
		map[string]any{"index": 0.0},
		map[string]any{"newaxis": true},
	}}
	y, err := optable.Build(b, "subtensor", p, []*graph.Variable{x})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 2, 1, 5}
	if !slices.Equal(y.Type.Shape, want) {
		t.Errorf("static shape %v, want %v", y.Type.Shape, want)
	}
	// Only newaxis: x[None] is (1, 3, 4, 5).
	y, err = optable.Build(b, "subtensor", mustParse(t, `{"items": [{"newaxis": true}]}`), vars(x))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Type.Shape, []int{1, 3, 4, 5}) {
		t.Errorf("x[None]: static shape %v, want [1 3 4 5]", y.Type.Shape)
	}
}

// Build rejects a node whose output no array can have (lengths whose
// product overflows int64), naming the op and its inputs.
func TestOutputSizeChecked(t *testing.T) {
	b := graph.NewBuilder()
	col := typed(b, dtype.Float64, 1<<40, 1)
	row := typed(b, dtype.Float64, 1, 1<<40)
	if err := graph.NewType(dtype.Float64, 1<<40, 1<<40).CheckSize(); err == nil {
		t.Skip("CheckSize accepts (2^40, 2^40)")
	}
	_, err := optable.Build(b, "add", nil, vars(col, row))
	wantErr(t, err, graph.KindValue, "add", "float64")
}

// The registered ops read their parameters through ops.Params, errors
// naming the op; the ops only rewrites and gradients build (gemm,
// softmax_grad) have no name at the C ABI.
func TestRegisteredParams(t *testing.T) {
	b := graph.NewBuilder()
	x, y := typed(b, dtype.Float64, 2, 3), typed(b, dtype.Float64)
	cases := []struct {
		name   string
		params string
		ins    []*graph.Variable
		kind   graph.ErrorKind
		substr string
	}{
		{"inc_subtensor", `{"items": 3}`, vars(x, y), graph.KindType, "inc_subtensor: items must be a list"},
		{"set_subtensor", `{"items": [{"slice": [1]}]}`, vars(x, y), graph.KindType, "set_subtensor: item 0 must be"},
		{"inc_subtensor", `{"items": [{"index": 0.5}]}`, vars(x, y), graph.KindType, "inc_subtensor: item 0: bad index entry"},
		{"argmax", `{"axis": "a"}`, vars(x), graph.KindType, "argmax"},
		{"argmin", `{"axis": 2}`, vars(x), graph.KindValue, "argmin"},
		{"argmax", `{"keepdims": 1}`, vars(x), graph.KindType, "argmax"},
		{"arange", `{"dtype": "nonsense"}`, vars(y, y, y), graph.KindType, "arange"},
		{"gemm", ``, vars(x, y, x, x, y), graph.KindValue, "unknown op \"gemm\""},
		{"softmax_grad", ``, vars(x, x), graph.KindValue, "unknown op"},
	}
	for _, c := range cases {
		p, err := optable.ParseParams(c.params)
		if err != nil {
			t.Fatal(err)
		}
		_, err = optable.Build(b, c.name, p, c.ins)
		wantErr(t, err, c.kind, c.substr)
	}
	v, err := optable.Build(b, "set_subtensor", optable.Params{"items": []any{map[string]any{"index": "input"}}}, vars(x, y, typed(b, dtype.Int64)))
	if err != nil || v.Owner.Op != (ops.IncSubtensorOp{Items: ops.NewIndexItems([]ops.IndexItem{{Entries: []ops.IndexEntry{{Kind: ops.EntryInput}}}}), Set: true}) {
		t.Errorf("set_subtensor with an index input: %v, %v", v, err)
	}
}
