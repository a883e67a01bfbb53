package compile

import (
	"fmt"
	"math"

	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// NanGuardBackend runs function graphs with the Go evaluator and checks
// the arguments and every node's outputs as the node runs: the call fails
// at the first node computing a NaN or an infinity (or, with BigIsError, a
// finite value larger than BigValue in magnitude), with a ValueError naming
// the op, its source line and the output (NanGuardMode):
//
//	NanGuardMode: log (at model.py:9) computed -Inf in output 0
//	(float64, shape [3]) at index [1]; its inputs: x
type NanGuardBackend struct {
	// IgnoreNaN and IgnoreInf turn off the NaN and the infinity checks
	// (Theano's nan_is_error=False, inf_is_error=False).
	IgnoreNaN, IgnoreInf bool
	// BigIsError also fails on finite values above BigValue in magnitude
	// (1e10 when zero), as Theano's big_is_error.
	BigIsError bool
	BigValue   float64
}

func (NanGuardBackend) Name() string { return "evaluator+nanguard" }

func (g NanGuardBackend) Prepare(fg *FunctionGraph) (Callable, error) {
	p, err := eval.NewProgram(fg.AllInputs(), fg.Results)
	if err != nil {
		return nil, err
	}
	if g.BigValue == 0 {
		g.BigValue = 1e10
	}
	return &nanGuard{guard: g, prog: p, inputs: fg.AllInputs()}, nil
}

type nanGuard struct {
	guard  NanGuardBackend
	prog   *eval.Program
	inputs []*graph.Variable
}

func (c *nanGuard) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	for i, a := range args {
		if what, at := c.guard.find(a); what != "" {
			return nil, graph.ValueErrorf("NanGuardMode: argument %d (%v) contains %s at index %v", i, c.inputs[i], what, at)
		}
	}
	return c.prog.RunChecked(args, func(node *graph.Apply, outs []*tensor.Array) error {
		for i, o := range outs {
			if what, at := c.guard.find(o); what != "" {
				return graph.ValueErrorf("NanGuardMode: %s computed %s in output %d (%v, shape %v) at index %v; its inputs: %s",
					nodeWhere(node), what, i, o.DType, o.Shape, at, inputNames(node))
			}
		}
		return nil
	})
}

// find returns what is wrong with the first bad element of a ("NaN",
// "+Inf", "the huge value 3e+12") and its index, or "".
func (g NanGuardBackend) find(a *tensor.Array) (string, []int) {
	bad := func(v float64) string {
		switch {
		case math.IsNaN(v):
			if g.IgnoreNaN {
				return ""
			}
			return "NaN"
		case math.IsInf(v, 0) && g.IgnoreInf:
			return ""
		case math.IsInf(v, 1):
			return "+Inf"
		case math.IsInf(v, -1):
			return "-Inf"
		case g.BigIsError && math.Abs(v) > g.BigValue:
			return fmt.Sprintf("the huge value %g", v)
		}
		return ""
	}
	switch {
	case a.DType.IsFloat():
		for i, v := range a.ReadFloat64s() {
			if what := bad(v); what != "" {
				return what, unravel(i, a.Shape)
			}
		}
	case a.DType.IsComplex():
		for i, v := range a.Complex128s() {
			if what := bad(real(v)); what != "" {
				return what + " (real part)", unravel(i, a.Shape)
			}
			if what := bad(imag(v)); what != "" {
				return what + " (imaginary part)", unravel(i, a.Shape)
			}
		}
	}
	return "", nil
}

// inputNames lists a node's inputs for messages: "x, exp.out".
func inputNames(n *graph.Apply) string {
	s := ""
	for i, in := range n.Inputs {
		if i > 0 {
			s += ", "
		}
		s += in.String()
	}
	return s
}
