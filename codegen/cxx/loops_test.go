package cxx

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// The loop version of a map is chosen from its kernel's operands alone
// (no graph node): a flat loop when every read operand is contiguous and
// runs along every axis, the grouped nest when one broadcasts, the
// strided nest too when one may be strided; an unread operand (a constant
// the expression holds) is not even a loop pointer, and a scalar is read
// once before the loop.
func TestMapLoopVersionFromOperands(t *testing.T) {
	f64 := dtype.Float64
	add := func(a, b *kir.Expr) *kir.Expr {
		e, err := kir.Apply(ops.ScalarByName("add"), a, b)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	x, y := kir.Input(0, f64), kir.Input(1, f64)
	half := kir.Constant(kir.FloatConst(f64, 0.5))
	ix := kir.Index()
	run := func(b0, b1 []bool, l0, l1 kir.Layout, e *kir.Expr) string {
		k := &kir.Kernel{Name: "add", Extents: []kir.Extent{{Operand: 2, Axis: 0}, {Operand: 2, Axis: 1}},
			Inputs:  []kir.Operand{{DType: f64, Rank: 2, Layout: l0, Broadcast: b0}, {DType: f64, Rank: 2, Layout: l1, Broadcast: b1}},
			Outputs: []kir.Operand{{DType: f64, Rank: 2, Layout: kir.Contiguous, Broadcast: []bool{false, false}}},
			Body:    &kir.Map{Outputs: []*kir.Expr{e}}}
		if err := k.Check(); err != nil {
			t.Fatal(err)
		}
		u := newUnit()
		em := u.newEmitter()
		if err := printMap(em, k, k.Body.(*kir.Map)); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, h := range u.order {
			sb.WriteString(u.helperNames[h] + "\n")
		}
		return sb.String() + em.String()
	}
	runs, row, col, scalar := []bool{false, false}, []bool{true, false}, []bool{false, true}, []bool{true, true}
	C, S := kir.Contiguous, kir.Strided
	cases := []struct {
		name     string
		src      string
		want     []string
		wantNone []string
	}{
		{"flat", run(runs, runs, C, C, add(x, y)), []string{"o[k] = ", "p0[k], p1[k]"}, []string{"c->inner", "tg_is_contiguous"}},
		{"broadcast row", run(runs, row, C, C, add(x, y)), []string{"const int64_t inner = c->inner;", "(q0[j], q1[j])"}, []string{"tg_is_contiguous"}},
		{"broadcast column", run(runs, col, C, C, add(x, y)), []string{"const int64_t inner = c->inner;", "(q0[j], y1)"}, []string{"tg_is_contiguous"}},
		{"strided", run(runs, runs, C, S, add(x, y)), []string{"o[k] = ", "tg_is_contiguous(in1)", "c->s1[d - 1]"}, nil},
		{"scalar", run(runs, scalar, C, C, add(x, y)), []string{"const double x1 = c->p1[0];", "(p0[k], x1)"}, []string{"c->inner"}},
		{"constant", run(runs, scalar, C, C, add(x, half)), []string{"(p0[k])", "0x1p-01"}, []string{"p1", "in1"}},
		// the flat index is a parameter of the element function only when
		// the expression reads it, passed as each version's flat position
		{"index flat", run(runs, runs, C, C, add(x, ix)), []string{"double a0, int64_t ix)", "o[k] = ", "(p0[k], k)"}, []string{"c->inner"}},
		{"index broadcast", run(runs, col, C, C, add(add(x, y), ix)), []string{"int64_t ix)", "(q0[j], y1, k + j)"}, []string{"tg_is_contiguous"}},
		{"index strided", run(runs, runs, C, S, add(add(x, y), ix)), []string{"(p0[k], p1[k], k)", "(p0[off0 + j * t0], p1[off1 + j * t1], k + j)"}, nil},
		{"index scalar", run(scalar, scalar, C, C, add(x, ix)), []string{"(x0, k)"}, nil},
	}
	for i := range cases[:6] {
		cases[i].wantNone = append(cases[i].wantNone, "ix", ", k)", ", k + j)")
	}
	for _, c := range cases {
		for _, w := range c.want {
			if !strings.Contains(c.src, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, c.src)
			}
		}
		for _, w := range c.wantNone {
			if strings.Contains(c.src, w) {
				t.Errorf("%s: %q in\n%s", c.name, w, c.src)
			}
		}
	}
}
