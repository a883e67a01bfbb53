package testsgo

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestCxxIndexRuntime runs random indexing cases through the runtime's C
// functions (codegen/runtime/tg_index.c, built with the address and
// undefined-behaviour sanitizers where the compiler has them) and compares
// each result with the Go evaluator's: values (bitwise for integers and
// bools, within a few ulps for floats, whose sums the runtime accumulates
// in the array's own type), and error class and message word for word.
// Inputs are laid out with random strides (steps, reversed dimensions);
// outputs are poisoned before the call. A case marked in place writes into
// x's own memory, and a failing one must leave it unchanged.
func TestCxxIndexRuntime(t *testing.T) {
	bin := buildIndexDriver(t)
	r := rand.New(rand.NewPCG(7, 11))
	var cases []*indexCase
	for range 300 {
		cases = append(cases, incSubtensorCase(r), advancedCase(r, false), advancedCase(r, true), arangeCase(r))
	}
	cases = append(cases, fixedIndexCases()...)
	var in strings.Builder
	for _, c := range cases {
		in.WriteString(c.input)
	}
	cmd := exec.Command(bin)
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("driver printed %d results for %d cases\n%s", len(lines), len(cases), stderr.String())
	}
	counts := map[string]int{}
	for i, c := range cases {
		counts[c.kind]++
		if c.wantErr != "" {
			counts[c.kind+" error"]++
		}
		c.check(t, lines[i])
	}
	t.Logf("cases: %v", counts)
}

// buildIndexDriver compiles tests_go/testdata/cxx_index_driver.c with the runtime's tg_index.c.
func buildIndexDriver(t *testing.T) string {
	cc, err := exec.LookPath("gcc")
	if err != nil {
		if cc, err = exec.LookPath("cc"); err != nil {
			t.Skip("no C compiler")
		}
	}
	bin := filepath.Join(t.TempDir(), "index_driver")
	src := []string{"testdata/cxx_index_driver.c", "../codegen/runtime/tg_index.c"}
	base := []string{"-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-I../codegen/runtime", "-o", bin}
	sanitize := []string{"-fsanitize=address,undefined", "-fno-sanitize-recover=all"}
	args := append(append(append([]string{}, base...), sanitize...), append(src, "-lm")...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Logf("building with sanitizers failed (%v), building without: %s", err, out)
		args = append(append([]string{}, base...), append(src, "-lm")...)
		if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
			t.Fatalf("building the driver: %v\n%s", err, out)
		}
	}
	return bin
}

// indexCase is one call of the driver and the evaluator's answer.
type indexCase struct {
	kind, label string
	input       string        // the driver's input for the case
	want        *tensor.Array // the evaluator's result, when it succeeds
	wantErr     string        // "IndexError: ...", when it fails
	inPlace     bool
	xBytes      []byte // x's elements in C order (an in-place failure keeps them)
	outDType    dtype.DType
}

func (c *indexCase) check(t *testing.T, line string) {
	t.Helper()
	parts := strings.SplitN(line, "\t", 3)
	if len(parts) != 3 {
		t.Errorf("%s: bad driver line %q", c.label, line)
		return
	}
	got, err := hex.DecodeString(parts[2])
	if err != nil {
		t.Errorf("%s: bad hex: %v", c.label, err)
		return
	}
	if c.wantErr != "" {
		if parts[0] != "err" || parts[1] != c.wantErr {
			t.Errorf("%s:\n got %s %q\nwant error %q", c.label, parts[0], parts[1], c.wantErr)
		}
		if c.inPlace && !bytes.Equal(got, c.xBytes) {
			t.Errorf("%s: a failed in-place call changed x", c.label)
		}
		return
	}
	if parts[0] != "ok" {
		t.Errorf("%s: got error %q, want %v", c.label, parts[1], c.want)
		return
	}
	a := tensor.New(c.outDType, c.want.Shape)
	if err := binary.Read(bytes.NewReader(got), binary.LittleEndian, a.Data); err != nil {
		t.Errorf("%s: reading the result: %v", c.label, err)
		return
	}
	if msg := compareArrays(a, c.want); msg != "" {
		t.Errorf("%s: %s\n got %v\nwant %v", c.label, msg, a, c.want)
	}
}

