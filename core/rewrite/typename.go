package rewrite

import (
	"reflect"

	"theanogo/core/graph"
)

// typeName is the name of op's Go type, without a pointer.
func typeName(op graph.Op) string {
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
