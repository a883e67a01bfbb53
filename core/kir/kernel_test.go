package kir_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/kir"
)

func must(e *kir.Expr, err error) *kir.Expr {
	if err != nil {
		panic(err)
	}
	return e
}

// The printed text of a map, a reduction, a scan and a call: the form
// the package documentation shows.
func TestKernelString(t *testing.T) {
	f64 := dtype.Float64
	x := kir.Input(0, f64)
	exp := must(kir.Apply(row("exp"), x))
	body := must(kir.Apply(row("mul"), exp, kir.Constant(kir.FloatConst(f64, 2))))
	matrix := kir.Operand{DType: f64, Rank: 2}
	out := kir.Operand{DType: f64, Rank: 2, Layout: kir.Contiguous}
	space := []kir.Extent{{Operand: 1, Axis: 0}, {Operand: 1, Axis: 1}}
	m := &kir.Kernel{Name: "exp_mul", Extents: space, Inputs: []kir.Operand{matrix}, Outputs: []kir.Operand{out},
		Body: &kir.Map{Outputs: []*kir.Expr{body}}}
	want := "kernel exp_mul(in0: float64[2], out0: float64[2] contiguous)\n" +
		"for i0<n0=out0.shape[0], i1<n1=out0.shape[1]:\n" +
		"  out0[i0,i1] = exp(in0[i0,i1]) * 2\n"
	if err := m.Check(); err != nil || m.String() != want {
		t.Errorf("map: %v\n%s\nwant\n%s", err, m, want)
	}

	step := must(kir.Apply(row("add"), kir.Input(0, f64), kir.Input(1, f64)))
	red := &kir.Kernel{Name: "sum", Extents: []kir.Extent{{Operand: 0, Axis: 0}, {Operand: 0, Axis: 1}},
		Inputs: []kir.Operand{matrix}, Outputs: []kir.Operand{{DType: f64, Rank: 1, Layout: kir.Contiguous}},
		Body: &kir.Reduce{Axes: []int{1}, Identity: kir.FloatConst(f64, 0), Step: step}}
	if err := red.Check(); err != nil || !strings.Contains(red.String(), "reduce axes [1] from 0 (sequential): acc = acc + in0[i0,i1]") {
		t.Errorf("reduce: %v\n%s", err, red)
	}
	scan := &kir.Kernel{Name: "cumsum", Extents: space, Inputs: []kir.Operand{matrix}, Outputs: []kir.Operand{out},
		Body: &kir.Scan{Axis: 1, Identity: kir.FloatConst(f64, 0), Step: step, Reverse: true}}
	if err := scan.Check(); err != nil || !strings.Contains(scan.String(), "scan i1 from the end, acc = 0: out0[i0,i1] = acc = acc + in0[i0,i1]") {
		t.Errorf("scan: %v\n%s", err, scan)
	}
	call := &kir.Kernel{Name: "softmax", Inputs: []kir.Operand{matrix}, Outputs: []kir.Operand{out},
		Body: &kir.Call{Func: "tg_softmax", Header: "tg_nnet.h", Args: []kir.Arg{kir.ViewArg(0), kir.ViewArg(1), kir.IntArg(1)}}}
	if err := call.Check(); err != nil || !strings.Contains(call.String(), "tg_softmax(in0, out0, 1)") {
		t.Errorf("call: %v\n%s", err, call)
	}
}

// Check rejects kernels that do not hold together, naming the kernel.
func TestKernelCheck(t *testing.T) {
	f64 := dtype.Float64
	op := kir.Operand{DType: f64, Rank: 1}
	bad := []*kir.Kernel{
		{Name: "k1", Extents: []kir.Extent{{Operand: 5, Axis: 0}}, Inputs: []kir.Operand{op}, Outputs: []kir.Operand{op}, Body: &kir.Map{Outputs: []*kir.Expr{kir.Input(0, f64)}}},
		{Name: "k2", Extents: []kir.Extent{{Operand: 0, Axis: 0}}, Inputs: []kir.Operand{op}, Outputs: []kir.Operand{op}, Body: &kir.Map{Outputs: []*kir.Expr{kir.Input(3, f64)}}},
		{Name: "k3", Extents: []kir.Extent{{Operand: 0, Axis: 0}}, Inputs: []kir.Operand{op}, Outputs: []kir.Operand{op}, Body: &kir.Map{Outputs: []*kir.Expr{kir.Input(0, dtype.Float32)}}},
		{Name: "k4", Extents: []kir.Extent{{Operand: 0, Axis: 0}}, Inputs: []kir.Operand{op}, Outputs: []kir.Operand{op}, Body: &kir.Scan{Axis: 1, Step: kir.Input(0, f64)}},
		{Name: "k5", Extents: []kir.Extent{{Operand: 0, Axis: 0}}, Inputs: []kir.Operand{op}, Outputs: []kir.Operand{op}, Body: &kir.Reduce{Axes: []int{0}, Step: kir.Input(0, dtype.Int64)}},
	}
	for _, k := range bad {
		if err := k.Check(); err == nil || !strings.Contains(err.Error(), k.Name) {
			t.Errorf("%s: Check gave %v", k.Name, err)
		}
	}
}