// compareArrays is "" when got matches want: exactly for bools and
// integers, within a relative 1e-5 (float32, complex64), 1e-12 (float64,
// complex128) or 1e-2 (float16) for floats, NaN matching NaN.
func compareArrays(got, want *tensor.Array) string {
	if got.DType != want.DType || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
		return fmt.Sprintf("got %v %v, want %v %v", got.DType, got.Shape, want.DType, want.Shape)
	}
	if want.DType.IsDiscrete() {
		g, w := got.Int64s(), want.Int64s()
		for i := range w {
			if g[i] != w[i] {
				return fmt.Sprintf("element %d: %d, want %d", i, g[i], w[i])
			}
		}
		return ""
	}
	tol := map[dtype.DType]float64{dtype.Float16: 1e-2, dtype.Float32: 1e-5, dtype.Complex64: 1e-5}[want.DType]
	if tol == 0 {
		tol = 1e-12
	}
	g, w := got.Complex128s(), want.Complex128s()
	for i := range w {
		if cmplx.IsNaN(g[i]) && cmplx.IsNaN(w[i]) {
			continue
		}
		if cmplx.Abs(g[i]-w[i]) > tol*(1+cmplx.Abs(w[i])) {
			return fmt.Sprintf("element %d: %v, want %v", i, g[i], w[i])
		}
	}
	return ""
}

// --- laying arrays out --------------------------------------------------

// arrayBytes is a's elements in C order, little-endian, as C stores them.
func arrayBytes(a *tensor.Array) []byte {
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, a.Data); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// writeView appends a view of a to the driver input: contiguous, or with
// each dimension stepping by 1 or 2 and possibly reversed, in a buffer of
// random bytes.
func writeView(w *strings.Builder, r *rand.Rand, a *tensor.Array, contiguous bool) {
	es := a.DType.Size()
	nd := len(a.Shape)
	step, reversed := make([]int, nd), make([]bool, nd)
	baseShape := make([]int, nd)
	for d := range nd {
		step[d] = 1
		if !contiguous && r.IntN(3) == 0 {
			step[d] = 2
		}
		reversed[d] = !contiguous && r.IntN(3) == 0
		baseShape[d] = max(1, a.Shape[d]*step[d])
	}
	baseStrides := tensor.Strides(baseShape)
	strides := make([]int, nd)
	offset := 0
	for d := range nd {
		strides[d] = baseStrides[d] * step[d]
		if reversed[d] {
			offset += (a.Shape[d] - 1) * strides[d]
			strides[d] = -strides[d]
		}
	}
	buf := make([]byte, tensor.Size(baseShape)*es)
	for i := range buf {
		buf[i] = byte(r.IntN(256))
	}
	elems := arrayBytes(a)
	idx := make([]int, nd)
	for q := range tensor.Size(a.Shape) {
		off := offset
		for d := range nd {
			off += idx[d] * strides[d]
		}
		copy(buf[off*es:], elems[q*es:(q+1)*es])
		for d := nd - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < a.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	fmt.Fprintf(w, "%d %d", int(a.DType), nd)
	for _, n := range a.Shape {
		fmt.Fprintf(w, " %d", n)
	}
	for _, s := range strides {
		fmt.Fprintf(w, " %d", s)
	}
	fmt.Fprintf(w, " %d %d %s\n", offset, len(buf), hex.EncodeToString(buf))
}

// indexArray has values in [lo, hi] for integers, two-decimal values in
// [-10, 10] for floats (and both parts of complex numbers), 0/1 for bools.
func indexArray(r *rand.Rand, dt dtype.DType, shape []int, lo, hi int) *tensor.Array {
	n := tensor.Size(shape)
	switch {
	case dt == dtype.Bool:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(r.IntN(2))
		}
		return tensor.FromInt64s(dt, shape, v)
	case dt.IsDiscrete():
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(lo + r.IntN(hi-lo+1))
		}
		return tensor.FromInt64s(dt, shape, v)
	case dt.IsComplex():
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(float64(r.IntN(2001)-1000)/100, float64(r.IntN(2001)-1000)/100)
		}
		return tensor.FromComplex128s(dt, shape, v)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(r.IntN(2001)-1000) / 100
	}
	return tensor.FromFloat64s(dt, shape, v)
}

// evaluate runs node's Go evaluation; a failure becomes "Class: message".
func evaluate(node *graph.Apply, in []*tensor.Array) (out *tensor.Array, errText string) {
	outs, err := node.Op.(graph.Evaluator).Evaluate(node, in)
	if err != nil {
		return nil, errorText(err)
	}
	return outs[0], ""
}

