package dtype

// Promote returns the dtype NumPy gives an operation on arrays of dtypes a
// and b (numpy.result_type for arrays, not for Python scalars).
//
//	Promote(Uint8, Int8)     == Int16
//	Promote(Int64, Float32)  == Float64
//	Promote(Float64, Complex64) == Complex128
func Promote(a, b DType) DType {
	if a == b {
		return a
	}
	ka, kb := a.Kind(), b.Kind()
	if ka > kb || (ka == kb && a.Size() > b.Size()) {
		a, b, ka, kb = b, a, kb, ka
	}
	// Now kind(a) <= kind(b); within one kind, b is the larger.
	switch {
	case ka == kb:
		return b
	case ka == KindBool:
		return b
	case ka == KindUint && kb == KindInt:
		if b.Size() > a.Size() {
			return b
		}
		return signedOfSize(2 * a.Size())
	case kb == KindFloat:
		return largerOf(b, floatHolding(a))
	case kb == KindComplex:
		f := floatHolding(a)
		if a.Kind() == KindFloat {
			f = a
		}
		return largerOf(b, complexOf(f))
	}
	return b
}

// Upcast folds Promote over several dtypes. Upcast() is Invalid.
func Upcast(ds ...DType) DType {
	if len(ds) == 0 {
		return Invalid
	}
	out := ds[0]
	for _, d := range ds[1:] {
		out = Promote(out, d)
	}
	return out
}

// FloatOf returns the float type an operation like exp or true_div gives for
// input d: floats and complex stay, small integers become float32 or float16
// as NumPy does (int8 -> float16, int16 -> float32, larger -> float64).
func FloatOf(d DType) DType {
	switch d.Kind() {
	case KindFloat, KindComplex:
		return d
	}
	return floatHolding(d)
}

// signedOfSize returns the signed integer of the given byte size, or float64
// when no integer is large enough (uint64 with a signed type).
func signedOfSize(size int) DType {
	switch size {
	case 1:
		return Int8
	case 2:
		return Int16
	case 4:
		return Int32
	case 8:
		return Int64
	}
	return Float64
}

// floatHolding is the smallest float that holds every value of the integer
// (or bool) type d.
func floatHolding(d DType) DType {
	switch {
	case d.Kind() == KindBool || d.Size() == 1:
		return Float16
	case d.Size() == 2:
		return Float32
	default:
		return Float64
	}
}

// complexOf is the complex type whose parts are the float f.
func complexOf(f DType) DType {
	if f == Float64 {
		return Complex128
	}
	return Complex64
}

// largerOf returns the larger of two dtypes of the same kind.
func largerOf(a, b DType) DType {
	if a.Size() >= b.Size() {
		return a
	}
	return b
}
