package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"strings"

	"theanogo/core/compile"
	"theanogo/core/graph"
)

// pairs turns a flat list of 2n handles [k0, v0, k1, v1, ...] into variable pairs.
func pairs(flat *C.int64_t, n C.int) ([][2]*graph.Variable, error) {
	vs, err := variables(goInts(flat, 2*n))
	if err != nil {
		return nil, err
	}
	out := make([][2]*graph.Variable, n)
	for i := range out {
		out[i] = [2]*graph.Variable{vs[2*i], vs[2*i+1]}
	}
	return out, nil
}

// modeOptions is the JSON form of tg_function's mode argument: the mode's
// name and the optimizer adjustments (see compile.FunctionSpec). A bare
// name ("FAST_RUN") is accepted too.
type modeOptions struct {
	Mode      string   `json:"mode"`
	Optimizer string   `json:"optimizer"`
	Including []string `json:"including"`
	Excluding []string `json:"excluding"`
	Requiring []string `json:"requiring"`
	Verbose   bool     `json:"verbose"`
	Strict    bool     `json:"strict"`
	// NanGuardMode's checks; absent means Theano's defaults (NaN and
	// infinities are errors, huge values are not).
	NanIsError *bool `json:"nan_is_error"`
	InfIsError *bool `json:"inf_is_error"`
	BigIsError *bool `json:"big_is_error"`
	// The C++ backend (cxx.go): the compiler (absent: found as the driver
	// finds it; "": none, the evaluator runs), extra flags, what a failed
	// build does ("warn", the default, or "raise"), node profiling, the
	// BLAS library, the compile cache and Theano's linker ("py": evaluator).
	Cxx         *string `json:"cxx"`
	Cxxflags    string  `json:"cxxflags"`
	CxxFallback string  `json:"cxx_fallback"`
	Profile     bool    `json:"profile"`
	Blas        string  `json:"blas"`
	CacheDir    string  `json:"cache_dir"`
	// CacheMaxBytes is the compile cache's size limit (compiledir_max_size;
	// 0: none); absent, the driver's default.
	CacheMaxBytes *int64 `json:"cache_max_bytes"`
	Seed          string `json:"runtime_seed"` // the cache seed built at install (driver.Config.Seed)
	Linker        string `json:"linker"`
}

// nanGuard returns the NanGuardMode checks the options ask for, or nil.
func (m modeOptions) nanGuard() *compile.NanGuardBackend {
	if m.NanIsError == nil && m.InfIsError == nil && m.BigIsError == nil {
		return nil
	}
	isSet := func(b *bool, def bool) bool {
		if b == nil {
			return def
		}
		return *b
	}
	return &compile.NanGuardBackend{
		IgnoreNaN:  !isSet(m.NanIsError, true),
		IgnoreInf:  !isSet(m.InfIsError, true),
		BigIsError: isSet(m.BigIsError, false),
	}
}

// parseModeOptions reads tg_function's mode argument.
func parseModeOptions(text string) (modeOptions, error) {
	var m modeOptions
	if !strings.HasPrefix(strings.TrimSpace(text), "{") {
		m.Mode = text
		return m, nil
	}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return m, graph.ValueErrorf("bad mode options %q: %v", text, err)
	}
	return m, nil
}

// tg_function compiles a function (theano.function). updates and givens are
// flat lists of pairs: nup (shared, new value) pairs and ng (replaced,
// replacement) pairs. onUnused is "raise", "warn" or "ignore"; mode is a
// mode name ("FAST_RUN", "FAST_COMPILE", "" for the default) or a JSON
// modeOptions object.
//
//export tg_function
func tg_function(inputs *C.int64_t, nin C.int, outputs *C.int64_t, nout C.int, updates *C.int64_t, nup C.int, givens *C.int64_t, ng C.int, onUnused *C.char, mode *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		ins, err := variables(goInts(inputs, nin))
		if err != nil {
			return err
		}
		outs, err := variables(goInts(outputs, nout))
		if err != nil {
			return err
		}
		ups, err := pairs(updates, nup)
		if err != nil {
			return err
		}
		gvs, err := pairs(givens, ng)
		if err != nil {
			return err
		}
		m, err := parseModeOptions(C.GoString(mode))
		if err != nil {
			return err
		}
		fn, err := compileFunction(sess.builder, compile.FunctionSpec{
			Inputs:        ins,
			Outputs:       outs,
			Updates:       ups,
			Givens:        gvs,
			OnUnusedInput: C.GoString(onUnused),
			Mode:          m.Mode,
			Optimizer:     m.Optimizer,
			Including:     m.Including,
			Excluding:     m.Excluding,
			Requiring:     m.Requiring,
			Verbose:       m.Verbose,
			Strict:        m.Strict,
			NanGuard:      m.nanGuard(),
		}, m)
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(fn))
		return nil
	})
	return h
}

// functionInfo is what Python needs to call a compiled function: the
// shared variables whose values each call passes after the arguments (by
// variable id), which of them each update value replaces, and the result
// types, from which theanogo._rt allocates results.
type functionInfo struct {
	Shared     []uint64       `json:"shared"`
	NumOutputs int            `json:"n_outputs"`
	Updates    []int          `json:"updates"` // index into shared of each update target
	Results    []resultType   `json:"results"`
	Warnings   []string       `json:"warnings"`
	Mode       string         `json:"mode"`
	Optimizer  string         `json:"optimizer"`
	Backend    string         `json:"backend"`
	InPlace    []bool         `json:"inplace"`       // per update: may be written into the old value
	Rewrites   map[string]int `json:"rewrites"`      // rewrites applied, by rule
	Log        string         `json:"optimizer_log"` // one line per rewrite, with optimizer_verbose
	// The C++ kernel (cxx.go): its tg_kernel_fn and tg_state addresses (0
	// when the evaluator runs, or DebugMode's checker must), the nodes it
	// hands to the evaluator, and its kept source.
	KernelAddress  int64    `json:"kernel_address"`
	KernelState    int64    `json:"kernel_state"`
	EvaluatorNodes []string `json:"evaluator_nodes"`
	SourcePath     string   `json:"source_path"`
}

type resultType struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"` // static lengths, -1 unknown
}

// tg_function_info returns a compiled function's functionInfo as JSON.
//
//export tg_function_info
func tg_function_info(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		fn, err := getAs[*compile.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		fg := fn.Graph
		info := functionInfo{NumOutputs: fg.NumOutputs, Warnings: append([]string{}, fn.Warnings...),
			Mode: fn.Mode.Name, Optimizer: fn.Mode.Optimizer, Backend: fn.Mode.Backend.Name(), Updates: []int{}, Shared: []uint64{},
			Rewrites: fn.RewriteHits, Log: fn.OptimizerLog, InPlace: append([]bool{}, fn.InPlace...)}
		cxxInfo(fn, &info)
		for _, s := range fg.Shared {
			info.Shared = append(info.Shared, s.ID())
		}
		info.Updates = append(info.Updates, fg.SharedIndex()...)
		for _, r := range fg.Results {
			info.Results = append(info.Results, resultType{r.Type.DType.String(), r.Type.Shape})
		}
		text, err := json.Marshal(info)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
