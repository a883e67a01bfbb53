package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// The CUDA driver API's entry points as cuda.h declares them (CUresult is
// an int enum; CUdevice an int; CUcontext, CUmodule, CUfunction and
// CUstream pointers; CUdeviceptr an unsigned 64-bit integer), called
// through pointers from dlsym.
typedef unsigned long long tg_cu_ptr;
static int tg_cu_init(void *f, unsigned flags) { return ((int (*)(unsigned))f)(flags); }
static int tg_cu_device_get(void *f, int *dev, int ordinal) { return ((int (*)(int *, int))f)(dev, ordinal); }
static int tg_cu_attribute(void *f, int *v, int attr, int dev) { return ((int (*)(int *, int, int))f)(v, attr, dev); }
static int tg_cu_ctx_retain(void *f, void **ctx, int dev) { return ((int (*)(void **, int))f)(ctx, dev); }
static int tg_cu_ctx_release(void *f, int dev) { return ((int (*)(int))f)(dev); }
static int tg_cu_ctx_set(void *f, void *ctx) { return ((int (*)(void *))f)(ctx); }
static int tg_cu_ctx_sync(void *f) { return ((int (*)(void))f)(); }
static int tg_cu_module_load(void *f, void **mod, const void *image) { return ((int (*)(void **, const void *))f)(mod, image); }
static int tg_cu_module_unload(void *f, void *mod) { return ((int (*)(void *))f)(mod); }
static int tg_cu_module_function(void *f, void **fn, void *mod, const char *name) {
    return ((int (*)(void **, void *, const char *))f)(fn, mod, name);
}
static int tg_cu_alloc(void *f, tg_cu_ptr *p, size_t n) { return ((int (*)(tg_cu_ptr *, size_t))f)(p, n); }
static int tg_cu_free(void *f, tg_cu_ptr p) { return ((int (*)(tg_cu_ptr))f)(p); }
static int tg_cu_to_device(void *f, tg_cu_ptr dst, const void *src, size_t n) { return ((int (*)(tg_cu_ptr, const void *, size_t))f)(dst, src, n); }
static int tg_cu_to_host(void *f, void *dst, tg_cu_ptr src, size_t n) { return ((int (*)(void *, tg_cu_ptr, size_t))f)(dst, src, n); }
static int tg_cu_launch(void *f, void *fn, unsigned grid, unsigned block, void **params) {
    return ((int (*)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **, void **))f)(
        fn, grid, 1, 1, block, 1, 1, 0, NULL, params, NULL);
}
static int tg_cu_error_name(void *f, int rc, const char **name) { return ((int (*)(int, const char **))f)(rc, name); }
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"unsafe"
)

// DriverEnv names the environment variable that overrides the CUDA
// driver library's path (libcuda.so.1, found by the dynamic loader).
const DriverEnv = "THEANOGO_LIBCUDA"

// ErrNoDriver is LoadDriver's error when the machine has no CUDA driver
// (no libcuda, or a driver that sees no device): the one case in which a
// GPU test skips.
var ErrNoDriver = errors.New("cuda: no CUDA driver")

// Device is one GPU through the CUDA driver API, opened with dlopen (the
// project links no CUDA library): its primary context, made current on
// the calling thread by every method. It runs printed kernels:
//
//	d, err := cuda.OpenDevice()          // errors.Is(err, cuda.ErrNoDriver): no GPU here
//	m, err := d.Load(cubin)              // PTX (NUL-terminated) or a CUBIN for d's architecture
//	buf, err := d.Alloc(n); d.CopyIn(buf, bytes)
//	err = m.Launch("tg_sum", grid, 256, cuda.Ptr(in), cuda.Dims(shape, strides), ...)
//	d.CopyOut(bytes, buf)
type Device struct {
	fn    map[string]unsafe.Pointer
	dev   C.int
	ctx   unsafe.Pointer
	Major int // compute capability (9, 0 for an H100)
	Minor int
	SMs   int // streaming multiprocessors
}

// driverSymbols are the entry points Device uses (the _v2 names are the
// ones cuda.h's macros select).
var driverSymbols = []string{"cuInit", "cuDeviceGet", "cuDeviceGetAttribute", "cuDevicePrimaryCtxRetain",
	"cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent", "cuCtxSynchronize", "cuModuleLoadData", "cuModuleUnload",
	"cuModuleGetFunction", "cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2", "cuLaunchKernel",
	"cuGetErrorName"}

