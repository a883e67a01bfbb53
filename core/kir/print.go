package kir

import (
	"strconv"
	"strings"
)

// infix are the rows printed as operators.
var infix = map[string]string{"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//",
	"mod": "%", "pow": "**", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "neq": "!=",
	"and": "&", "or": "|", "xor": "^"}

// String prints the expression for debugprint, each node once: a node
// read by more than one argument slot is bound to its temporary's name
// before the expression that reads it, every other node is printed inline
// where its one reader reads it:
//
//	(tanh(((i0 * i1) + 2)) * i0) - (i1 / 3)
//	t0 = i0 + i1; exp(t0) * sin(t0)
//
// The text is linear in the number of nodes. Printing every use inline
// would print the tree the DAG stands for, twice as long at each level
// that reads a value twice.
func (e *Expr) String() string {
	order := e.Schedule()
	p := printer{uses: Uses(order), temps: Temporaries(order)}
	for _, n := range order[:len(order)-1] {
		if p.uses[n] > 1 && (n.op == OpApply || n.op == OpCast) {
			p.sb.WriteString("t" + strconv.Itoa(p.temps[n]) + " = ")
			p.node(n, true)
			p.sb.WriteString("; ")
		}
	}
	p.node(e, true)
	return p.sb.String()
}

type printer struct {
	sb    strings.Builder
	uses  map[*Expr]int
	temps map[*Expr]int
}

// node writes n, parenthesized unless top. It writes into one builder,
// so a deep chain of single uses costs its length, not its square.
func (p *printer) node(n *Expr, top bool) {
	switch n.op {
	case OpInput:
		p.sb.WriteString("i" + strconv.Itoa(n.input))
		return
	case OpConst:
		p.sb.WriteString(n.c.String())
		return
	case OpIndex:
		p.sb.WriteString("index")
		return
	}
	if !top && p.uses[n] > 1 {
		p.sb.WriteString("t" + strconv.Itoa(p.temps[n]))
		return
	}
	if n.op == OpCast {
		p.sb.WriteString("cast{" + n.dt.String() + "}(")
		p.node(n.args[0], false)
		p.sb.WriteString(")")
		return
	}
	name := n.row.RowName()
	switch {
	case infix[name] != "":
		p.open(top)
		p.node(n.args[0], false)
		p.sb.WriteString(" " + infix[name] + " ")
		p.node(n.args[1], false)
		p.close(top)
	case name == "neg":
		p.open(top)
		p.sb.WriteString("-")
		p.node(n.args[0], false)
		p.close(top)
	default:
		p.sb.WriteString(name + "(")
		for i, a := range n.args {
			if i > 0 {
				p.sb.WriteString(", ")
			}
			p.node(a, false)
		}
		p.sb.WriteString(")")
	}
}

func (p *printer) open(top bool) {
	if !top {
		p.sb.WriteString("(")
	}
}

func (p *printer) close(top bool) {
	if !top {
		p.sb.WriteString(")")
	}
}
