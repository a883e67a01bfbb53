// tg_scalar.h: the scalar helpers that the C templates of theanogo's scalar
// op table (core/ops/scalar_table.go) call, the float16 conversions of its
// dtype -> C type table (core/ops/ctypes.go), and the conversions and
// constant powers that kir.Render writes (tg_convert, tg_astype, tg_powi).
//
// It compiles under g++ and under NVRTC (the CUDA printer, cuda/): no
// include but tg_std.h, which stands in for the standard headers under
// NVRTC; the complex overloads exist only where TG_HAS_COMPLEX (g++).
//
// Plain C++17, header only, no Python: generated kernels include it and are
// compiled with -fwrapv, so signed integer overflow wraps as it does in numpy
// and in the Go evaluator (x + y, x * y, -x on int64_t). Every function here
// computes exactly what the row's Go function computes: for the types the
// row's compute dtype maps to (int64_t for bool and integer inputs, float for
// float16 and float32, double, std::complex<float>, std::complex<double>).
// tests_go/scalar_codegen_test.go checks that for every row and dtype.
//
//   tg_floordiv(int64_t(-7), int64_t(2)) == -4      tg_mod(-7.0, 2.0) == 1.0
#ifndef TG_SCALAR_H
#define TG_SCALAR_H

#include "tg_std.h"  // the standard headers, or their NVRTC stand-ins

// tg_int<T> and tg_float<T> select overloads for integer and floating T.
template <class T, class R = T>
using tg_int = typename std::enable_if<std::is_integral<T>::value, R>::type;
template <class T, class R = T>
using tg_float = typename std::enable_if<std::is_floating_point<T>::value, R>::type;

// --- float16: stored as IEEE binary16 bits, computed in float -----------------

// tg_half_to_float widens binary16 bits exactly: 0x3c00 -> 1.0f.
static inline float tg_half_to_float(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0) {  // zero or subnormal: m * 2^-24
        float f = std::ldexp(float(m), -24);
        return sign ? -f : f;
    }
    uint32_t bits = sign | (e == 31 ? 0x7f800000u : (e - 15 + 127) << 23) | (m << 13);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// tg_float_to_half rounds to the nearest binary16, ties to even, as numpy's
// astype(float16) does: 65520.0f -> inf (0x7c00), NaN stays NaN.
static inline uint16_t tg_float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint16_t sign = uint16_t((x >> 16) & 0x8000);
    uint32_t a = x & 0x7fffffffu;
    if (a >= 0x7f800000u)  // inf, or NaN (kept quiet, with its top payload bits)
        return sign | 0x7c00 | (a > 0x7f800000u ? 0x200 | ((a >> 13) & 0x3ff) : 0);
    if (a >= 0x47800000u)  // >= 65536: beyond the largest half after rounding
        return sign | 0x7c00;
    if (a < 0x38800000u) {  // below 2^-14: a subnormal half (units of 2^-24), or 0
        float mag;
        std::memcpy(&mag, &a, 4);
        return sign | uint16_t(std::nearbyint(mag * 16777216.0f));  // exact scaling, round to even
    }
    uint32_t h = ((a >> 23) - 127 + 15) << 10 | ((a & 0x7fffff) >> 13), rest = a & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++;  // a carry into the exponent is right (up to inf)
    return uint16_t(sign | h);
}

// --- conversions between compute types ---------------------------------------

// tg_convert<To>(x) converts between compute types as numpy's astype does:
// static_cast, except that complex -> bool is "nonzero" and a real enters
// a complex as its real part. (Integer narrowing wraps, as in Go.)
template <class To, class From>
struct tg_converter {
    static To run(From x) { return static_cast<To>(x); }
};
#ifdef TG_HAS_COMPLEX
template <class T>
struct tg_converter<bool, std::complex<T>> {
    static bool run(std::complex<T> x) { return x != std::complex<T>(0); }
};
template <class A, class B>
struct tg_converter<std::complex<A>, std::complex<B>> {
    static std::complex<A> run(std::complex<B> x) { return std::complex<A>(A(x.real()), A(x.imag())); }
};
template <class A, class From>
struct tg_converter<std::complex<A>, From> {
    static std::complex<A> run(From x) { return std::complex<A>(static_cast<A>(x), A(0)); }
};
#endif
template <class To, class From>
static inline To tg_convert(From x) { return tg_converter<To, From>::run(x); }

// --- integer and floating division (Python's signs) -------------------------

