// Package tensor holds concrete n-dimensional arrays: the values the Go
// evaluator computes with, and the buffers copied to and from numpy.
//
// An Array is always C-contiguous and owns its data, a typed Go slice whose
// element type follows the dtype ([]float32 for float32, []uint16 holding the
// bits for float16, []bool for bool, ...).
//
//	a := tensor.FromFloat64s(dtype.Float32, []int{2, 2}, []float64{1, 2, 3, 4})
//	a.Float64s() // [1 2 3 4]
package tensor

import (
	"fmt"
	"unsafe"

	"theanogo/core/dtype"
)

// Array is a dense, C-contiguous n-dimensional array.
type Array struct {
	DType dtype.DType
	Shape []int
	Data  any
}

// New returns a zero-filled array of the given dtype and shape. It panics
// with a *SizeError when the array cannot fit in memory (see Alloc for the
// error-returning form).
func New(dt dtype.DType, shape []int) *Array {
	if err := CheckAlloc(dt, shape); err != nil {
		panic(err)
	}
	n := Size(shape)
	a := &Array{DType: dt, Shape: append([]int{}, shape...)}
	switch dt {
	case dtype.Bool:
		a.Data = make([]bool, n)
	case dtype.Int8:
		a.Data = make([]int8, n)
	case dtype.Int16:
		a.Data = make([]int16, n)
	case dtype.Int32:
		a.Data = make([]int32, n)
	case dtype.Int64:
		a.Data = make([]int64, n)
	case dtype.Uint8:
		a.Data = make([]uint8, n)
	case dtype.Uint16, dtype.Float16:
		a.Data = make([]uint16, n)
	case dtype.Uint32:
		a.Data = make([]uint32, n)
	case dtype.Uint64:
		a.Data = make([]uint64, n)
	case dtype.Float32:
		a.Data = make([]float32, n)
	case dtype.Float64:
		a.Data = make([]float64, n)
	case dtype.Complex64:
		a.Data = make([]complex64, n)
	case dtype.Complex128:
		a.Data = make([]complex128, n)
	default:
		panic(fmt.Sprintf("tensor.New: invalid dtype %v", dt))
	}
	return a
}

// Size is the number of elements of an array of the given shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Size is the number of elements of a.
func (a *Array) Size() int { return Size(a.Shape) }

// Ndim is the number of dimensions of a.
func (a *Array) Ndim() int { return len(a.Shape) }

// Strides returns a's C-order strides, in elements (not bytes).
func (a *Array) Strides() []int { return Strides(a.Shape) }

// Strides returns the C-order strides, in elements, of the given shape.
func Strides(shape []int) []int {
	s := make([]int, len(shape))
	step := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = step
		step *= shape[i]
	}
	return s
}

// Bytes returns a's data as raw bytes, sharing memory with a. It is how the C
// ABI copies arrays to and from numpy buffers.
func (a *Array) Bytes() []byte {
	n := a.Size() * a.DType.Size()
	if n == 0 {
		return nil
	}
	var p unsafe.Pointer
	switch s := a.Data.(type) {
	case []bool:
		p = unsafe.Pointer(&s[0])
	case []int8:
		p = unsafe.Pointer(&s[0])
	case []int16:
		p = unsafe.Pointer(&s[0])
	case []int32:
		p = unsafe.Pointer(&s[0])
	case []int64:
		p = unsafe.Pointer(&s[0])
	case []uint8:
		p = unsafe.Pointer(&s[0])
	case []uint16:
		p = unsafe.Pointer(&s[0])
	case []uint32:
		p = unsafe.Pointer(&s[0])
	case []uint64:
		p = unsafe.Pointer(&s[0])
	case []float32:
		p = unsafe.Pointer(&s[0])
	case []float64:
		p = unsafe.Pointer(&s[0])
	case []complex64:
		p = unsafe.Pointer(&s[0])
	case []complex128:
		p = unsafe.Pointer(&s[0])
	}
	return unsafe.Slice((*byte)(p), n)
}

// Clone returns a deep copy of a.
func (a *Array) Clone() *Array {
	b := New(a.DType, a.Shape)
	copy(b.Bytes(), a.Bytes())
	return b
}

// Reshaped returns an array sharing a's data with another shape of the same size.
func (a *Array) Reshaped(shape []int) *Array {
	if Size(shape) != a.Size() {
		panic(fmt.Sprintf("tensor.Reshaped: cannot reshape %v into %v", a.Shape, shape))
	}
	return &Array{DType: a.DType, Shape: append([]int{}, shape...), Data: a.Data}
}

// String prints the dtype, shape and up to eight values, for error messages and tests.
func (a *Array) String() string {
	v := a.Float64s()
	if len(v) > 8 {
		return fmt.Sprintf("array(%v, shape=%v, %v...)", a.DType, a.Shape, v[:8])
	}
	return fmt.Sprintf("array(%v, shape=%v, %v)", a.DType, a.Shape, v)
}
