package loader

import (
	"errors"
	"strings"

	"theanogo/core/graph"
)

// exceptionKinds maps the class prefix of a kernel's error ("IndexError:
// ...") to the graph error kind that raises it again in Python.
var exceptionKinds = map[string]graph.ErrorKind{
	"ValueError":             graph.KindValue,
	"TypeError":              graph.KindType,
	"IndexError":             graph.KindIndex,
	"MemoryError":            graph.KindMemory,
	"MissingInputError":      graph.KindMissingInput,
	"DisconnectedInputError": graph.KindDisconnected,
}

// kernelError turns a kernel's "Class: message" into an error of that
// kind; another class (RuntimeError, or no class) becomes a plain error.
func kernelError(s string) error {
	class, msg, ok := strings.Cut(s, ": ")
	if kind, known := exceptionKinds[class]; ok && known {
		return graph.Errorf(kind, "%s", msg)
	}
	if ok && class == "RuntimeError" {
		return errors.New(msg)
	}
	return errors.New(s)
}

// errorString renders err as "Class: message" for a kernel to pass on, as
// pyapi does: errors that are not a *graph.Error become RuntimeError.
func errorString(err error) string {
	var ge *graph.Error
	if errors.As(err, &ge) {
		for class, kind := range exceptionKinds {
			if kind == ge.Kind {
				return class + ": " + ge.Msg
			}
		}
	}
	return "RuntimeError: " + err.Error()
}

// protect runs f, turning a panic into an error (a MemoryError for an
// allocation refused for its size), so no panic crosses the C ABI.
func protect(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = graph.FromPanic(what, r)
		}
	}()
	return f()
}
