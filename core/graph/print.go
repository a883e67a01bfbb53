package graph

import (
	"fmt"
	"strings"
)

// Debugprint renders the graph computing outputs as an indented tree, one
// line per variable, as theano.printing.debugprint does. A node already
// printed is referred to by its id instead of being printed again.
//
//	add [id 7] 'y'
//	 |x [id 1]
//	 |TensorConstant{1} [id 3]
func Debugprint(outputs []*Variable) string {
	var sb strings.Builder
	done := map[*Apply]bool{}
	var walk func(v *Variable, depth int)
	walk = func(v *Variable, depth int) {
		prefix := strings.Repeat(" |", depth)
		name := ""
		if v.Name != "" {
			name = fmt.Sprintf(" '%s'", v.Name)
		}
		if v.Owner == nil {
			fmt.Fprintf(&sb, "%s%v [id %d] %v\n", prefix, v, v.id, v.Type)
			return
		}
		n := v.Owner
		fmt.Fprintf(&sb, "%s%s [id %d]%s %v\n", prefix, OpString(n.Op), v.id, name, v.Type)
		if done[n] {
			return
		}
		done[n] = true
		for _, in := range n.Inputs {
			walk(in, depth+1)
		}
	}
	for _, o := range outputs {
		walk(o, 0)
	}
	return sb.String()
}