// errorText is err as the kernel ABI reports it: "IndexError: message".
func errorText(err error) string {
	class := map[graph.ErrorKind]string{graph.KindValue: "ValueError", graph.KindType: "TypeError",
		graph.KindMemory: "MemoryError", graph.KindIndex: "IndexError"}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return class[ge.Kind] + ": " + ge.Msg
	}
	return "RuntimeError: " + err.Error()
}

// --- random cases ---------------------------------------------------------

var (
	xDTypes = []dtype.DType{dtype.Float32, dtype.Float32, dtype.Float64, dtype.Float64, dtype.Int32, dtype.Int64,
		dtype.Int64, dtype.Float16, dtype.Int8, dtype.Uint8, dtype.Uint64, dtype.Bool, dtype.Complex64,
		dtype.Complex128, dtype.Int16, dtype.Uint16, dtype.Uint32}
	indexDTypes = []dtype.DType{dtype.Int8, dtype.Int16, dtype.Int32, dtype.Int64, dtype.Int64, dtype.Uint8,
		dtype.Uint16, dtype.Uint32, dtype.Uint64}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func randomShape(r *rand.Rand, minNd, maxNd, maxLen int) []int {
	s := make([]int, minNd+r.IntN(maxNd-minNd+1))
	for d := range s {
		s[d] = r.IntN(maxLen + 1)
		if s[d] == 0 && r.IntN(3) > 0 {
			s[d] = 1 + r.IntN(maxLen)
		}
	}
	return s
}

// yFor makes an increment for a selection of shape sel: some leading
// dimensions dropped, some of length 1 (static: they broadcast), now and
// then one of a wrong length; mostly x's dtype, sometimes a narrower one.
func yFor(r *rand.Rand, x dtype.DType, sel []int) (graph.Type, *tensor.Array) {
	shape := append([]int{}, sel[r.IntN(len(sel)+1):]...)
	static := make([]int, len(shape))
	for d := range shape {
		static[d] = graph.Unknown
		switch k := r.IntN(20); {
		case k < 5:
			shape[d], static[d] = 1, 1
		case k == 5:
			shape[d]++
		}
	}
	dt := x
	if r.IntN(4) == 0 {
		if c := pick(r, xDTypes); dtype.Promote(x, c) == x {
			dt = c
		}
	}
	return graph.NewType(dt, static...), indexArray(r, dt, shape, -20, 20)
}

func writeFlags(w *strings.Builder, shape []int) {
	fmt.Fprintf(w, "%d", len(shape))
	for _, n := range shape {
		fmt.Fprintf(w, " %d", b2i(n == 1))
	}
	w.WriteString("\n")
}

func incSubtensorCase(r *rand.Rand) *indexCase {
	for {
		xdt := pick(r, xDTypes)
		xShape := randomShape(r, 0, 3, 5)
		items := make([]ops.IndexItem, r.IntN(len(xShape)+1))
		codes := []int{}
		var sel []int
		valid := true
		for d := range xShape {
			n := xShape[d]
			if d >= len(items) {
				sel = append(sel, n)
				continue
			}
			if r.IntN(3) == 0 {
				i := r.IntN(2*n+3) - n - 1
				items[d] = ops.IndexAt(i)
				codes = append(codes, 0, i, 0, 0, 0, 0, 0)
				valid = valid && i >= -n && i < n
				continue
			}
			var v [3]int
			var present [3]bool
			entries := make([]ops.IndexEntry, 3)
			codes = append(codes, 1)
			for j := range 3 {
				present[j] = r.IntN(5) < 3
				v[j] = r.IntN(2*n+5) - n - 2
				if j == 2 {
					v[j] = pick(r, []int{-3, -2, -1, 1, 1, 2, 3})
					if r.IntN(40) == 0 {
						v[j] = 0
					}
				}
				if present[j] {
					entries[j] = ops.IndexEntry{Kind: ops.EntryConst, Value: v[j]}
				}
				codes = append(codes, b2i(present[j]), v[j])
			}
			items[d] = ops.IndexItem{Slice: true, Entries: entries}
			_, _, length, err := ops.SliceIndices(n, v, present)
			valid = valid && err == nil
			sel = append(sel, length)
		}
		yType, y := yFor(r, xdt, sel)
		x := indexArray(r, xdt, xShape, -20, 20)
		b := graph.NewBuilder()
		xv := b.Input(graph.NewType(xdt, unknownShape(len(xShape))...), "x")
		yv := b.Input(yType, "y")
		set := r.IntN(5) < 2
		build := ops.IncSubtensor
		if set {
			build = ops.SetSubtensor
		}
		out, err := build(b, xv, yv, items)
		if err != nil {
			continue // the types reject it (y narrower than x's selection, ...)
		}
		c := &indexCase{kind: out.Owner.Op.(ops.IncSubtensorOp).Name(), inPlace: r.IntN(3) == 0, outDType: xdt, xBytes: arrayBytes(x)}
		c.label = fmt.Sprintf("%s{%v} x %v%v y %v%v in place %v (valid %v)", c.kind, ops.NewIndexItems(items), xdt, xShape, y.DType, y.Shape, c.inPlace, valid)
		c.want, c.wantErr = evaluate(out.Owner, []*tensor.Array{x, y})
		var w strings.Builder
		fmt.Fprintf(&w, "0 %d %d\n%d", b2i(set), b2i(c.inPlace), len(items))
		for _, code := range codes {
			fmt.Fprintf(&w, " %d", code)
		}
		w.WriteString("\n0\n")
		writeFlags(&w, yType.Shape)
		w.WriteString("2\n")
		writeView(&w, r, x, c.inPlace)
		writeView(&w, r, y, r.IntN(2) == 0)
		writeOut(&w, xdt, xShape)
		c.input = w.String()
		return c
	}
}

func unknownShape(nd int) []int {
	s := make([]int, nd)
	for d := range s {
		s[d] = graph.Unknown
	}
	return s
}

func writeOut(w *strings.Builder, dt dtype.DType, shape []int) {
	fmt.Fprintf(w, "%d %d", int(dt), len(shape))
	for _, n := range shape {
		fmt.Fprintf(w, " %d", n)
	}
	w.WriteString("\n")
}

// advancedCase is x[idx...] (or, inc, x[idx...] += y / = y) with k random
// index arrays that broadcast together (or now and then do not), some
// index out of bounds now and then.
func advancedCase(r *rand.Rand, inc bool) *indexCase {
	for {
		xdt := pick(r, xDTypes)
		xShape := randomShape(r, 1, 3, 5)
		k := 1 + r.IntN(len(xShape))
		bshape := randomShape(r, 0, 2, 4)
		idx := make([]*tensor.Array, k)
		idxTypes := make([]graph.Type, k)
		for i := range idx {
			dt := pick(r, indexDTypes)
			shape := append([]int{}, bshape[r.IntN(len(bshape)+1):]...)
			static := unknownShape(len(shape))
			for d := range shape {
				switch j := r.IntN(30); {
				case j < 8:
					shape[d], static[d] = 1, 1
				case j == 8:
					shape[d]++ // a mismatch, unless the others all broadcast
				}
			}
			n := xShape[i]
			lo, hi := -n, n-1
			if dt.Kind() == dtype.KindUint {
				lo = 0
			}
			if n == 0 {
				lo, hi = 0, 0
			}
			a := indexArray(r, dt, shape, lo, hi)
			if r.IntN(25) == 0 && tensor.Size(shape) > 0 {
				v := a.Int64s()
				v[r.IntN(len(v))] = pick(r, []int64{int64(n), int64(-n - 1), 100, -1}) // -1 in uint64: 2^64-1, which the evaluator reads as -1
				a = tensor.FromInt64s(dt, shape, v)
			}
			idx[i], idxTypes[i] = a, graph.NewType(dt, static...)
		}
		x := indexArray(r, xdt, xShape, -20, 20)
		b := graph.NewBuilder()
		xv := b.Input(graph.NewType(xdt, unknownShape(len(xShape))...), "x")
		iv := make([]*graph.Variable, k)
		for i := range iv {
			iv[i] = b.Input(idxTypes[i], fmt.Sprintf("i%d", i))
		}
		c := &indexCase{inPlace: inc && r.IntN(3) == 0, xBytes: arrayBytes(x), outDType: xdt}
		var w strings.Builder
		var out *graph.Variable
		var err error
		var y *tensor.Array
		var yType graph.Type
		set := false
		if inc {
			sel := append(broadcastShapes(idx), xShape[k:]...)
			yType, y = yFor(r, xdt, sel)
			yv := b.Input(yType, "y")
			set = r.IntN(5) < 2
			build := ops.AdvancedIncSubtensor
			if set {
				build = ops.AdvancedSetSubtensor
			}
			out, err = build(b, xv, yv, iv...)
		} else {
			out, err = ops.AdvancedSubtensor(b, xv, iv...)
		}
		if err != nil {
			continue
		}
		c.kind = graph.OpString(out.Owner.Op)
		ins := append([]*tensor.Array{x}, idx...)
		if inc {
			ins = append([]*tensor.Array{x, y}, idx...)
		}
		c.want, c.wantErr = evaluate(out.Owner, ins)
		shapes := make([][]int, k)
		for i, a := range idx {
			shapes[i] = a.Shape
		}
		c.label = fmt.Sprintf("%s x %v%v idx %v %v in place %v", c.kind, xdt, xShape, idxTypes, shapes, c.inPlace)
		if inc {
			c.label += fmt.Sprintf(" y %v%v", y.DType, y.Shape)
		}
		fmt.Fprintf(&w, "%d %d %d\n0\n", 1+b2i(inc), b2i(set), b2i(c.inPlace))
		var flags []int
		for _, it := range idxTypes {
			flags = append(flags, it.Shape...)
		}
		writeFlags(&w, flags)
		writeFlags(&w, yType.Shape)
		fmt.Fprintf(&w, "%d\n", len(ins))
		writeView(&w, r, x, c.inPlace)
		for _, a := range ins[1:] {
			writeView(&w, r, a, r.IntN(2) == 0)
		}
		outShape := xShape
		if !inc {
			outShape = nil
			if c.want != nil {
				outShape = c.want.Shape
			}
		}
		writeOut(&w, xdt, outShape)
		c.input = w.String()
		return c
	}
}

// broadcastShapes is the index arrays' broadcast shape, padding on the left
// and taking the longest length (a mismatch makes the case fail anyway).
func broadcastShapes(idx []*tensor.Array) []int {
	rank := 0
	for _, a := range idx {
		rank = max(rank, len(a.Shape))
	}
	out := make([]int, rank)
	for d := range out {
		out[d] = 1
	}
	for _, a := range idx {
		for d, n := range a.Shape {
			if at := rank - len(a.Shape) + d; n != 1 {
				out[at] = n
			}
		}
	}
	return out
}

// arangeCase is arange(start, stop, step) with random scalar dtypes and
// output dtype: integer, float and mixed bounds, steps of either sign.
func arangeCase(r *rand.Rand) *indexCase {
	in := []dtype.DType{dtype.Int64, dtype.Int32, dtype.Int8, dtype.Uint8, dtype.Float64, dtype.Float32, dtype.Bool}
	outs := []dtype.DType{dtype.Int64, dtype.Int32, dtype.Float64, dtype.Float32, dtype.Float16, dtype.Int8, dtype.Uint8, dtype.Complex64, dtype.Bool, dtype.Uint64}
	for {
		vals := make([]*tensor.Array, 3)
		for i := range vals {
			dt := pick(r, in)
			v := float64(r.IntN(41)-20) / pick(r, []float64{1, 1, 4, 10})
			if i == 2 {
				v = float64(r.IntN(9)-4) / pick(r, []float64{1, 1, 2, 3, 10})
				if v == 0 && r.IntN(4) > 0 {
					v = 1
				}
			}
			if !dt.IsDiscrete() {
				vals[i] = tensor.FromFloat64s(dt, []int{}, []float64{v})
			} else {
				lo := int64(v)
				if dt.Kind() == dtype.KindUint && lo < 0 {
					lo = -lo
				}
				vals[i] = tensor.FromInt64s(dt, []int{}, []int64{lo})
			}
		}
		odt := pick(r, outs)
		c := &indexCase{kind: "arange", outDType: odt}
		b := graph.NewBuilder()
		iv := make([]*graph.Variable, 3)
		for i, a := range vals {
			iv[i] = b.Input(graph.NewType(a.DType), fmt.Sprintf("s%d", i))
		}
		out, err := ops.ARange(b, iv[0], iv[1], iv[2], odt)
		if err != nil {
			continue
		}
		c.want, c.wantErr = evaluate(out.Owner, vals)
		c.label = fmt.Sprintf("arange(%v, %v, %v) dtype %v", vals[0], vals[1], vals[2], odt)
		c.input = arangeInput(r, vals, odt, c.want)
		return c
	}
}

func arangeInput(r *rand.Rand, vals []*tensor.Array, odt dtype.DType, want *tensor.Array) string {
	var w strings.Builder
	w.WriteString("3 0 0\n0\n0\n0\n3\n")
	for _, a := range vals {
		writeView(&w, r, a, true)
	}
	n := 0
	if want != nil {
		n = want.Shape[0]
	}
	writeOut(&w, odt, []int{n})
	return w.String()
}

// fixedIndexCases: the MLP's pair x[arange(n), y] and its gradient, a
// uint64 index above 2^63 (read as negative, as the evaluator does), and
// arange's length errors.
func fixedIndexCases() []*indexCase {
	r := rand.New(rand.NewPCG(3, 5))
	var cases []*indexCase
	nanCase := func(stop float64) *indexCase {
		vals := []*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{}, []float64{0}),
			tensor.FromFloat64s(dtype.Float64, []int{}, []float64{stop}), tensor.FromFloat64s(dtype.Float64, []int{}, []float64{0.1})}
		c := &indexCase{kind: "arange", outDType: dtype.Float32, label: fmt.Sprintf("arange(0, %v, 0.1)", stop)}
		c.want, c.wantErr = evaluate(&graph.Apply{Op: ops.ARangeOp{DType: dtype.Float32}}, vals)
		c.input = arangeInput(r, vals, dtype.Float32, c.want)
		return c
	}
	cases = append(cases, nanCase(math.NaN()), nanCase(math.Inf(1)), nanCase(1e300), nanCase(123456.7))
	// x[rows, cols] and add.at(x, (rows, cols), g) with int32/int64 vectors
	// (the fused path), repeated and negative indices, and out-of-range
	// ones in the first and in the second vector.
	for _, rdt := range []dtype.DType{dtype.Int64, dtype.Int32} {
		for _, cdt := range []dtype.DType{dtype.Int64, dtype.Int32} {
			for k, cols := range [][]int64{{0, 9, -1, 9, 3, -10}, {0, 10, 1, 2, 3, 4}, {-11, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}} {
				rows := []int64{0, 1, 2, 2, -1, 5}
				if k == 3 {
					rows[2] = 6 // bad in the first vector and (not) the second
				}
				for _, inc := range []bool{false, true} {
					cases = append(cases, pairCase(r, rdt, cdt, rows, cols, inc))
				}
			}
		}
	}
	return cases
}

