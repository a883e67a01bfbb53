// Package cxx generates one C++ translation unit per compiled function
// (DESIGN.md decisions 10-12, /work/cxx-plan.md): the kernel `tg_fn_<hash>`
// of the tg_kernel.h ABI, which computes every shape first (phase 1),
// allocates the results through the caller, then runs one static C++
// function per scheduled node (phase 2).
//
// Each op is lowered by a row of the lowerings table (lowerings.go): a Go
// function that writes the body of the node's C++ function with an
// Emitter; or, needing no row, through the kernel its op builds
// (kir.Lowerable: scans in lower_kir.go, runtime calls in lower_call.go).
// An op without either runs in the Go evaluator from inside the kernel
// (tg_state.eval_node).
package cxx

import (
	"fmt"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Lowering turns one graph node into the body of its C++ function.
//
// In the body, in0..inN-1 are `const tg_view *` (the node's inputs), out0..
// are `tg_view *` (its outputs), st is `tg_state *` and err is `char **`.
// For a compute op each out<i> is already allocated, C-contiguous, with
// shape, strides and dtype filled from the symbolic shape: the body only
// writes elements. A body fails with
//
//	return tg_set_error(err, "ValueError: ...");
//
// and otherwise falls off its end (the renderer appends `return 0;`).
type Lowering struct {
	// Lower writes the body.
	Lower func(e *Emitter, n *graph.Apply) error
	// View: the body sets out<i>'s data, ndim, shape, strides and dtype
	// from in0 (no allocation, no element written); the shape it sets must
	// equal the symbolic one. The output then shares in0's memory.
	View bool
	// InPlace, when set, reports whether output 0 may share its memory with
	// input i of the same shape: the body reads element k of input i no
	// later than it writes element k of the output, and reads no other
	// element of it (elementwise ops). The kernel then may write an
	// update's new value into the old value's buffer. Nil: never.
	InPlace func(n *graph.Apply, i int) bool
	// Fails says when the body can return an error at run time, once the
	// shape phase has checked the shapes and reserved the workspace. Nil:
	// failsAnywhere. The scheduler lets no step that can fail run after a
	// shared variable's new value has been written into its old buffer, so
	// that a failed call changes no shared variable (schedule.go).
	Fails func(n *graph.Apply) Failure
}

// Failure is when a lowered node may fail at run time.
type Failure int

const (
	// failsAnywhere: the body may fail after writing part of its outputs
	// (the evaluator fallback, and any lowering that does not say).
	failsAnywhere Failure = iota
	// failsBeforeWriting: the body checks everything (indices, its own
	// temporary memory) before it writes any element of its outputs.
	failsBeforeWriting
	// neverFails: the body cannot fail once the shape phase has passed.
	neverFails
)

// always returns a Fails function that answers f for every node.
func always(f Failure) func(*graph.Apply) Failure {
	return func(*graph.Apply) Failure { return f }
}

// Emitter collects the C++ of one translation unit: the includes and
// helpers shared by every node, and the body of the node being lowered.
//
//	e.Include("tg_nnet.h")
//	e.Line("if (in0->ndim != 2) return tg_set_error(err, \"ValueError: ...\");")
//	e.Line("tg_softmax(in0, out0);")
type Emitter struct {
	unit   *unit
	body   []string
	indent int
	fresh  int
	// scratch is the workspace slot of a view that copies when its input
	// is not contiguous (reshape, flatten); -1 when none.
	scratch int
	// aliased: output 0 may be the memory of one of the inputs (the node
	// writes an update into the old value's buffer), so the loops must not
	// declare the two `__restrict`.
	aliased bool
	// used names the helpers the body uses (a part of a split translation
	// unit holds those of its functions).
	used []string
	// gen is the body whose node is lowered (regions, region.go); nil in
	// a trial lowering.
	gen *gen
}

// unit is the translation unit's shared part.
type unit struct {
	includes    []string
	hasInclude  map[string]bool
	order       []string          // helper names, in the order first added
	helperNames map[string]string // name -> code
	blas        bool              // the kernel calls BLAS (its threads spin around our loops)
}

func newUnit() *unit {
	return &unit{hasInclude: map[string]bool{}, helperNames: map[string]string{}}
}

// newEmitter returns an emitter for one node body of u.
func (u *unit) newEmitter() *Emitter { return &Emitter{unit: u, indent: 1} }

// Line appends one line (printf-formatted) to the body. Indentation
// follows the braces: a line ending in "{" indents the next ones, a line
// starting with "}" closes one level.
func (e *Emitter) Line(format string, args ...any) {
	s := strings.TrimSpace(fmt.Sprintf(format, args...))
	if strings.HasPrefix(s, "}") && e.indent > 1 {
		e.indent--
	}
	e.body = append(e.body, strings.Repeat("    ", e.indent)+s)
	if strings.HasSuffix(s, "{") {
		e.indent++
	}
}

// Helper adds a top-level C++ definition (a function, a struct, a table)
// once per translation unit: a second call with the same name is ignored.
// Helpers render before the node functions, in the order first added.
func (e *Emitter) Helper(name, code string) {
	e.used = append(e.used, name)
	if _, ok := e.unit.helperNames[name]; ok {
		return
	}
	e.unit.helperNames[name] = code
	e.unit.order = append(e.unit.order, name)
}

// Include adds `#include "header"` once per translation unit; header is
// a runtime header of codegen/runtime ("tg_nnet.h").
func (e *Emitter) Include(header string) {
	if e.unit.hasInclude[header] {
		return
	}
	e.unit.hasInclude[header] = true
	e.unit.includes = append(e.unit.includes, header)
}

// Fresh returns a C identifier unique within the body: prefix + a number.
func (e *Emitter) Fresh(prefix string) string {
	e.fresh++
	return fmt.Sprintf("%s%d", prefix, e.fresh)
}

// CType returns the C++ types of dtype d (ops.CTypeOf).
func (e *Emitter) CType(d dtype.DType) ops.CType { return ops.CTypeOf(d) }

// String returns the body written so far.
func (e *Emitter) String() string { return strings.Join(e.body, "\n") }
