package graph

import (
	"errors"
	"fmt"

	"theanogo/core/tensor"
)

// ErrorKind says which Python exception an error becomes at the C ABI.
type ErrorKind int

const (
	// KindValue is a ValueError: right types, wrong values or shapes.
	KindValue ErrorKind = iota
	// KindType is a TypeError: wrong dtype, rank or kind of argument.
	KindType
	// KindMissingInput is a graph that needs an input the function was not given.
	KindMissingInput
	// KindDisconnected is a gradient asked for a variable the cost does not depend on.
	KindDisconnected
	// KindMemory is a MemoryError: an array too large to allocate (or whose
	// size overflows), refused before Go tries and dies of out-of-memory.
	KindMemory
	// KindIndex is an IndexError: an index outside its dimension, as numpy raises.
	KindIndex
)

// Error is an error with the kind of exception it should raise in Python.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// TypeErrorf returns an Error that Python raises as TypeError.
func TypeErrorf(format string, args ...any) error {
	return &Error{Kind: KindType, Msg: fmt.Sprintf(format, args...)}
}

// ValueErrorf returns an Error that Python raises as ValueError.
func ValueErrorf(format string, args ...any) error {
	return &Error{Kind: KindValue, Msg: fmt.Sprintf(format, args...)}
}

// MemoryErrorf returns an Error that Python raises as MemoryError.
func MemoryErrorf(format string, args ...any) error {
	return &Error{Kind: KindMemory, Msg: fmt.Sprintf(format, args...)}
}

// IndexErrorf returns an Error that Python raises as IndexError.
func IndexErrorf(format string, args ...any) error {
	return &Error{Kind: KindIndex, Msg: fmt.Sprintf(format, args...)}
}

// Annotate adds context to err's message and keeps its kind: an IndexError
// stays an IndexError. Errors that are not an *Error become ValueError.
//
//	graph.Annotate(err, " (x is %v)", x)
func Annotate(err error, format string, args ...any) error {
	kind := KindValue
	var ge *Error
	if errors.As(err, &ge) {
		kind = ge.Kind
	}
	return &Error{Kind: kind, Msg: err.Error() + fmt.Sprintf(format, args...)}
}

// FromPanic turns the value r of a panic recovered while running op into an
// error. An allocation refused for its size (a *tensor.SizeError, the panic
// of tensor.New and tensor.Make) is the user's input, not a bug: it becomes
// a MemoryError naming op. Anything else is an internal error.
func FromPanic(op string, r any) error {
	var se *tensor.SizeError
	if e, ok := r.(error); ok && errors.As(e, &se) {
		return MemoryErrorf("%s: %v", op, se)
	}
	return fmt.Errorf("internal error evaluating %s: %v", op, r)
}

// Errorf returns an Error of the given kind.
func Errorf(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
