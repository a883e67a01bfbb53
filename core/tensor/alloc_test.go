package tensor

import (
	"errors"
	"math"
	"testing"

	"theanogo/core/dtype"
)

func TestElementCount(t *testing.T) {
	cases := []struct {
		shape []int
		n     int
		ok    bool
	}{
		{nil, 1, true},
		{[]int{3, 0, 5}, 0, true},
		{[]int{1 << 31, 1 << 31}, 1 << 62, true},
		{[]int{1 << 62, 4}, 0, false}, // 2^64: wraps to 0 in plain int arithmetic
		{[]int{1 << 62, 2}, 0, false}, // 2^63: one past MaxInt64
		{[]int{math.MaxInt64, 1}, math.MaxInt64, true},
		{[]int{3, -1}, 0, false},
	}
	for _, c := range cases {
		if n, ok := ElementCount(c.shape); n != c.n || ok != c.ok {
			t.Errorf("ElementCount(%v) = %d, %v; want %d, %v", c.shape, n, ok, c.n, c.ok)
		}
	}
}

func TestAllocRefusesWhatCannotFit(t *testing.T) {
	if MemoryLimit() < 1<<20 {
		t.Fatalf("MemoryLimit() = %d, not a machine's memory", MemoryLimit())
	}
	a, err := Alloc(dtype.Float32, []int{2, 3})
	if err != nil || a.Size() != 6 {
		t.Fatalf("Alloc(float32, [2 3]) = %v, %v", a, err)
	}
	huge := int(MemoryLimit()/8) + 1
	cases := []struct {
		dt       dtype.DType
		shape    []int
		overflow bool
	}{
		{dtype.Float64, []int{huge}, false},
		{dtype.Int8, []int{1 << 31, 1 << 31}, false}, // 4 EiB of int8
		{dtype.Float64, []int{1 << 62, 4}, true},
		{dtype.Complex128, []int{1 << 60}, true}, // the count fits, the bytes do not
	}
	for _, c := range cases {
		_, err := Alloc(c.dt, c.shape)
		var se *SizeError
		if !errors.As(err, &se) || se.Overflow != c.overflow {
			t.Errorf("Alloc(%v, %v) = %v, want a SizeError with Overflow=%v", c.dt, c.shape, err, c.overflow)
		}
	}
}

func TestNewAndMakePanicWithSizeError(t *testing.T) {
	wantSizePanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if _, ok := r.(*SizeError); !ok {
				t.Errorf("%s: recovered %v, want a *SizeError", name, r)
			}
		}()
		f()
	}
	wantSizePanic("New", func() { New(dtype.Float64, []int{1 << 40, 1 << 30}) })
	wantSizePanic("Make", func() { Make[float64](int(MemoryLimit()/8) + 1) })
	wantSizePanic("Make negative", func() { Make[int](-1) })
	if s := Make[int32](5); len(s) != 5 {
		t.Errorf("Make[int32](5) has length %d", len(s))
	}
}
