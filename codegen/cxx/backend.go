package cxx

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"theanogo/codegen/cxx/native"
	"theanogo/codegen/driver"
	"theanogo/codegen/loader"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Backend is the C++ backend (compile.Backend): Prepare generates the
// function's translation unit, compiles it through the driver's cache,
// loads it and returns a *Callable that runs the kernel.
//
//	cfg, err := driver.Default()
//	f, err := compile.Compile(b, compile.FunctionSpec{..., Backend: &cxx.Backend{Config: cfg}})
type Backend struct {
	Config driver.Config
	// Profile compiles node timers in and turns them on (tg_function_profile).
	Profile bool
	// PrintSource writes the optimized graph and the generated source to
	// stderr at compile (THEANOGO_FLAGS=cxx_print_source=True sets it too).
	PrintSource bool
	// Evaluate names ops whose nodes run in the Go evaluator inside the
	// kernel although they lower (Options.Evaluate; tests of the fallback).
	Evaluate map[string]bool
	// SeparateIntermediates gives every intermediate a slot of its own
	// (Options.SeparateIntermediates): tests and the workspace measurement
	// compare against it.
	SeparateIntermediates bool
}

func (b *Backend) Name() string { return "cxx" }

// runtimeOnce loads libtgrt.so once per process.
var runtimeOnce struct {
	sync.Mutex
	done bool
}

func (b *Backend) loadRuntime() error {
	runtimeOnce.Lock()
	defer runtimeOnce.Unlock()
	if runtimeOnce.done {
		return nil
	}
	path, err := b.Config.RuntimeLibrary()
	if err != nil {
		return err
	}
	if err := loader.LoadRuntime(path, b.Config.BLAS, b.Config.Threads); err != nil {
		return err
	}
	runtimeOnce.done = true
	return nil
}

// BuildError is a failure to build a function's kernel (generating,
// compiling or loading it): the caller may fall back to the evaluator.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return "C++ backend: " + e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// Prepare generates, compiles (cached) and loads fg's kernel; its errors
// are *BuildError.
func (b *Backend) Prepare(fg *compile.FunctionGraph) (compile.Callable, error) {
	c, err := b.prepare(fg)
	if err != nil {
		return nil, &BuildError{err}
	}
	return c, nil
}

func (b *Backend) prepare(fg *compile.FunctionGraph) (*Callable, error) {
	k, err := Generate(fg, Options{Profile: b.Profile, Evaluate: b.Evaluate, SeparateIntermediates: b.SeparateIntermediates})
	if err != nil {
		return nil, err
	}
	if b.PrintSource || PrintSourceFlag() {
		fmt.Fprintf(os.Stderr, "theanogo: optimized graph:\n%s\ntheanogo: generated C++ (%s):\n%s\n", fg, k.Symbol, k.Source)
	}
	if err := b.loadRuntime(); err != nil {
		return nil, err
	}
	// The lease keeps the cache's eviction away from the module until it
	// is loaded; then the mapping holds it, whatever happens to the file.
	lease, err := b.Config.CompileLease(k.Parts, k.Symbol)
	if err != nil {
		return nil, err
	}
	so := lease.Path
	m, err := loader.Open(so)
	lease.Release()
	if err != nil {
		return nil, err
	}
	addr, err := m.Kernel(k.Symbol)
	if err != nil {
		m.Close()
		return nil, err
	}
	st, err := loader.NewState(k.NumSlots, len(k.Nodes), b.Profile)
	if err != nil {
		m.Close()
		return nil, err
	}
	c := &Callable{Kernel: k, Address: addr, State: st, LibraryPath: so, Graph: fg, module: m}
	if len(k.Consts) > 0 {
		// The graph's constants are Go memory: pinned for the callable's
		// life, so the state may point at them (one copy, no source text).
		ptrs := make([]unsafe.Pointer, len(k.Consts))
		for i, v := range k.Consts {
			raw := v.Value.Bytes()
			c.pins.Pin(&raw[0])
			ptrs[i] = unsafe.Pointer(&raw[0])
		}
		if err := loader.SetConsts(st, ptrs); err != nil {
			c.Close()
			return nil, err
		}
	}
	for _, r := range fg.Results {
		c.resultTypes = append(c.resultTypes, r.Type.DType)
	}
	if len(k.Fallback) > 0 {
		c.handle = loader.RegisterNodes(c.evalNode)
		loader.SetEvaluator(st, c.handle)
	}
	// Close is the way out (compile.Function.Close, when Python releases
	// the function); the finalizer is for callables nobody closes.
	runtime.SetFinalizer(c, (*Callable).Close)
	return c, nil
}

// Callable runs a compiled kernel (compile.Callable).
type Callable struct {
	Kernel      *Kernel
	Address     uintptr // the tg_kernel_fn (call it through Raw: see there)
	State       uintptr // its tg_state *, passed as tg_args.function
	LibraryPath string  // the compiled module in the cache
	Graph       *compile.FunctionGraph
	resultTypes []dtype.DType
	handle      int64          // the evaluator fallback's registry handle (0: none)
	pins        runtime.Pinner // the large constants the state points at
	module      *loader.Module // the loaded module Address lies in
	// mu orders Close after the runs through Go (Run, Profile): they hold
	// it shared. Calls straight to Address (theanogo._rt's) are the
	// caller's to finish before it closes the callable.
	mu     sync.RWMutex
	closed bool
}

