// A stand-in for libcuda.so.1 that runs on the host, for driver_test.go:
// it checks Device's plumbing (dlsym names, argument order, the kernel
// parameter array) on machines without a GPU. Device memory is malloc'd
// host memory, a module is any image, and every kernel computes
//
//     out[i] = in[i] * 1000 + grid * 10 + block    (i < in_v.shape[0], doubles)
//
// from the parameters (in, tg_dims1 in_v, out, tg_dims1 out_v).
// Built with FAKE_NO_DEVICE, cuInit answers CUDA_ERROR_NO_DEVICE.
#include <stdlib.h>
#include <string.h>

typedef unsigned long long ptr_t;
struct dims1 { long long shape[1]; long long strides[1]; };

int cuInit(unsigned flags) {
#ifdef FAKE_NO_DEVICE
    return 100;
#else
    return flags == 0 ? 0 : 1;
#endif
}
int cuDeviceGet(int *dev, int ordinal) { *dev = ordinal; return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) {
    *v = attr == 75 ? 9 : attr == 76 ? 0 : attr == 16 ? 132 : -1;
    return *v < 0 || dev != 0;
}
static int context;
int cuDevicePrimaryCtxRetain(void **ctx, int dev) { *ctx = &context; return dev != 0; }
int cuDevicePrimaryCtxRelease_v2(int dev) { return dev != 0; }
int cuCtxSetCurrent(void *ctx) { return ctx != &context; }
int cuCtxSynchronize(void) { return 0; }
static int module;
int cuModuleLoadData(void **mod, const void *image) { *mod = &module; return image == NULL; }
int cuModuleUnload(void *mod) { return mod != &module; }
int cuModuleGetFunction(void **fn, void *mod, const char *name) { *fn = (void *)name; return mod != &module || name == NULL; }
int cuMemAlloc_v2(ptr_t *p, size_t n) { *p = (ptr_t)malloc(n); return *p == 0 ? 2 : 0; }
int cuMemFree_v2(ptr_t p) { free((void *)p); return 0; }
int cuMemcpyHtoD_v2(ptr_t dst, const void *src, size_t n) { memcpy((void *)dst, src, n); return 0; }
int cuMemcpyDtoH_v2(void *dst, ptr_t src, size_t n) { memcpy(dst, (void *)src, n); return 0; }
int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void *stream, void **params, void **extra) {
    if (fn == NULL || gy != 1 || gz != 1 || by != 1 || bz != 1 || shared != 0 || stream != NULL || extra != NULL) return 1;
    const double *in = *(const double **)params[0];
    const struct dims1 *in_v = (const struct dims1 *)params[1];
    double *out = *(double **)params[2];
    for (long long i = 0; i < in_v->shape[0]; i++) out[i] = in[i] * 1000 + gx * 10 + bx;
    return 0;
}
int cuGetErrorName(int rc, const char **name) { *name = rc == 100 ? "CUDA_ERROR_NO_DEVICE" : "CUDA_ERROR_FAKE"; return 0; }
