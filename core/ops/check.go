package ops

import (
	"fmt"

	"theanogo/core/graph"
)

// CheckArity returns a TypeError naming op unless there are n inputs.
func CheckArity(op string, inputs []*graph.Variable, n int) error {
	if len(inputs) != n {
		return graph.TypeErrorf("%s takes %d inputs, got %d", op, n, len(inputs))
	}
	return nil
}

// TypesString prints input types for error messages: "(TensorType(...), ...)".
func TypesString(ts []graph.Type) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += t.String()
	}
	return fmt.Sprintf("(%s)", s)
}