// errClosed is a call of a closed callable.
var errClosed = errors.New("the function's kernel was released (Close)")

// Run calls the kernel through the loader.
func (c *Callable) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, errClosed
	}
	out, err := loader.Call(c.Address, c.State, args, c.resultTypes)
	runtime.KeepAlive(c)
	return out, err
}

// Raw runs fn with the kernel's address and state, for callers that call
// the kernel themselves (tests with poisoned or aliased result buffers,
// benchmarks). Reading c.Address and c.State and then dropping c is a use
// after free: once c is unreachable its finalizer may free the state and
// unload the module in the middle of the call. Raw keeps c open and alive
// until fn returns, and refuses a closed callable.
func (c *Callable) Raw(fn func(kernel, state uintptr) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errClosed
	}
	err := fn(c.Address, c.State)
	runtime.KeepAlive(c)
	return err
}

// LimitInPlace turns off the in-place updates the kernel's schedule
// cannot honour (compile.InPlaceLimiter).
func (c *Callable) LimitInPlace(inPlace []bool) {
	for i := range inPlace {
		if i < len(c.Kernel.InPlace) && !c.Kernel.InPlace[i] {
			inPlace[i] = false
		}
	}
}

// EvaluatorNodes describes the nodes that run in the Go evaluator.
func (c *Callable) EvaluatorNodes() []string {
	var out []string
	for i, n := range c.Kernel.Fallback {
		out = append(out, fmt.Sprintf("%s: %s", graph.OpString(n.Op), c.Kernel.FallbackErrors[i]))
	}
	return out
}

// IsEvaluatorNode reports whether node n runs in the evaluator (for
// debugprint's "(evaluator)" mark).
func (c *Callable) IsEvaluatorNode(n *graph.Apply) bool {
	for _, f := range c.Kernel.Fallback {
		if f == n {
			return true
		}
	}
	return false
}

// NodeProfile is one node's profile counters.
type NodeProfile struct {
	Node   int    `json:"node"`
	Op     string `json:"op"`
	Source string `json:"source"`
	Ns     int64  `json:"ns"`
	Calls  int64  `json:"calls"`
}

// Profile returns every phase-2 node's time and call count.
func (c *Callable) Profile() []NodeProfile {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var ns, calls []int64
	if !c.closed {
		ns, calls = native.Profile(c.State)
	}
	runtime.KeepAlive(c)
	out := make([]NodeProfile, len(c.Kernel.Nodes))
	for i, n := range c.Kernel.Nodes {
		out[i] = NodeProfile{Node: i, Op: graph.OpString(n.Op), Source: n.Source}
		if i < len(ns) {
			out[i].Ns, out[i].Calls = ns[i], calls[i]
		}
	}
	return out
}

// evalNode runs fallback node i in the Go evaluator (loader.NodeFunc).
func (c *Callable) evalNode(i int, inputs []*tensor.Array) ([]*tensor.Array, error) {
	if i < 0 || i >= len(c.Kernel.Fallback) {
		return nil, fmt.Errorf("no fallback node %d", i)
	}
	n := c.Kernel.Fallback[i]
	ev, ok := n.Op.(graph.Evaluator)
	if !ok {
		return nil, graph.TypeErrorf("%s has neither a C++ lowering nor a Go evaluation", graph.OpString(n.Op))
	}
	return ev.Evaluate(n, inputs)
}

// Close frees what the callable holds outside the Go heap, at once: its
// kernel state with the workspace buffers, the evaluator fallback's
// registry entry, the pins of its constants, and its reference to the
// module (the module is unloaded when no other callable uses it). It waits
// for runs through Go to finish; the caller guarantees that nothing calls
// Address any more (theanogo._rt holds the function while it calls it).
// Closing twice is harmless; the callable's finalizer closes it too.
func (c *Callable) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	runtime.SetFinalizer(c, nil)
	if c.handle != 0 {
		loader.Unregister(c.handle)
	}
	if c.State != 0 {
		loader.FreeState(c.State)
	}
	c.pins.Unpin()
	if c.module != nil {
		c.module.Close()
	}
}

// PrintSourceFlag reports whether THEANOGO_FLAGS (or THEANO_FLAGS) holds
// cxx_print_source=True.
func PrintSourceFlag() bool {
	for _, env := range []string{"THEANOGO_FLAGS", "THEANO_FLAGS"} {
		for _, kv := range strings.Split(os.Getenv(env), ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if strings.TrimSpace(k) == "cxx_print_source" {
				switch strings.ToLower(strings.TrimSpace(v)) {
				case "true", "1", "yes":
					return true
				}
			}
		}
	}
	return false
}
