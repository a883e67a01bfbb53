// tg_std.h: the part of the C++ standard library that the scalar helpers
// (tg_scalar.h) use, for both compilers that build them.
//
// With g++ (generated C++ kernels) it is the standard headers themselves.
// Under NVRTC (__CUDACC_RTC__: printed CUDA, cuda/), which has no standard
// headers, it declares the same names in namespace std from NVRTC's
// built-in device math functions (std::exp is ::exp, with float and double
// overloads), plus the few type traits, limits and fixed-width integers
// the helpers need. Compile NVRTC programs with -default-device, so that
// the helpers' plain `static inline` functions are device functions.
// Complex numbers have no NVRTC form here: tg_scalar.h leaves out its
// complex overloads there (TG_HAS_COMPLEX), and the CUDA printer refuses
// complex dtypes.
#ifndef TG_STD_H
#define TG_STD_H

#ifndef __CUDACC_RTC__

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#define TG_HAS_COMPLEX 1

#else  // NVRTC

typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT64_MAX 9223372036854775807LL
#define UINT32_C(x) x##u

namespace std {
// math: NVRTC's built-in overloads for float and double
using ::copysign; using ::cos; using ::exp; using ::expm1; using ::fabs; using ::floor; using ::fmod;
using ::isnan; using ::ldexp; using ::log; using ::log1p; using ::nearbyint; using ::pow; using ::sin;
using ::sqrt; using ::tanh;
using ::acos; using ::acosh; using ::asin; using ::asinh; using ::atan; using ::atan2; using ::atanh;
using ::ceil; using ::cosh; using ::erf; using ::erfc; using ::exp2; using ::log10; using ::log2;
using ::round; using ::sinh; using ::tan; using ::trunc;

using ::memcpy;

// type traits
template <class T, T v> struct integral_constant { static constexpr T value = v; };
typedef integral_constant<bool, true> true_type;
typedef integral_constant<bool, false> false_type;
template <bool B, class T = void> struct enable_if {};
template <class T> struct enable_if<true, T> { typedef T type; };
template <class A, class B> struct is_same : false_type {};
template <class A> struct is_same<A, A> : true_type {};
template <class T> struct is_integral : false_type {};
template <class T> struct is_signed : false_type {};
template <class T> struct is_floating_point : false_type {};
template <> struct is_floating_point<float> : true_type {};
template <> struct is_floating_point<double> : true_type {};
template <class T> struct make_unsigned { typedef T type; };

// numeric_limits of the types the helpers ask about
template <class T> struct numeric_limits;
template <> struct numeric_limits<float> {
    static constexpr bool has_infinity = true;
    static __device__ float infinity() { return __int_as_float(0x7f800000); }
    static __device__ float quiet_NaN() { return __int_as_float(0x7fc00000); }
    static __device__ float lowest() { return -3.402823466e+38f; }
    static __device__ float max() { return 3.402823466e+38f; }
};
template <> struct numeric_limits<double> {
    static constexpr bool has_infinity = true;
    static __device__ double infinity() { return __longlong_as_double(0x7ff0000000000000LL); }
    static __device__ double quiet_NaN() { return __longlong_as_double(0x7ff8000000000000LL); }
    static __device__ double lowest() { return -1.7976931348623157e+308; }
    static __device__ double max() { return 1.7976931348623157e+308; }
};
// TG_STD_INTEGER(T, U, signed, lowest, max): an integer type's traits.
#define TG_STD_INTEGER(T, U, S, LO, HI)                                 \
    template <> struct is_integral<T> : true_type {};                   \
    template <> struct is_signed<T> : integral_constant<bool, S> {};    \
    template <> struct make_unsigned<T> { typedef U type; };            \
    template <> struct numeric_limits<T> {                              \
        static constexpr bool has_infinity = false;                     \
        static __device__ T infinity() { return static_cast<T>(0); }               \
        static __device__ T lowest() { return LO; }                     \
        static __device__ T max() { return HI; }                        \
    };
TG_STD_INTEGER(bool, bool, false, false, true)
TG_STD_INTEGER(signed char, unsigned char, true, -128, 127)
TG_STD_INTEGER(short, unsigned short, true, -32768, 32767)
TG_STD_INTEGER(int, unsigned int, true, -2147483647 - 1, 2147483647)
TG_STD_INTEGER(long long, unsigned long long, true, INT64_MIN, INT64_MAX)
TG_STD_INTEGER(unsigned char, unsigned char, false, 0, 255)
TG_STD_INTEGER(unsigned short, unsigned short, false, 0, 65535)
TG_STD_INTEGER(unsigned int, unsigned int, false, 0, 4294967295u)
TG_STD_INTEGER(unsigned long long, unsigned long long, false, 0, 18446744073709551615ull)
#undef TG_STD_INTEGER
}  // namespace std

#endif  // __CUDACC_RTC__

#endif  // TG_STD_H