// cudaErrorNoDevice is CUDA_ERROR_NO_DEVICE: a driver without a GPU.
const cudaErrorNoDevice = 100

// OpenDevice opens device 0: libcuda from $THEANOGO_LIBCUDA or the dynamic
// loader's path, cuInit, the device's primary context. A missing library
// or CUDA_ERROR_NO_DEVICE is ErrNoDriver (wrapped); any other failure is
// an error of its own.
func OpenDevice() (*Device, error) {
	path := "libcuda.so.1"
	if v := os.Getenv(DriverEnv); v != "" {
		path = v
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	h := C.dlopen(cpath, C.RTLD_NOW|C.RTLD_LOCAL)
	if h == nil {
		return nil, fmt.Errorf("%w: cannot load %s: %s", ErrNoDriver, path, C.GoString(C.dlerror()))
	}
	d := &Device{fn: map[string]unsafe.Pointer{}}
	for _, s := range driverSymbols {
		cname := C.CString(s)
		p := C.dlsym(h, cname)
		C.free(unsafe.Pointer(cname))
		if p == nil {
			return nil, fmt.Errorf("cuda: %s has no %s (a driver older than CUDA 11?)", path, s)
		}
		d.fn[s] = p
	}
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	if rc := C.tg_cu_init(d.fn["cuInit"], 0); rc != 0 {
		if rc == cudaErrorNoDevice {
			return nil, fmt.Errorf("%w: cuInit: %s", ErrNoDriver, d.errorName(rc))
		}
		return nil, d.fail("cuInit", rc)
	}
	if rc := C.tg_cu_device_get(d.fn["cuDeviceGet"], &d.dev, 0); rc != 0 {
		return nil, d.fail("cuDeviceGet", rc)
	}
	for _, a := range []struct {
		attr C.int
		to   *int
	}{{75, &d.Major}, {76, &d.Minor}, {16, &d.SMs}} { // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, _MINOR, _MULTIPROCESSOR_COUNT
		var v C.int
		if rc := C.tg_cu_attribute(d.fn["cuDeviceGetAttribute"], &v, a.attr, d.dev); rc != 0 {
			return nil, d.fail("cuDeviceGetAttribute", rc)
		}
		*a.to = int(v)
	}
	if rc := C.tg_cu_ctx_retain(d.fn["cuDevicePrimaryCtxRetain"], &d.ctx, d.dev); rc != 0 {
		return nil, d.fail("cuDevicePrimaryCtxRetain", rc)
	}
	return d, nil
}

// Arch is the device's real architecture for NVRTC ("sm_90").
func (d *Device) Arch() string { return fmt.Sprintf("sm_%d%d", d.Major, d.Minor) }

// Close releases the primary context.
func (d *Device) Close() {
	C.tg_cu_ctx_release(d.fn["cuDevicePrimaryCtxRelease_v2"], d.dev)
}

func (d *Device) errorName(rc C.int) string {
	var name *C.char
	if C.tg_cu_error_name(d.fn["cuGetErrorName"], rc, &name) != 0 || name == nil {
		return fmt.Sprintf("CUresult %d", int(rc))
	}
	return fmt.Sprintf("%s (%d)", C.GoString(name), int(rc))
}

func (d *Device) fail(call string, rc C.int) error {
	return fmt.Errorf("cuda: %s failed: %s", call, d.errorName(rc))
}

// current runs f with the context current on a locked thread.
func (d *Device) current(call string, f func() C.int) error {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	if rc := C.tg_cu_ctx_set(d.fn["cuCtxSetCurrent"], d.ctx); rc != 0 {
		return d.fail("cuCtxSetCurrent", rc)
	}
	if rc := f(); rc != 0 {
		return d.fail(call, rc)
	}
	return nil
}

// Buffer is device memory: its address and size in bytes.
type Buffer struct {
	ptr  C.tg_cu_ptr
	Size int
}

// Alloc allocates n bytes (at least 1) of device memory.
func (d *Device) Alloc(n int) (Buffer, error) {
	b := Buffer{Size: n}
	err := d.current("cuMemAlloc", func() C.int { return C.tg_cu_alloc(d.fn["cuMemAlloc_v2"], &b.ptr, C.size_t(max(n, 1))) })
	return b, err
}

// Free frees a buffer.
func (d *Device) Free(b Buffer) error {
	return d.current("cuMemFree", func() C.int { return C.tg_cu_free(d.fn["cuMemFree_v2"], b.ptr) })
}

// CopyIn copies src to the start of b.
func (d *Device) CopyIn(b Buffer, src []byte) error {
	if len(src) > b.Size {
		return fmt.Errorf("cuda: copying %d bytes into a buffer of %d", len(src), b.Size)
	}
	if len(src) == 0 {
		return nil
	}
	c := C.CBytes(src)
	defer C.free(c)
	return d.current("cuMemcpyHtoD", func() C.int { return C.tg_cu_to_device(d.fn["cuMemcpyHtoD_v2"], b.ptr, c, C.size_t(len(src))) })
}

// CopyOut copies the start of b to dst.
func (d *Device) CopyOut(dst []byte, b Buffer) error {
	if len(dst) > b.Size {
		return fmt.Errorf("cuda: copying %d bytes out of a buffer of %d", len(dst), b.Size)
	}
	if len(dst) == 0 {
		return nil
	}
	c := C.malloc(C.size_t(len(dst)))
	defer C.free(c)
	if err := d.current("cuMemcpyDtoH", func() C.int { return C.tg_cu_to_host(d.fn["cuMemcpyDtoH_v2"], c, b.ptr, C.size_t(len(dst))) }); err != nil {
		return err
	}
	copy(dst, unsafe.Slice((*byte)(c), len(dst)))
	return nil
}

// Module is loaded code: a PTX or CUBIN image.
type Module struct {
	d   *Device
	mod unsafe.Pointer
}

// Load loads a PTX text or a CUBIN image (the driver JIT-compiles PTX for
// the device; a PTX newer than the driver fails with
// CUDA_ERROR_UNSUPPORTED_PTX_VERSION, where a CUBIN of NVRTC's for
// d.Arch() loads).
func (d *Device) Load(image []byte) (*Module, error) {
	c := C.CBytes(append(append([]byte{}, image...), 0)) // PTX is read up to its NUL
	defer C.free(c)
	m := &Module{d: d}
	err := d.current("cuModuleLoadData", func() C.int { return C.tg_cu_module_load(d.fn["cuModuleLoadData"], &m.mod, c) })
	return m, err
}

// Unload unloads the module.
func (m *Module) Unload() error {
	return m.d.current("cuModuleUnload", func() C.int { return C.tg_cu_module_unload(m.d.fn["cuModuleUnload"], m.mod) })
}

// Arg is one kernel argument's bytes, as the kernel's parameter holds it.
type Arg []byte

// Ptr is a buffer's address as a pointer parameter.
func Ptr(b Buffer) Arg { return binary.LittleEndian.AppendUint64(nil, uint64(b.ptr)) }

// Dims is a tg_dims<r> parameter: the shape, then the strides in elements
// (Program.Add's operand parameters).
func Dims(shape, strides []int) Arg {
	var a Arg
	for _, v := range append(append([]int{}, shape...), strides...) {
		a = binary.LittleEndian.AppendUint64(a, uint64(int64(v)))
	}
	return a
}

// Launch runs entry on a grid of grid blocks of block threads, with args
// in the kernel's parameter order, and waits for it to finish.
func (m *Module) Launch(entry string, grid, block int, args ...Arg) error {
	d := m.d
	cname := C.CString(entry)
	defer C.free(unsafe.Pointer(cname))
	// every parameter's bytes and the array of pointers to them in C memory
	params := (*unsafe.Pointer)(C.malloc(C.size_t(max(len(args), 1)) * C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))
	defer C.free(unsafe.Pointer(params))
	slots := unsafe.Slice(params, max(len(args), 1))
	for i, a := range args {
		slots[i] = C.CBytes(a)
		defer C.free(slots[i])
	}
	var fn unsafe.Pointer
	if err := d.current("cuModuleGetFunction "+entry, func() C.int { return C.tg_cu_module_function(d.fn["cuModuleGetFunction"], &fn, m.mod, cname) }); err != nil {
		return err
	}
	if err := d.current("cuLaunchKernel "+entry, func() C.int {
		return C.tg_cu_launch(d.fn["cuLaunchKernel"], fn, C.uint(grid), C.uint(block), params)
	}); err != nil {
		return err
	}
	return d.current("cuCtxSynchronize after "+entry, func() C.int { return C.tg_cu_ctx_sync(d.fn["cuCtxSynchronize"]) })
}
