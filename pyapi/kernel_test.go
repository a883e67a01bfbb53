package main

import (
	"testing"
	"unsafe"

	"theanogo/core/dtype"
	"theanogo/core/tensor"
)

// In-place results are written after the others, and a result that reads
// memory an in-place result overwrites is staged first: here the first
// result is written into b's buffer, and the second, a view of b's buffer,
// must still see b's old values when it is written into a's.
func TestCopyResultsStagesWhatInPlaceWritesOverwrite(t *testing.T) {
	a := []float64{1, 2}
	b := []float64{3, 4}
	out := []float64{0, 0}
	pa, pb := unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
	inputs := []span{{pa, 16}, {pb, 16}}
	results := []*tensor.Array{
		tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{10, 20}), // new b, written in place
		tensor.View(dtype.Float64, []int{2}, pb),                        // new a: b's old values
		tensor.View(dtype.Float64, []int{2}, pa),                        // an output: a's old values
	}
	copyResults(results, []unsafe.Pointer{pb, pa, unsafe.Pointer(&out[0])}, inputs)
	if a[0] != 3 || a[1] != 4 || b[0] != 10 || b[1] != 20 || out[0] != 1 || out[1] != 2 {
		t.Errorf("a = %v (want [3 4]), b = %v (want [10 20]), output = %v (want [1 2])", a, b, out)
	}
}