// tg_floordiv is x // y rounded toward -inf: floordiv(-7, 2) == -4. An
// integer division by 0 gives 0 (numpy warns and gives 0); INT64_MIN // -1
// wraps to INT64_MIN instead of trapping.
template <class T>
static inline tg_int<T> tg_floordiv(T x, T y) {
    if (y == 0) return 0;
    if (std::is_signed<T>::value && y == T(-1)) return T(0 - (typename std::make_unsigned<T>::type)(x));
    T q = x / y;
    if (x % y != 0 && ((x < 0) != (y < 0))) q--;
    return q;
}
// Floats follow numpy's divmod: the quotient is (x - mod(x, y)) / y rounded
// to an integer, exact where floor(x / y) would round first:
// floordiv(-2.5f, -0.001f) == 2499 (the quotient 2499.9999 rounds to 2500).
template <class T>
static inline tg_float<T> tg_floordiv(T x, T y) {
    if (y == 0) return x / y;
    T mod = std::fmod(x, y), div = (x - mod) / y;
    if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1;
    if (div == 0) return std::copysign(T(0), x / y);
    T floor = std::floor(div);
    return div - floor > T(0.5) ? floor + 1 : floor;
}

// tg_mod is x % y with the sign of y, as Python: mod(-7, 2) == 1,
// mod(7, -2) == -1. Integer mod 0 gives 0 (numpy warns); floats give NaN.
template <class T>
static inline tg_int<T> tg_mod(T x, T y) {
    if (y == 0 || (std::is_signed<T>::value && y == T(-1))) return 0;
    T r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
}
template <class T>
static inline tg_float<T> tg_mod(T x, T y) {
    T r = std::fmod(x, y);
    if (r == 0) return std::copysign(T(0), y);
    if ((r < 0) != (y < 0)) r += y;
    return r;
}

// --- rounding to integral values ---------------------------------------------

// tg_floor, tg_ceil, tg_trunc, tg_round (halves away from zero) and tg_rint
// (halves to even, the default rounding mode) round floats in their own
// type and return integers unchanged: through a double, int64_t values
// above 2^53 would lose their low bits. tg_rint(2.5) == 2.0, tg_round(2.5) == 3.0.
template <class T>
static inline tg_int<T> tg_floor(T x) { return x; }
template <class T>
static inline tg_float<T> tg_floor(T x) { return std::floor(x); }
template <class T>
static inline tg_int<T> tg_ceil(T x) { return x; }
template <class T>
static inline tg_float<T> tg_ceil(T x) { return std::ceil(x); }
template <class T>
static inline tg_int<T> tg_trunc(T x) { return x; }
template <class T>
static inline tg_float<T> tg_trunc(T x) { return std::trunc(x); }
template <class T>
static inline tg_int<T> tg_round(T x) { return x; }
template <class T>
static inline tg_float<T> tg_round(T x) { return std::round(x); }
template <class T>
static inline tg_int<T> tg_rint(T x) { return x; }
template <class T>
static inline tg_float<T> tg_rint(T x) { return std::nearbyint(x); }

// --- powers -------------------------------------------------------------------

// tg_pow is x ** y. Integers: by squaring, wrapping on overflow as numpy
// does; a negative exponent returns 0 here (numpy raises ValueError, and so
// does the Go evaluator: generated code must check exponents before it
// runs, as ScalarOp.CheckI64 says). Floats: std::pow. Complex: Go's
// cmplx.Pow formula, so that 0 ** 0 == 1 and 0 ** 2 == 0 (libstdc++'s
// std::pow gives 0 ** 0 == 0).
template <class T>
static inline tg_int<T> tg_pow(T x, T y) {
    if (y < 0) return 0;
    typedef typename std::make_unsigned<T>::type U;
    U r = 1, b = U(x);
    for (U e = U(y); e > 0; e >>= 1) {
        if (e & 1) r *= b;
        b *= b;
    }
    return T(r);
}
template <class T>
static inline tg_float<T> tg_pow(T x, T y) { return std::pow(x, y); }
#ifdef TG_HAS_COMPLEX
template <class T>
static inline std::complex<T> tg_pow(std::complex<T> x, std::complex<T> y) {
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    if (x == std::complex<T>(0)) {
        if (std::isnan(y.real()) || std::isnan(y.imag())) return std::complex<T>(nan, nan);
        if (y.real() == 0) return std::complex<T>(1);
        if (y.real() < 0) return y.imag() == 0 ? std::complex<T>(inf, 0) : std::complex<T>(inf, inf);
        return std::complex<T>(0);
    }
    T modulus = std::abs(x), arg = std::arg(x), r = std::pow(modulus, y.real()), theta = y.real() * arg;
    if (y.imag() != 0) {
        r *= std::exp(-y.imag() * arg);
        theta += y.imag() * std::log(modulus);
    }
    return std::complex<T>(r * std::cos(theta), r * std::sin(theta));
}
// complex64 ** complex64 computes in complex128, as the Go evaluator does:
// in float, the phase error grows with the exponent (|y| ulps).
static inline std::complex<float> tg_pow(std::complex<float> x, std::complex<float> y) {
    std::complex<double> z = tg_pow(std::complex<double>(x), std::complex<double>(y));
    return std::complex<float>(float(z.real()), float(z.imag()));
}
#endif

