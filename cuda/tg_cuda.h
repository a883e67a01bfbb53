// tg_cuda.h: CUDA-only helpers of the printed kernels (cuda/printer.go,
// cuda/reduce.go), next to the shared scalar header tg_scalar.h that the
// C++ kernels compile too. NVRTC compiles it; it includes nothing.
#pragma once

// tg_shfl_down is __shfl_down_sync over the whole warp for a stored scalar
// of any type up to 8 bytes (bool, int8_t, float16's uint16_t bits, float,
// double, int64_t...): lane l receives lane l+d's v (its own v where l+d is
// past the warp). Every lane of the warp must call it.
template <typename T>
__device__ inline T tg_shfl_down(T v, int d) {
    static_assert(sizeof(T) <= 8, "tg_shfl_down: a scalar of at most 8 bytes");
    if constexpr (sizeof(T) <= 4) {
        unsigned int bits = 0;
        memcpy(&bits, &v, sizeof(T));
        bits = __shfl_down_sync(0xffffffffu, bits, d);
        memcpy(&v, &bits, sizeof(T));
    } else {
        unsigned long long bits = 0;
        memcpy(&bits, &v, sizeof(T));
        bits = __shfl_down_sync(0xffffffffu, bits, d);
        memcpy(&v, &bits, sizeof(T));
    }
    return v;
}
