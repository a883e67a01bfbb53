package tensor

import (
	"fmt"
	"math"

	"theanogo/core/dtype"
)

// The evaluator computes in three domains: float64 (real numbers), int64
// (integers and bools, exact) and complex128. These functions move whole
// arrays into and out of a domain, converting each element as NumPy's
// astype does.

// Float64s returns a's elements converted to float64 (complex: the real part).
func (a *Array) Float64s() []float64 {
	out := make([]float64, a.Size())
	switch s := a.Data.(type) {
	case []float64:
		copy(out, s)
	case []float32:
		for i, v := range s {
			out[i] = float64(v)
		}
	case []bool:
		for i, v := range s {
			if v {
				out[i] = 1
			}
		}
	case []uint16:
		if a.DType == dtype.Float16 {
			for i, v := range s {
				out[i] = HalfToFloat64(v)
			}
		} else {
			for i, v := range s {
				out[i] = float64(v)
			}
		}
	case []complex64:
		for i, v := range s {
			out[i] = float64(real(v))
		}
	case []complex128:
		for i, v := range s {
			out[i] = real(v)
		}
	default:
		ints := a.Int64s()
		if a.DType == dtype.Uint64 {
			for i, v := range ints {
				out[i] = float64(uint64(v))
			}
		} else {
			for i, v := range ints {
				out[i] = float64(v)
			}
		}
	}
	return out
}

// ReadFloat64s returns a's elements as float64 values to read, not to
// modify: the array's own data when it already is float64, else a converted copy.
func (a *Array) ReadFloat64s() []float64 {
	if v, ok := a.Data.([]float64); ok {
		return v
	}
	return a.Float64s()
}

// OwnFloat64s makes an array of dtype dt from v, taking v itself as the data
// when dt is float64 (the caller must not use v afterwards), else converting.
func OwnFloat64s(dt dtype.DType, shape []int, v []float64) *Array {
	if dt != dtype.Float64 {
		return FromFloat64s(dt, shape, v)
	}
	checkLen(&Array{Shape: shape}, len(v))
	return &Array{DType: dt, Shape: append([]int{}, shape...), Data: v}
}

// Int64s returns a's elements converted to int64 (floats truncate toward
// zero; uint64 keeps its bits).
func (a *Array) Int64s() []int64 {
	out := make([]int64, a.Size())
	switch s := a.Data.(type) {
	case []int64:
		copy(out, s)
	case []int32:
		convertInts(out, s)
	case []int16:
		convertInts(out, s)
	case []int8:
		convertInts(out, s)
	case []uint64:
		convertInts(out, s)
	case []uint32:
		convertInts(out, s)
	case []uint8:
		convertInts(out, s)
	case []uint16:
		if a.DType == dtype.Float16 {
			for i, v := range s {
				out[i] = floatToInt(HalfToFloat64(v))
			}
		} else {
			convertInts(out, s)
		}
	case []bool:
		for i, v := range s {
			if v {
				out[i] = 1
			}
		}
	default:
		for i, v := range a.Float64s() {
			out[i] = floatToInt(v)
		}
	}
	return out
}

// Complex128s returns a's elements converted to complex128.
func (a *Array) Complex128s() []complex128 {
	out := make([]complex128, a.Size())
	switch s := a.Data.(type) {
	case []complex128:
		copy(out, s)
	case []complex64:
		for i, v := range s {
			out[i] = complex128(v)
		}
	default:
		for i, v := range a.Float64s() {
			out[i] = complex(v, 0)
		}
	}
	return out
}

// Bools returns a's elements as truth values (nonzero is true).
func (a *Array) Bools() []bool {
	if s, ok := a.Data.([]bool); ok {
		return append([]bool{}, s...)
	}
	out := make([]bool, a.Size())
	for i, v := range a.Complex128s() {
		out[i] = v != 0
	}
	return out
}

func floatToInt(v float64) int64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return math.MinInt64
	}
	return int64(v)
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func convertInts[T integer](out []int64, in []T) {
	for i, v := range in {
		out[i] = int64(v)
	}
}

func storeInts[T integer](out []T, in []int64) {
	for i, v := range in {
		out[i] = T(v)
	}
}

