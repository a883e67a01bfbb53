package compile

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// shareSoftmax makes one softmax-family computation feed both users when
// the graph computes softmax(x) and logsoftmax(x) of the same x: the
// softmax becomes exp of the log-softmax, a map that the fusion pass (next)
// fuses into the softmax's readers.
//
//	softmax(x), logsoftmax(x) -> exp(logsoftmax(x)), logsoftmax(x)
//
// A logistic regression's training step has both: its cost reads
// logsoftmax(x)[arange(n), y] (the stabilize pass's form of
// log(softmax(x))[...]), and its gradient reads softmax(x). The log-softmax
// is the one kept: exp of it is softmax to within an ulp or two, while
// log of a softmax loses every probability that underflows (-inf where
// logsoftmax is finite).
func shareSoftmax(b *graph.Builder, fg *FunctionGraph) error {
	logOf := map[*graph.Variable]*graph.Apply{} // x -> the node of logsoftmax(x)
	for _, n := range fg.Toposort() {
		if op, ok := n.Op.(ops.SoftmaxOp); ok && op.Log {
			logOf[n.Inputs[0]] = n
		}
	}
	if len(logOf) == 0 {
		return nil
	}
	kept := map[*graph.Apply]*graph.Variable{} // a logsoftmax node -> its output in the rewritten graph
	logsoftmax := func(l *graph.Apply, ins []*graph.Variable) (*graph.Variable, error) {
		if v, ok := kept[l]; ok {
			return v, nil
		}
		v := l.Outputs[0]
		if ins[0] != l.Inputs[0] { // x itself was rewritten (it reads another softmax)
			nn, err := rebuild(b, l, ins)
			if err != nil {
				return nil, err
			}
			v = nn.Outputs[0]
		}
		kept[l] = v
		return v, nil
	}
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		op, ok := n.Op.(ops.SoftmaxOp)
		if !ok {
			return nil, nil
		}
		l := logOf[n.Inputs[0]]
		if l == nil {
			return nil, nil // softmax alone: kept
		}
		ls, err := logsoftmax(l, ins)
		if err != nil {
			return nil, err
		}
		if op.Log {
			return []*graph.Variable{ls}, nil
		}
		e := ops.NewExpr(b)
		sm := e.Exp(ls)
		if e.Err != nil {
			return nil, e.Err
		}
		return []*graph.Variable{sm}, nil
	})
}