// pairCase is x[rows, cols] (or inc: x[rows, cols] += g, in place) on a
// float32 (6, 10) matrix.
func pairCase(r *rand.Rand, rdt, cdt dtype.DType, rows, cols []int64, inc bool) *indexCase {
	x := indexArray(r, dtype.Float32, []int{6, 10}, 0, 0)
	ri, ci := tensor.FromInt64s(rdt, []int{len(rows)}, rows), tensor.FromInt64s(cdt, []int{len(cols)}, cols)
	g := indexArray(r, dtype.Float32, []int{len(rows)}, 0, 0)
	b := graph.NewBuilder()
	xv := b.Input(graph.NewType(dtype.Float32, graph.Unknown, graph.Unknown), "x")
	rv, cv := b.Input(graph.NewType(rdt, graph.Unknown), "r"), b.Input(graph.NewType(cdt, graph.Unknown), "c")
	gv := b.Input(graph.NewType(dtype.Float32, graph.Unknown), "g")
	c := &indexCase{kind: "pair", outDType: dtype.Float32, inPlace: inc, xBytes: arrayBytes(x)}
	c.label = fmt.Sprintf("x[%v %v, %v %v] inc %v", rdt, rows, cdt, cols, inc)
	var w strings.Builder
	var out *graph.Variable
	var err error
	ins := []*tensor.Array{x, ri, ci}
	if inc {
		out, err = ops.AdvancedIncSubtensor(b, xv, gv, rv, cv)
		ins = []*tensor.Array{x, g, ri, ci}
		fmt.Fprintf(&w, "2 0 1\n0\n2 0 0\n1 0\n")
	} else {
		out, err = ops.AdvancedSubtensor(b, xv, rv, cv)
		fmt.Fprintf(&w, "1 0 0\n0\n2 0 0\n0\n")
	}
	if err != nil {
		panic(err)
	}
	c.want, c.wantErr = evaluate(out.Owner, ins)
	fmt.Fprintf(&w, "%d\n", len(ins))
	for i, a := range ins {
		writeView(&w, r, a, i == 0 && inc)
	}
	shape := []int{6, 10}
	if !inc {
		shape = []int{len(rows)}
	}
	writeOut(&w, dtype.Float32, shape)
	c.input = w.String()
	return c
}

// b2i is a C truth value.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
