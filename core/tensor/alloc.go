package tensor

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"unsafe"

	"theanogo/core/dtype"
)

// Go cannot recover from running out of memory: a make() the machine
// cannot satisfy aborts the whole process, Python included. So every array
// allocation is checked first: the element count is computed with overflow
// checks, and its bytes must fit in the machine's physical memory. A refused
// allocation is a *SizeError, returned by Alloc and CheckAlloc, or the panic
// value of New and Make (the evaluator recovers it into a MemoryError).

// SizeError is an allocation refused before it was tried.
type SizeError struct {
	// What names the allocation: a dtype and shape, or an element type and count.
	What string
	// Bytes is the size asked for; 0 when Overflow is set.
	Bytes uint64
	// Overflow is set when the size does not even fit in an int.
	Overflow bool
	// Limit is the most bytes one array may take (MemoryLimit).
	Limit uint64
}

func (e *SizeError) Error() string {
	if e.Overflow {
		return fmt.Sprintf("cannot allocate %s: its size overflows int64", e.What)
	}
	return fmt.Sprintf("cannot allocate %s: %d bytes is more than the machine's memory (%d bytes)", e.What, e.Bytes, e.Limit)
}

// ElementCount is the number of elements of an array of the given shape;
// ok is false when a length is negative or the product overflows int.
//
//	ElementCount([]int{1 << 62, 4}) // 0, false
func ElementCount(shape []int) (n int, ok bool) {
	n = 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		n = int(lo)
	}
	return n, true
}

// MemoryLimit is the most bytes a single allocation may take: the machine's
// physical memory, read once (see physicalMemory).
var MemoryLimit = sync.OnceValue(physicalMemory)

// checkBytes refuses n elements of elemSize bytes when they overflow or
// exceed MemoryLimit; the caller names the allocation (What), so that the
// common case formats nothing.
func checkBytes(n int, elemSize uintptr) *SizeError {
	if n < 0 {
		return &SizeError{Overflow: true}
	}
	hi, total := bits.Mul64(uint64(n), uint64(elemSize))
	if hi != 0 || total > math.MaxInt {
		return &SizeError{Overflow: true}
	}
	if limit := MemoryLimit(); total > limit {
		return &SizeError{Bytes: total, Limit: limit}
	}
	return nil
}

// CheckAlloc reports whether an array of dtype dt and the given shape may be
// allocated: nil, or a *SizeError.
func CheckAlloc(dt dtype.DType, shape []int) error {
	n, ok := ElementCount(shape)
	err := checkBytes(n, uintptr(dt.Size()))
	if !ok {
		err = &SizeError{Overflow: true}
	}
	if err == nil {
		return nil
	}
	err.What = fmt.Sprintf("a %v array of shape %v", dt, shape)
	return err
}

// Alloc is New that returns a *SizeError instead of panicking.
func Alloc(dt dtype.DType, shape []int) (*Array, error) {
	if err := CheckAlloc(dt, shape); err != nil {
		return nil, err
	}
	return New(dt, shape), nil
}

// Make is make([]T, n) for the evaluator's scratch and result slices, with
// the same check as New: it panics with a *SizeError instead of letting the
// runtime abort the process.
func Make[T any](n int) []T {
	var zero T
	if err := checkBytes(n, unsafe.Sizeof(zero)); err != nil {
		err.What = fmt.Sprintf("%d elements of %T", n, zero)
		panic(err)
	}
	return make([]T, n)
}