// --- signs and magnitudes ------------------------------------------------------

// tg_abs is |x|. abs(INT64_MIN) wraps to INT64_MIN as numpy's does; the
// magnitude of a complex is real: abs(3+4i) == 5.
template <class T>
static inline tg_int<T> tg_abs(T x) {
    return x < 0 ? T(0 - (typename std::make_unsigned<T>::type)(x)) : x;
}
template <class T>
static inline tg_float<T> tg_abs(T x) { return std::fabs(x); }
#ifdef TG_HAS_COMPLEX
template <class T>
static inline T tg_abs(std::complex<T> x) { return std::abs(x); }
#endif

// tg_sgn is the sign, -1, 0 or 1; a float 0 or NaN is returned as it is.
template <class T>
static inline T tg_sgn(T x) { return x > 0 ? T(1) : x < 0 ? T(-1) : x; }

// tg_invert is ~x: bitwise for integers, logical not for bool.
static inline bool tg_invert(bool x) { return !x; }
template <class T>
static inline tg_int<T> tg_invert(T x) { return T(~x); }

// --- smooth functions ---------------------------------------------------------

// tg_sigmoid is 1 / (1 + e^-x), without overflow for large |x|.
template <class T>
static inline tg_float<T> tg_sigmoid(T x) {
    if (x >= 0) return T(1) / (T(1) + std::exp(-x));
    T ex = std::exp(x);
    return ex / (T(1) + ex);
}

// tg_softplus is ln(1 + e^x), stable: for x > 30 it is x + ln(1 + e^-x).
template <class T>
static inline tg_float<T> tg_softplus(T x) {
    if (x > 30) return x + std::log1p(std::exp(-x));
    return std::log1p(std::exp(x));
}

// --- maximum and minimum (numpy: a NaN operand wins) ---------------------------

template <class T>
static inline T tg_max(T x, T y) { return (x >= y || x != x) ? x : y; }
template <class T>
static inline T tg_min(T x, T y) { return (x <= y || x != x) ? x : y; }

// --- reduction identities -------------------------------------------------------

// tg_lowest<T>() is the identity of max: -inf, the smallest integer, false.
// tg_highest<T>() is the identity of min: +inf, the largest integer, true.
template <class T>
static inline T tg_lowest() {
    return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
}
template <class T>
static inline T tg_highest() {
    return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
}

/* --- numpy's astype (the Go evaluator's tensor.Array.Astype) ------------ */

template <class T> struct tg_is_complex : std::false_type {};
#ifdef TG_HAS_COMPLEX
template <class T> struct tg_is_complex<std::complex<T>> : std::true_type {};
#endif

/* A float to int64 as the evaluator converts: [2^63, 2^64) through uint64,
 * NaN, infinities and other out-of-range values to INT64_MIN. */
static inline int64_t tg_float_to_int64(double v) {
    if (v >= 9.223372036854775807e18 && v < 1.8446744073709552e19) return (int64_t)(uint64_t)v;
    if (!(v > -9.223372036854775808e18 - 1025.0 && v < 9.223372036854775807e18)) return INT64_MIN;
    return (int64_t)v;
}

/* tg_astype<To>(x) converts between compute types as astype does. */
template <class To, class From>
static inline To tg_astype(From x) {
    if constexpr (std::is_same<To, bool>::value) {
        return tg_convert<bool>(x);
    } else if constexpr (tg_is_complex<From>::value && !tg_is_complex<To>::value) {
        return tg_astype<To>(x.real());
    } else if constexpr (std::is_integral<To>::value && std::is_floating_point<From>::value) {
        return (To)tg_float_to_int64((double)x);
    } else if constexpr (std::is_floating_point<To>::value && std::is_integral<From>::value) {
        return (To)(double)x;
    } else {
        return tg_convert<To>(x);
    }
}

/* --- constant integer powers -------------------------------------------- */

/* a * x ** N by squaring, low bits first: the order of Go's math.Pow for an
 * integer exponent (the evaluator's), whose mantissa products round as
 * these do away from overflow and subnormals. */
template <unsigned N>
static inline double tg_powu(double a, double x) {
    if constexpr (N == 0) {
        return a;
    } else if constexpr (N == 1) {
        return a * x;
    } else if constexpr ((N & 1) != 0) {
        return tg_powu<(N >> 1)>(a * x, x * x);
    } else {
        return tg_powu<(N >> 1)>(a, x * x);
    }
}

/* x ** N for a constant integer N: multiplications instead of pow(). */
template <int N>
static inline double tg_powi(double x) {
    if constexpr (N < 0) {
        return 1.0 / tg_powu<(unsigned)(-N)>(1.0, x);
    } else {
        return tg_powu<(unsigned)N>(1.0, x);
    }
}

#endif  // TG_SCALAR_H
