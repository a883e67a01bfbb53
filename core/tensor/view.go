package tensor

import (
	"unsafe"

	"theanogo/core/dtype"
)

// View returns an Array over n-dimensional C-contiguous memory that Go does
// not own (a numpy buffer passed through the C ABI), without copying. The
// memory must stay valid and unchanged while the Array is used: the caller
// drops it before the call that lent the memory returns.
func View(dt dtype.DType, shape []int, p unsafe.Pointer) *Array {
	n := Size(shape)
	a := &Array{DType: dt, Shape: shape}
	if n == 0 || p == nil {
		return &Array{DType: dt, Shape: shape, Data: New(dt, []int{0}).Data}
	}
	switch dt {
	case dtype.Bool:
		a.Data = unsafe.Slice((*bool)(p), n)
	case dtype.Int8:
		a.Data = unsafe.Slice((*int8)(p), n)
	case dtype.Int16:
		a.Data = unsafe.Slice((*int16)(p), n)
	case dtype.Int32:
		a.Data = unsafe.Slice((*int32)(p), n)
	case dtype.Int64:
		a.Data = unsafe.Slice((*int64)(p), n)
	case dtype.Uint8:
		a.Data = unsafe.Slice((*uint8)(p), n)
	case dtype.Uint16, dtype.Float16:
		a.Data = unsafe.Slice((*uint16)(p), n)
	case dtype.Uint32:
		a.Data = unsafe.Slice((*uint32)(p), n)
	case dtype.Uint64:
		a.Data = unsafe.Slice((*uint64)(p), n)
	case dtype.Float32:
		a.Data = unsafe.Slice((*float32)(p), n)
	case dtype.Float64:
		a.Data = unsafe.Slice((*float64)(p), n)
	case dtype.Complex64:
		a.Data = unsafe.Slice((*complex64)(p), n)
	case dtype.Complex128:
		a.Data = unsafe.Slice((*complex128)(p), n)
	default:
		return New(dt, shape) // panics with the invalid dtype's name
	}
	return a
}
