package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// NVRTC's entry points as nvrtc.h declares them (nvrtcResult is an int
// enum, nvrtcProgram a pointer), called through pointers from dlsym.
typedef int (*tg_nvrtc_create)(void **, const char *, const char *, int, const char *const *, const char *const *);
typedef int (*tg_nvrtc_compile)(void *, int, const char *const *);
typedef int (*tg_nvrtc_size)(void *, size_t *);
typedef int (*tg_nvrtc_get)(void *, char *);
typedef int (*tg_nvrtc_destroy)(void **);
typedef int (*tg_nvrtc_version)(int *, int *);

static int tg_call_create(void *f, void **prog, const char *src, const char *name, int n, const char *const *h, const char *const *hn) {
    return ((tg_nvrtc_create)f)(prog, src, name, n, h, hn);
}
static int tg_call_compile(void *f, void *prog, int n, const char *const *opts) { return ((tg_nvrtc_compile)f)(prog, n, opts); }
static int tg_call_size(void *f, void *prog, size_t *n) { return ((tg_nvrtc_size)f)(prog, n); }
static int tg_call_get(void *f, void *prog, char *out) { return ((tg_nvrtc_get)f)(prog, out); }
static int tg_call_destroy(void *f, void **prog) { return ((tg_nvrtc_destroy)f)(prog); }
static int tg_call_version(void *f, int *major, int *minor) { return ((tg_nvrtc_version)f)(major, minor); }
*/
import "C"

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"unsafe"

	"theanogo/codegen/runtime"
)

// NVRTCEnv names the environment variable that overrides FindNVRTC.
const NVRTCEnv = "THEANOGO_NVRTC"