// FromFloat64s makes an array of dtype dt from float64 values, converting
// each as NumPy's astype does (bool: nonzero; integers: truncation).
func FromFloat64s(dt dtype.DType, shape []int, v []float64) *Array {
	a := New(dt, shape)
	checkLen(a, len(v))
	switch s := a.Data.(type) {
	case []float64:
		copy(s, v)
	case []float32:
		for i, x := range v {
			s[i] = float32(x)
		}
	case []complex128:
		for i, x := range v {
			s[i] = complex(x, 0)
		}
	case []complex64:
		for i, x := range v {
			s[i] = complex(float32(x), 0)
		}
	case []bool:
		for i, x := range v {
			s[i] = x != 0
		}
	case []uint16:
		if dt == dtype.Float16 {
			for i, x := range v {
				s[i] = Float64ToHalf(x)
			}
			return a
		}
		fillFromInts(a, floatsToInts(v))
	default:
		fillFromInts(a, floatsToInts(v))
	}
	return a
}

func floatsToInts(v []float64) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		if x >= 9.223372036854775807e18 && x < 1.8446744073709552e19 {
			out[i] = int64(uint64(x)) // keeps uint64 values above MaxInt64
		} else {
			out[i] = floatToInt(x)
		}
	}
	return out
}

// FromInt64s makes an array of dtype dt from int64 values (wrapping to the
// integer size as C casts do).
func FromInt64s(dt dtype.DType, shape []int, v []int64) *Array {
	a := New(dt, shape)
	checkLen(a, len(v))
	switch a.Data.(type) {
	case []float64, []float32, []complex64, []complex128:
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = float64(x)
		}
		return FromFloat64s(dt, shape, f)
	case []bool:
		s := a.Data.([]bool)
		for i, x := range v {
			s[i] = x != 0
		}
	default:
		if dt == dtype.Float16 {
			f := make([]float64, len(v))
			for i, x := range v {
				f[i] = float64(x)
			}
			return FromFloat64s(dt, shape, f)
		}
		fillFromInts(a, v)
	}
	return a
}

func fillFromInts(a *Array, v []int64) {
	switch s := a.Data.(type) {
	case []int8:
		storeInts(s, v)
	case []int16:
		storeInts(s, v)
	case []int32:
		storeInts(s, v)
	case []int64:
		copy(s, v)
	case []uint8:
		storeInts(s, v)
	case []uint16:
		storeInts(s, v)
	case []uint32:
		storeInts(s, v)
	case []uint64:
		storeInts(s, v)
	case []bool:
		for i, x := range v {
			s[i] = x != 0
		}
	}
}

// FromComplex128s makes an array of dtype dt from complex values (real
// dtypes keep the real part, as NumPy does with a warning).
func FromComplex128s(dt dtype.DType, shape []int, v []complex128) *Array {
	if !dt.IsComplex() {
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = real(x)
		}
		if dt == dtype.Bool {
			a := New(dt, shape)
			s := a.Data.([]bool)
			for i, x := range v {
				s[i] = x != 0
			}
			return a
		}
		return FromFloat64s(dt, shape, f)
	}
	a := New(dt, shape)
	checkLen(a, len(v))
	switch s := a.Data.(type) {
	case []complex128:
		copy(s, v)
	case []complex64:
		for i, x := range v {
			s[i] = complex64(x)
		}
	}
	return a
}

// FromBools makes a bool array.
func FromBools(shape []int, v []bool) *Array {
	a := New(dtype.Bool, shape)
	checkLen(a, len(v))
	copy(a.Data.([]bool), v)
	return a
}

// Astype converts a to dtype dt, as numpy's astype does.
func (a *Array) Astype(dt dtype.DType) *Array {
	switch {
	case a.DType == dt:
		return a.Clone()
	case dt.IsComplex():
		return FromComplex128s(dt, a.Shape, a.Complex128s())
	case dt == dtype.Bool:
		return FromBools(a.Shape, a.Bools())
	case a.DType.IsDiscrete() && !dt.IsFloat():
		return FromInt64s(dt, a.Shape, a.Int64s())
	case a.DType == dtype.Int64: // (uint64 goes through Float64s, which reads it unsigned)
		return FromInt64s(dt, a.Shape, a.Int64s())
	default:
		return FromFloat64s(dt, a.Shape, a.Float64s())
	}
}

// Scalar makes a 0-d array holding v converted to dt.
func Scalar(dt dtype.DType, v float64) *Array {
	return FromFloat64s(dt, nil, []float64{v})
}

func checkLen(a *Array, n int) {
	if a.Size() != n {
		panic(fmt.Sprintf("tensor: %d values for shape %v", n, a.Shape))
	}
}
