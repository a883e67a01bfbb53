package kir

import (
	"math"
	"strconv"

	"theanogo/core/dtype"
	"theanogo/core/tensor"
)

// Const is a constant's exact value in its dtype: integers (int64 and
// uint64 included) as their 64 bits, floats as the float64 that holds the
// dtype's value exactly (a float32 constant is rounded to float32 once,
// when it is made), complex numbers as two such floats. It is comparable:
// two constants are equal when their dtypes and bits are.
type Const struct {
	dt   dtype.DType
	bits [2]uint64
}

// IntConst is v in the integer or bool dtype dt, wrapped to its width
// (int8 300 is 44; a bool is 0 or 1).
func IntConst(dt dtype.DType, v int64) Const {
	switch dt {
	case dtype.Bool:
		if v != 0 {
			v = 1
		}
	case dtype.Int8:
		v = int64(int8(v))
	case dtype.Int16:
		v = int64(int16(v))
	case dtype.Int32:
		v = int64(int32(v))
	case dtype.Uint8:
		v = int64(uint8(v))
	case dtype.Uint16:
		v = int64(uint16(v))
	case dtype.Uint32:
		v = int64(uint32(v))
	}
	return Const{dt: dt, bits: [2]uint64{uint64(v)}}
}

// Uint64Const is v as a uint64 constant (above MaxInt64 included).
func Uint64Const(v uint64) Const { return Const{dt: dtype.Uint64, bits: [2]uint64{v}} }

// FloatConst is v rounded to the float dtype dt.
func FloatConst(dt dtype.DType, v float64) Const {
	return Const{dt: dt, bits: [2]uint64{math.Float64bits(roundFloat(dt, v))}}
}

// ComplexConst is v rounded to the complex dtype dt.
func ComplexConst(dt dtype.DType, v complex128) Const {
	if dt == dtype.Complex64 {
		v = complex128(complex64(v))
	}
	return Const{dt: dt, bits: [2]uint64{math.Float64bits(real(v)), math.Float64bits(imag(v))}}
}

// ConstOf is the constant holding the one element of a, or false when a
// has more than one.
func ConstOf(a *tensor.Array) (Const, bool) {
	if a == nil || a.Size() != 1 {
		return Const{}, false
	}
	dt := a.DType
	switch {
	case dt.IsFloat():
		return FloatConst(dt, a.Float64s()[0]), true
	case dt.IsComplex():
		return ComplexConst(dt, a.Complex128s()[0]), true
	case dt == dtype.Uint64:
		return Uint64Const(uint64(a.Int64s()[0])), true
	}
	return IntConst(dt, a.Int64s()[0]), true
}

func roundFloat(dt dtype.DType, v float64) float64 {
	switch dt {
	case dtype.Float32:
		return float64(float32(v))
	case dtype.Float16:
		return tensor.HalfToFloat64(tensor.Float64ToHalf(v))
	}
	return v
}

// DType is the constant's dtype.
func (c Const) DType() dtype.DType { return c.dt }

// Int64 is an integer or bool constant's value (a uint64's bits).
func (c Const) Int64() int64 { return int64(c.bits[0]) }

// Uint64 is a uint64 constant's value.
func (c Const) Uint64() uint64 { return c.bits[0] }

// Float64 is a float constant's value.
func (c Const) Float64() float64 { return math.Float64frombits(c.bits[0]) }

// Complex128 is a complex constant's value.
func (c Const) Complex128() complex128 {
	return complex(math.Float64frombits(c.bits[0]), math.Float64frombits(c.bits[1]))
}

// String is the shortest text that reads back as the same value of the
// constant's dtype: "2", "0.1" (a float32 0.1 prints as 0.1, not as the
// float64 it is held in), "(1+2i)", "18446744073709551615".
func (c Const) String() string {
	switch dt := c.dt; {
	case dt.IsFloat():
		bits := 32
		if dt == dtype.Float64 {
			bits = 64
		}
		return strconv.FormatFloat(c.Float64(), 'g', -1, bits)
	case dt.IsComplex():
		return strconv.FormatComplex(c.Complex128(), 'g', -1, 8*dt.Size())
	case dt == dtype.Uint64:
		return strconv.FormatUint(c.Uint64(), 10)
	}
	return strconv.FormatInt(c.Int64(), 10)
}
