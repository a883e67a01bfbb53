package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"theanogo/codegen/cxx"
	"theanogo/codegen/driver"
	"theanogo/core/compile"
	"theanogo/core/graph"
)

// The C++ backend's wiring: which modes compile C++, how the mode options
// configure the compiler, the fallback to the evaluator when no compiler
// works, and the exports that show a function's source and profile.

// cxxModes are the modes whose functions compile to C++ (DebugMode's
// checker then compares the kernel with the evaluator); FAST_COMPILE and
// NanGuardMode run in the evaluator.
var cxxModes = map[string]bool{"": true, "FAST_RUN": true, "DebugMode": true}

// cxxBackend returns the C++ backend the options ask for, nil when the
// function runs in the evaluator by its mode, or the reason there is no
// compiler.
func (m modeOptions) cxxBackend() (*cxx.Backend, error) {
	if !cxxModes[m.Mode] || m.Linker == "py" {
		return nil, nil
	}
	cfg, err := driver.Default()
	if m.Cxx != nil {
		if *m.Cxx == "" {
			return nil, fmt.Errorf("no C++ compiler (cxx is empty)")
		}
		cfg.CXX, err = *m.Cxx, nil
	}
	if err != nil {
		return nil, err
	}
	cfg.ExtraFlags = m.Cxxflags
	if m.Blas != "" {
		cfg.BLAS = m.Blas
	}
	if m.CacheDir != "" {
		cfg.CacheDir = m.CacheDir
	}
	if m.CacheMaxBytes != nil {
		cfg.MaxBytes = *m.CacheMaxBytes
	}
	cfg.Seed = m.Seed
	return &cxx.Backend{Config: cfg, Profile: m.Profile}, nil
}

// compileFunction compiles spec with the C++ backend when the mode uses
// it. When there is no compiler or the C++ build fails, cxx_fallback
// "raise" fails with the compiler's message; "warn" (the default) compiles
// for the evaluator and says why in Function.Warnings.
func compileFunction(b *graph.Builder, spec compile.FunctionSpec, m modeOptions) (*compile.Function, error) {
	be, why := m.cxxBackend()
	if be != nil {
		spec.Backend = be
		fn, err := compile.Compile(b, spec)
		var build *cxx.BuildError
		if err == nil || !errors.As(err, &build) {
			return fn, err
		}
		why = err
	}
	if why != nil && m.CxxFallback == "raise" {
		return nil, fmt.Errorf("the C++ backend failed (cxx_fallback='raise'): %w", why)
	}
	spec.Backend = nil
	fn, err := compile.Compile(b, spec)
	if err == nil && why != nil {
		fn.Warnings = append(fn.Warnings, "the C++ backend is not available, the Go evaluator runs this function: "+why.Error())
	}
	return fn, err
}

// cxxInfo adds the C++ kernel's facts to a function's info.
func cxxInfo(fn *compile.Function, info *functionInfo) {
	info.EvaluatorNodes = []string{}
	c, ok := fn.Callable().(*cxx.Callable)
	if !ok {
		if fn.Mode.Backend.Name() == "cxx" { // DebugMode: the checker wraps the kernel
			info.Backend = "cxx"
		}
		return
	}
	info.Backend = "cxx"
	info.KernelAddress = int64(c.Address)
	info.KernelState = int64(c.State)
	info.EvaluatorNodes = append(info.EvaluatorNodes, c.EvaluatorNodes()...)
	info.SourcePath = keepSource(c)
}

// keepSource writes the kernel's source next to its module in the cache
// (best effort) and returns the path.
func keepSource(c *cxx.Callable) string {
	path := filepath.Join(filepath.Dir(c.LibraryPath), c.Kernel.Symbol+".cpp")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(c.Kernel.Source), 0o600) != nil || os.Rename(tmp, path) != nil {
		os.Remove(tmp)
		return ""
	}
	return path
}

// kernelOf returns the function's C++ callable, or nil when it runs in
// the evaluator.
func kernelOf(fh C.int64_t) (*cxx.Callable, error) {
	fn, err := getAs[*compile.Function](int64(fh), "function")
	if err != nil {
		return nil, err
	}
	c, _ := fn.Callable().(*cxx.Callable)
	return c, nil
}

// tg_function_source returns the generated C++ of a compiled function
// ("" when it runs in the evaluator).
//
//export tg_function_source
func tg_function_source(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		c, err := kernelOf(fh)
		if err != nil {
			return err
		}
		source := ""
		if c != nil {
			source = c.Kernel.Source
		}
		out = cString(source)
		return nil
	})
	return out
}

// tg_function_profile returns the per-node profile of a function compiled
// with profile=True, as JSON: [{node, op, source, ns, calls}, ...] ([]
// when it runs in the evaluator).
//
//export tg_function_profile
func tg_function_profile(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		c, err := kernelOf(fh)
		if err != nil {
			return err
		}
		records := []cxx.NodeProfile{}
		if c != nil {
			records = append(records, c.Profile()...)
		}
		text, err := json.Marshal(records)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
