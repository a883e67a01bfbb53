package graph

import (
	"errors"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/tensor"
)

func kindOf(err error) (ErrorKind, bool) {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Kind, true
	}
	return 0, false
}

func TestFromPanicMakesRefusedAllocationsMemoryErrors(t *testing.T) {
	_, se := tensor.Alloc(dtype.Float64, []int{1 << 62, 4})
	if k, ok := kindOf(FromPanic("add", se)); !ok || k != KindMemory {
		t.Errorf("FromPanic(SizeError) kind = %v, %v; want KindMemory", k, ok)
	}
	if _, ok := kindOf(FromPanic("add", "index out of range")); ok {
		t.Errorf("FromPanic of another panic should be an internal error, not a graph.Error")
	}
}

func TestAnnotateKeepsTheKind(t *testing.T) {
	err := Annotate(IndexErrorf("subtensor: index 3"), " (x is %v)", "v")
	if k, _ := kindOf(err); k != KindIndex || err.Error() != "subtensor: index 3 (x is v)" {
		t.Errorf("Annotate = %v (kind %v)", err, k)
	}
}

func TestCheckSize(t *testing.T) {
	cases := []struct {
		shape []int
		ok    bool
	}{
		{[]int{Unknown, 3}, true},
		{[]int{1 << 62, Unknown}, true},
		{[]int{1 << 62, 4}, false},
		{[]int{1 << 40, Unknown, 1 << 40}, false},
		{[]int{-2}, false},
	}
	for _, c := range cases {
		err := NewType(dtype.Float64, c.shape...).CheckSize()
		if k, _ := kindOf(err); (err == nil) != c.ok || (err != nil && k != KindValue) {
			t.Errorf("CheckSize(%v) = %v, want ok=%v", c.shape, err, c.ok)
		}
	}
}
