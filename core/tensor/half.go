package tensor

import "math"

// HalfToFloat64 decodes IEEE 754 binary16 bits (NumPy's float16).
func HalfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Pow(2, -24)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}

// Float64ToHalf encodes v as binary16 bits, rounding to nearest even once,
// from v's own bits (going through float32 first would round twice:
// 1 + 2^-11 + 2^-40 must become 1 + 2^-10, not 1). Too large is ±inf, too
// small ±0, NaN is 0x7e00, as NumPy does.
func Float64ToHalf(v float64) uint16 {
	b := math.Float64bits(v)
	sign := uint16(b>>48) & 0x8000
	exp := int(b>>52&0x7ff) - 1023 + 15 // binary16's biased exponent
	mant := b & (1<<52 - 1)
	switch {
	case math.IsNaN(v):
		return 0x7e00
	case exp >= 0x1f: // beyond 65520 (or inf)
		return sign | 0x7c00
	case exp < -10: // below 2^-25, half the smallest subnormal: rounds to 0
		return sign
	case exp <= 0: // a subnormal: v / 2^-24 rounded, with the implicit bit
		return sign | uint16(roundShift(mant|1<<52, uint(43-exp)))
	}
	// A carry out of the mantissa bumps the exponent, up to inf: that is right.
	return sign | uint16(uint64(exp)<<10+roundShift(mant, 42))
}

// roundShift is x / 2^shift rounded to nearest, ties to even.
func roundShift(x uint64, shift uint) uint64 {
	q, rem, mid := x>>shift, x&(1<<shift-1), uint64(1)<<(shift-1)
	if rem > mid || (rem == mid && q&1 == 1) {
		q++
	}
	return q
}
