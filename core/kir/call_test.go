package kir_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/kir"
)

// A call prints its checks, its arguments (views, literals, scalars and
// tables) and its promises; its failure is the kernel's.
func TestCallText(t *testing.T) {
	m := kir.Operand{DType: dtype.Float64, Rank: 2}
	s := kir.Operand{DType: dtype.Float64, Rank: 0}
	i := kir.Operand{DType: dtype.Int32, Rank: 0}
	k := &kir.Kernel{Name: "gemm", Inputs: []kir.Operand{m, s, m, m, s, i}, Outputs: []kir.Operand{{DType: dtype.Float64, Rank: 2, Layout: kir.Contiguous}},
		Body: &kir.Call{Func: "tg_gemm", Header: "tg_blas.h",
			Args:    []kir.Arg{kir.ViewArg(0), kir.IntTable(kir.IntArg(-1), kir.ScalarArg(5)), kir.ViewTable(2, 3), kir.FlagTable(true, false), kir.ViewArg(6)},
			Fails:   kir.NeverFails,
			InPlace: []int{0}, Arena: []int{2, 3},
			Checks: []kir.LengthCheck{{Equal: [][2]kir.Extent{{{Operand: 0, Axis: 0}, {Operand: 2, Axis: 0}}}, Message: "gemm: %s", Shown: []int{0}}}}}
	if err := k.Check(); err != nil {
		t.Fatal(err)
	}
	text := k.String()
	for _, want := range []string{
		"check in0.shape[0] == in2.shape[0]",
		"tg_gemm(in0, [-1, *in5], [in2, in3], [1, 0], out0) in place of in0, arena for in2 in3, never fails",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if k.Failure() != kir.NeverFails {
		t.Errorf("failure %v", k.Failure())
	}
}

// Check rejects calls that name operands the kernel lacks, or tables of
// the wrong kind, naming the kernel.
func TestCallCheck(t *testing.T) {
	v := kir.Operand{DType: dtype.Float64, Rank: 1}
	bad := map[string]*kir.Call{
		"c1": {Func: "f", Header: "h", Args: []kir.Arg{kir.ViewArg(2)}},
		"c2": {Func: "f", Header: "h", Args: []kir.Arg{kir.IntTable(kir.ViewArg(0))}},
		"c3": {Func: "f", Header: "h", InPlace: []int{1}},
		"c4": {Func: "f", Header: "h", Checks: []kir.LengthCheck{{Equal: [][2]kir.Extent{{{Operand: 0, Axis: 1}, {Operand: 1, Axis: 0}}}}}},
		"c5": {Func: "f", Args: []kir.Arg{kir.ViewArg(0)}},
		"c7": {Func: "f", Header: "h", Arena: []int{1}},
		"c6": {Func: "f", Header: "h", Args: []kir.Arg{kir.IntTable(kir.IntTable())}},
	}
	for name, c := range bad {
		k := &kir.Kernel{Name: name, Inputs: []kir.Operand{v}, Outputs: []kir.Operand{v}, Body: c}
		if err := k.Check(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: Check gave %v", name, err)
		}
	}
}
