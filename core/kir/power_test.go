package kir_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/kir"
)

// A constant integer power renders as products in tg_powu's order (up to
// kir.MaxPowProduct), as tg_powi beyond, never as pow: x ** 2 is x * x.
// Integer powers of a non-negative constant are products in int64, and
// Render accepts them (they can never be rejected); a negative constant
// exponent of an integer pow is refused, as a computed one is.
func TestConstantPowersRenderAsProducts(t *testing.T) {
	var target countingTarget
	f64, i32 := dtype.Float64, dtype.Int32
	pow := func(x *kir.Expr, c kir.Const) *kir.Expr { return apply(t, row("pow"), x, kir.Constant(c)) }
	cases := []struct {
		x    *kir.Expr
		k    kir.Const
		want string
	}{
		{kir.Input(0, f64), kir.FloatConst(f64, 2), "(x * x)"},
		{kir.Input(0, f64), kir.IntConst(dtype.Int8, 3), "(x * (x * x))"},
		{kir.Input(0, f64), kir.FloatConst(f64, 4), "((x * x) * (x * x))"},
		{kir.Input(0, f64), kir.FloatConst(f64, -2), "(1.0 / (x * x))"},
		{kir.Input(0, f64), kir.FloatConst(f64, 0), "1.0"},
		{kir.Input(0, f64), kir.FloatConst(f64, 9), "tg_powi<9>("},
		{kir.Input(0, i32), kir.IntConst(dtype.Int8, 2), "(x * x)"},
		{kir.Input(0, i32), kir.IntConst(dtype.Int8, 0), "int64(1)"},
	}
	for _, c := range cases {
		r, err := kir.Render(&target, pow(c.x, c.k), func(int) string { return "a0" })
		if err != nil {
			t.Errorf("%v ** %v: %v", c.x.DType(), c.k, err)
			continue
		}
		// x is the base as the row reads it (converted to double, or int64)
		text := strings.NewReplacer("tg_convert<double>(a0)", "x", "tg_convert<int64>(a0)", "x").Replace(strings.Join(r.Body, "\n"))
		if !strings.Contains(text, c.want) || strings.Contains(text, "pow(") {
			t.Errorf("%v ** %v rendered\n%s\nwant %s, no pow(", c.x.DType(), c.k, text, c.want)
		}
	}
	for _, k := range []kir.Const{kir.IntConst(dtype.Int8, -1)} {
		if _, err := kir.Render(&target, pow(kir.Input(0, i32), k), func(int) string { return "a0" }); err == nil {
			t.Errorf("int32 ** %v rendered: it must be refused (it raises)", k)
		}
	}
	computed := apply(t, row("pow"), kir.Input(0, i32), kir.Input(1, i32))
	if n := kir.Checked(computed); len(n) != 1 {
		t.Errorf("Checked(int32 ** int32) = %v, want the pow", n)
	}
	if _, err := kir.RenderChecked(&target, computed, func(i int) string { return "a" }); err != nil {
		t.Errorf("RenderChecked: %v", err)
	}
}

// Substitute puts constants in place of inputs, keeping shared values one
// node; Reads then says which operands a kernel's body still reads.
func TestSubstituteAndReads(t *testing.T) {
	f64 := dtype.Float64
	y := apply(t, row("mul"), kir.Input(0, f64), kir.Input(1, f64))
	e := apply(t, row("add"), y, y)
	half := kir.Constant(kir.FloatConst(f64, 0.5))
	got, err := kir.Substitute(e, func(i int) *kir.Expr {
		if i == 1 {
			return half
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := apply(t, row("add"), apply(t, row("mul"), kir.Input(0, f64), half), apply(t, row("mul"), kir.Input(0, f64), half))
	if got != want || got.String() != "t0 = i0 * 0.5; t0 + t0" {
		t.Errorf("Substitute gave %v, want %v", got, want)
	}
	if _, err := kir.Substitute(e, func(int) *kir.Expr { return kir.Constant(kir.IntConst(dtype.Int8, 1)) }); err == nil {
		t.Error("a replacement of another dtype was accepted")
	}
	op := kir.Operand{DType: f64, Rank: 1}
	k := &kir.Kernel{Name: "m", Extents: []kir.Extent{{Operand: 2, Axis: 0}},
		Inputs:  []kir.Operand{op, {DType: f64, Rank: 1, Layout: kir.Contiguous, Broadcast: []bool{true}}},
		Outputs: []kir.Operand{op}, Body: &kir.Map{Outputs: []*kir.Expr{got}}}
	if err := k.Check(); err != nil {
		t.Fatal(err)
	}
	if r := k.Reads(); !r[0] || r[1] {
		t.Errorf("Reads = %v, want [true false]", r)
	}
	if s := k.String(); !strings.Contains(s, "in1: float64[1] contiguous broadcast{0}") {
		t.Errorf("the broadcast pattern is not printed:\n%s", s)
	}
	k.Inputs[1].Broadcast = []bool{true, false}
	if err := k.Check(); err == nil {
		t.Error("a broadcast pattern longer than the rank passed Check")
	}
}