// FindNVRTC returns the path of NVRTC's shared library, or "": in order,
// $THEANOGO_NVRTC; the nvidia-cuda-nvrtc-cu12 wheel in the repository's
// virtual environment (<repo>/.venv/lib/python3*/site-packages/nvidia/
// cuda_nvrtc/lib/libnvrtc.so.12, which make install brings); a system
// CUDA (/usr/local/cuda/lib64/libnvrtc.so).
func FindNVRTC() string {
	if v := os.Getenv(NVRTCEnv); v != "" {
		return v
	}
	if root := runtime.RepoRoot(); root != "" {
		pattern := filepath.Join(root, ".venv", "lib", "python3*", "site-packages", "nvidia", "cuda_nvrtc", "lib", "libnvrtc.so.*")
		if matches, _ := filepath.Glob(pattern); len(matches) > 0 {
			sort.Strings(matches)
			return matches[len(matches)-1]
		}
	}
	for _, p := range []string{"/usr/local/cuda/lib64/libnvrtc.so", "/usr/lib/x86_64-linux-gnu/libnvrtc.so"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// NVRTC is the NVRTC library, opened with dlopen: the project links no
// CUDA library, so a machine without one builds and runs everything else.
type NVRTC struct {
	Path                                             string
	create, compile, logSize, log, ptxSize, ptx, del unsafe.Pointer
	version, cubinSize, cubin                        unsafe.Pointer
}

// LoadNVRTC opens the library at path and finds its entry points.
func LoadNVRTC(path string) (*NVRTC, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	h := C.dlopen(cpath, C.RTLD_NOW|C.RTLD_LOCAL)
	if h == nil {
		return nil, fmt.Errorf("cuda: cannot load NVRTC %s: %s", path, C.GoString(C.dlerror()))
	}
	n := &NVRTC{Path: path}
	for _, s := range []struct {
		name string
		to   *unsafe.Pointer
	}{{"nvrtcCreateProgram", &n.create}, {"nvrtcCompileProgram", &n.compile}, {"nvrtcGetProgramLogSize", &n.logSize},
		{"nvrtcGetProgramLog", &n.log}, {"nvrtcGetPTXSize", &n.ptxSize}, {"nvrtcGetPTX", &n.ptx},
		{"nvrtcDestroyProgram", &n.del}, {"nvrtcVersion", &n.version}, {"nvrtcGetCUBINSize", &n.cubinSize},
		{"nvrtcGetCUBIN", &n.cubin}} {
		cname := C.CString(s.name)
		*s.to = C.dlsym(h, cname)
		C.free(unsafe.Pointer(cname))
		if *s.to == nil {
			return nil, fmt.Errorf("cuda: %s has no %s", path, s.name)
		}
	}
	return n, nil
}

// Version is NVRTC's CUDA version (12, 9).
func (n *NVRTC) Version() (major, minor int) {
	var a, b C.int
	C.tg_call_version(n.version, &a, &b)
	return int(a), int(b)
}

// CompilePTX compiles CUDA source (name is its file name in messages)
// with in-memory headers (file name -> text) and options to PTX. On a
// compile error it returns NVRTC's log in the error.
func (n *NVRTC) CompilePTX(source, name string, headers map[string]string, options []string) (ptx string, log string, err error) {
	out, log, err := n.build(source, name, headers, options, n.ptxSize, n.ptx, "nvrtcGetPTX")
	if err != nil {
		return "", log, err
	}
	return string(out[:len(out)-1]), log, nil // without PTX's final NUL
}

// CompileCUBIN compiles as CompilePTX does to a CUBIN: machine code for
// the real architecture that options name (Options("sm_90")), which a
// driver older than NVRTC still loads (PTX needs a driver at least as new).
func (n *NVRTC) CompileCUBIN(source, name string, headers map[string]string, options []string) (cubin []byte, log string, err error) {
	return n.build(source, name, headers, options, n.cubinSize, n.cubin, "nvrtcGetCUBIN")
}

// build compiles and returns the output that getSize and get fetch.
func (n *NVRTC) build(source, name string, headers map[string]string, options []string, getSize, get unsafe.Pointer, what string) (out []byte, log string, err error) {
	var keep []unsafe.Pointer
	defer func() {
		for _, p := range keep {
			C.free(p)
		}
	}()
	cstr := func(s string) *C.char {
		p := C.CString(s)
		keep = append(keep, unsafe.Pointer(p))
		return p
	}
	cArray := func(ss []string) **C.char {
		if len(ss) == 0 {
			return nil
		}
		arr := (**C.char)(C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		keep = append(keep, unsafe.Pointer(arr))
		slots := unsafe.Slice(arr, len(ss))
		for i, s := range ss {
			slots[i] = cstr(s)
		}
		return arr
	}
	var names, texts []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		texts = append(texts, headers[k])
	}
	var prog unsafe.Pointer
	if rc := C.tg_call_create(n.create, &prog, cstr(source), cstr(name), C.int(len(names)), cArray(texts), cArray(names)); rc != 0 {
		return nil, "", fmt.Errorf("cuda: nvrtcCreateProgram failed (%d)", int(rc))
	}
	defer C.tg_call_destroy(n.del, &prog)
	rc := C.tg_call_compile(n.compile, prog, C.int(len(options)), cArray(options))
	var size C.size_t
	if C.tg_call_size(n.logSize, prog, &size) == 0 && size > 1 {
		buf := make([]byte, size)
		C.tg_call_get(n.log, prog, (*C.char)(unsafe.Pointer(&buf[0])))
		log = string(buf[:size-1])
	}
	if rc != 0 {
		return nil, log, fmt.Errorf("cuda: NVRTC could not compile %s (error %d):\n%s", name, int(rc), log)
	}
	if rc := C.tg_call_size(getSize, prog, &size); rc != 0 || size == 0 {
		return nil, log, fmt.Errorf("cuda: %sSize failed (%d)", what, int(rc))
	}
	buf := make([]byte, size)
	if rc := C.tg_call_get(get, prog, (*C.char)(unsafe.Pointer(&buf[0]))); rc != 0 {
		return nil, log, fmt.Errorf("cuda: %s failed (%d)", what, int(rc))
	}
	return buf, log, nil
}

// Headers are the headers a printed program includes, for CompilePTX:
// tg_scalar.h and tg_std.h (codegen/runtime, embedded), shared with the
// C++ kernels, and tg_cuda.h (this package's CUDA-only helpers).
func Headers() map[string]string {
	files := runtime.Files()
	return map[string]string{"tg_scalar.h": string(files["tg_scalar.h"]), "tg_std.h": string(files["tg_std.h"]), "tg_cuda.h": cudaHeader}
}

// cudaHeader is tg_cuda.h.
//
//go:embed tg_cuda.h
var cudaHeader string

// Options are the NVRTC options for a printed program on architecture
// arch (virtual, "compute_75", for PTX; real, "sm_90", for a CUBIN): C++17, and plain functions (the
// header's helpers) as device functions.
func Options(arch string) []string {
	return []string{"--gpu-architecture=" + arch, "-std=c++17", "-default-device"}
}
