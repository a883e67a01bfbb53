// Package loader loads what codegen/driver compiled and calls it from Go:
// the runtime library (dlopen RTLD_GLOBAL, once per process, before any
// kernel), kernel modules (dlopen, dlsym), per-function states, and kernel
// calls through the tg_kernel.h ABI. It also exports tg_eval_node, the Go
// evaluator fallback a kernel calls for a node with no C++ lowering.
//
//	err := loader.LoadRuntime(rtPath, "", 2)
//	m, err := loader.Open(soPath)
//	k, err := m.Kernel("tg_fn_1f2e")
//	st, err := loader.NewState(nSlots, nNodes, false)
//	out, err := loader.Call(k, st, inputs, []dtype.DType{dtype.Float64})
//
// A module stays loaded until Close: each Open is one dlopen, each Close one
// dlclose, and the dynamic loader unmaps the library when the last handle
// on it is closed. Close a module only when no kernel of it may still run
// or be called (its owner, cxx.Callable, closes it when its function is
// released).
package loader

/*
// (tg_rt.h: tg_state holds its regions' child states, tg_state_child)
#cgo CFLAGS: -I${SRCDIR}/../runtime
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "helpers.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"unsafe"
)

// cgoHeadersDigest is runtime.HeaderDigest("tg_rt.h"): the runtime headers
// this package's C preamble includes from codegen/runtime. Go's build
// cache hashes a cgo package's own files, not headers included from
// another directory, so an edit there (a field added to tg_args) would
// otherwise reuse an object compiled against the old layout. The
// package's test fails until this constant matches, and changing it
// rebuilds the package.
const cgoHeadersDigest = "74eba6a73e180456"

// runtimeLib is the process's runtime library, loaded once.
var runtimeLib struct {
	sync.Mutex
	path      string
	stateNew  unsafe.Pointer
	stateFree unsafe.Pointer
}

// LoadRuntime loads the runtime library at path (driver's RuntimeLibrary)
// with RTLD_NOW|RTLD_GLOBAL, so kernel modules resolve its symbols, and
// initializes it: blas names the BLAS library to load ("" lets the runtime
// search), threads the size of its pool. Loading the same library again
// does nothing: the same path, or the same cache entry in another cache
// (the driver names the entry directory by the hash of the runtime's
// sources and flags, so equal entries are one library); a process has one
// runtime, so a different one is an error.
func LoadRuntime(path string, blas string, threads int) error {
	runtimeLib.Lock()
	defer runtimeLib.Unlock()
	if runtimeLib.path != "" {
		if runtimeLib.path == path || sameEntry(runtimeLib.path, path) {
			return nil
		}
		return fmt.Errorf("loader: the runtime %s is loaded; cannot load a second one (%s)", runtimeLib.path, path)
	}
	h, err := dlopen(path, true)
	if err != nil {
		return err
	}
	init, err := dlsym(h, path, "tg_rt_init")
	if err != nil {
		return err
	}
	stateNew, err := dlsym(h, path, "tg_state_new")
	if err != nil {
		return err
	}
	stateFree, err := dlsym(h, path, "tg_state_free")
	if err != nil {
		return err
	}
	var cblas *C.char
	if blas != "" {
		cblas = C.CString(blas)
		defer C.free(unsafe.Pointer(cblas))
	}
	var cerr *C.char
	if C.tgl_call_rt_init(init, cblas, C.int(threads), &cerr) != 0 {
		return fmt.Errorf("loader: initializing the runtime %s: %s", path, takeString(cerr, "tg_rt_init failed"))
	}
	runtimeLib.path, runtimeLib.stateNew, runtimeLib.stateFree = path, stateNew, stateFree
	return nil
}

// sameEntry reports whether two runtime paths are the same cache entry
// (.../lib/<key>/libtgrt.so) in two caches.
func sameEntry(a, b string) bool {
	da, db := filepath.Dir(a), filepath.Dir(b)
	return filepath.Base(a) == filepath.Base(b) && filepath.Base(da) == filepath.Base(db) &&
		filepath.Base(filepath.Dir(da)) == "lib" && filepath.Base(filepath.Dir(db)) == "lib"
}

// Module is a loaded kernel module.
type Module struct {
	path   string
	mu     sync.Mutex
	handle unsafe.Pointer // nil once closed
}

// Open loads the kernel module at path (RTLD_NOW|RTLD_LOCAL: every symbol
// resolves now, against the runtime library loaded before).
func Open(path string) (*Module, error) {
	h, err := dlopen(path, false)
	if err != nil {
		return nil, err
	}
	return &Module{path: path, handle: h}, nil
}

// Kernel returns the address of the module's function symbol, a
// tg_kernel_fn for Call. The address is valid until Close.
func (m *Module) Kernel(symbol string) (uintptr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handle == nil {
		return 0, fmt.Errorf("loader: %s is closed", m.path)
	}
	p, err := dlsym(m.handle, m.path, symbol)
	return uintptr(p), err
}

// Close drops this Open's reference to the module (dlclose): the library
// is unmapped when no other Open of it is left, after which no address
// from Kernel may be called. Closing twice is harmless.
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handle == nil {
		return nil
	}
	var cerr *C.char
	rc := C.tgl_dlclose(m.handle, &cerr)
	m.handle = nil
	if rc != 0 {
		return fmt.Errorf("loader: cannot unload %s: %s", m.path, takeString(cerr, "dlclose failed"))
	}
	return nil
}

// NewState allocates a function's state (tg_rt.h tg_state_new): nSlots
// workspace slots and nNodes profile counters. The runtime must be loaded.
func NewState(nSlots, nNodes int, profile bool) (uintptr, error) {
	runtimeLib.Lock()
	fn := runtimeLib.stateNew
	runtimeLib.Unlock()
	if fn == nil {
		return 0, errors.New("loader: NewState before LoadRuntime")
	}
	if nSlots < 0 || nNodes < 0 || nSlots > 1<<30 || nNodes > 1<<30 {
		return 0, fmt.Errorf("loader: NewState(%d, %d): counts out of range", nSlots, nNodes)
	}
	prof := C.int32_t(0)
	if profile {
		prof = 1
	}
	st := C.tgl_call_state_new(fn, C.int32_t(nSlots), C.int32_t(nNodes), prof)
	if st == nil {
		return 0, errors.New("MemoryError: cannot allocate a function state")
	}
	return uintptr(st), nil
}

// SetEvaluator points state's evaluator fallback (tg_state.eval_node) at
// the Go evaluator with handle, from RegisterNodes.
func SetEvaluator(state uintptr, handle int64) {
	C.tgl_state_set_eval(C.uintptr_t(state), C.int64_t(handle))
}

// SetConsts points a state at the memory of the kernel's large constants
// (tg_state.consts; cxx.Kernel.Consts). The caller keeps that memory alive
// and unmoved (pinned, for Go memory) until it frees the state; FreeState
// frees the pointer array.
func SetConsts(state uintptr, ptrs []unsafe.Pointer) error {
	if state == 0 {
		return fmt.Errorf("loader: SetConsts on a nil state")
	}
	if C.tgl_state_set_consts(C.uintptr_t(state), C.int32_t(len(ptrs))) != 0 {
		return fmt.Errorf("loader: out of C memory for %d constants", len(ptrs))
	}
	for i, p := range ptrs {
		C.tgl_state_set_const(C.uintptr_t(state), C.int32_t(i), p)
	}
	return nil
}

// FreeState frees a state from NewState.
func FreeState(state uintptr) {
	runtimeLib.Lock()
	fn := runtimeLib.stateFree
	runtimeLib.Unlock()
	if fn != nil && state != 0 {
		C.tgl_state_free_consts(C.uintptr_t(state))
		C.tgl_call_state_free(fn, C.uintptr_t(state))
	}
}

func dlopen(path string, global bool) (unsafe.Pointer, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	g := C.int(0)
	if global {
		g = 1
	}
	var cerr *C.char
	h := C.tgl_dlopen(cpath, g, &cerr)
	if h == nil {
		return nil, fmt.Errorf("loader: cannot load %s: %s", path, takeString(cerr, "dlopen failed"))
	}
	return h, nil
}

func dlsym(h unsafe.Pointer, path, symbol string) (unsafe.Pointer, error) {
	csym := C.CString(symbol)
	defer C.free(unsafe.Pointer(csym))
	var cerr *C.char
	p := C.tgl_dlsym(h, csym, &cerr)
	if p == nil {
		return nil, fmt.Errorf("loader: %s has no symbol %s: %s", path, symbol, takeString(cerr, "dlsym failed"))
	}
	return p, nil
}

// takeString returns the malloc'ed C string s as a Go string and frees it
// (def when s is NULL).
func takeString(s *C.char, def string) string {
	if s == nil {
		return def
	}
	defer C.free(unsafe.Pointer(s))
	return C.GoString(s)
}
