package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
)

func TestErrorStringCarriesThePythonClass(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{graph.TypeErrorf("add: bad dtype"), "TypeError: add: bad dtype"},
		{graph.ValueErrorf("sum: bad axis"), "ValueError: sum: bad axis"},
		{graph.Errorf(graph.KindMissingInput, "x missing"), "MissingInputError: x missing"},
		{graph.Errorf(graph.KindDisconnected, "w unused"), "DisconnectedInputError: w unused"},
		{graph.MemoryErrorf("arange: too large"), "MemoryError: arange: too large"},
		{graph.IndexErrorf("subtensor: index 3"), "IndexError: subtensor: index 3"},
		{graph.Annotate(graph.IndexErrorf("subtensor: index 3"), " (x is v)"), "IndexError: subtensor: index 3 (x is v)"},
		{fmt.Errorf("wrapped: %w", graph.TypeErrorf("inner")), "TypeError: inner"},
		{errors.New("plain"), "RuntimeError: plain"},
	}
	for _, c := range cases {
		if got := errorString(c.err); got != c.want {
			t.Errorf("errorString(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestProtectTurnsPanicsIntoErrors(t *testing.T) {
	err := protect(func() error {
		var s []int
		_ = s[3]
		return nil
	})
	if err == nil || !strings.HasPrefix(errorString(err), "RuntimeError: go panic: runtime error: index out of range") {
		t.Fatalf("got %v", err)
	}
	if err := protect(func() error { return nil }); err != nil {
		t.Fatalf("no panic, no error: got %v", err)
	}
}

func TestHandleTable(t *testing.T) {
	v := sess.builder.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
	h := sess.handles.put(v)
	got, err := variable(h)
	if err != nil || got != v {
		t.Fatalf("variable(%d) = %v, %v", h, got, err)
	}
	if _, err := array(h); err == nil {
		t.Errorf("array() of a variable handle should fail")
	}
	sess.handles.release(h)
	sess.handles.release(h) // twice is harmless
	if _, err := variable(h); err == nil {
		t.Errorf("a released handle should be invalid")
	}
}
