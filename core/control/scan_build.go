package control

import (
	"slices"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// SequenceSpec is one of scan's sequences: the outer array, its taps (0:
// the current entry, -1 the previous, 1 the next) and the step's input
// placeholder for each tap.
type SequenceSpec struct {
	Outer *graph.Variable
	Taps  []int
	Inner []*graph.Variable
}

// OutputSpec is one entry of outputs_info with the step's result for it.
// Initial nil is an output not fed back (Theano's None: no taps). Taps
// [-1] takes Initial as the state itself; other taps take Initial's first
// -min(taps) rows (dict(initial=x, taps=[-1, -2])).
type OutputSpec struct {
	Initial *graph.Variable
	Taps    []int
	Inner   []*graph.Variable // one placeholder per tap
	Step    *graph.Variable   // the step function's result
}

// ScanSpec is what theanogo.scan collects from the user: the pieces of the
// step graph (built by calling the step function once on placeholders) and
// the loop's parameters. The step graph may read outer variables that are
// not placeholders (weights, shared variables): BuildScan passes them to the
// loop as non-sequences, as Theano does.
type ScanSpec struct {
	Sequences    []SequenceSpec
	Outputs      []OutputSpec
	NonSequences []*graph.Variable // those the user listed (strict checks against them)
	// Updates pairs a shared variable with its new value computed by the
	// step: the variable becomes a carried state, its update the last one.
	Updates     [][2]*graph.Variable
	Until       *graph.Variable
	NSteps      *graph.Variable // nil: the sequences' length
	GoBackwards bool
	Truncate    int
	Strict      bool
	Name        string
}

// ScanResult is what theanogo.scan returns: one variable per outputs_info
// entry (the steps computed, without the initial rows) and the updates.
type ScanResult struct {
	Outputs []*graph.Variable
	Updates [][2]*graph.Variable
}

// BuildScan builds a scan loop from spec: it checks the step's results
// against outputs_info, cuts the sequences by their taps, finds the outer
// variables the step reads, and makes the Scan node.
//
//	h_t = tanh(x_t W + h_{t-1} U)  ->  scan{seqs=1 taps=[[-1]]}(n, x, h0[None], W, U)[0][1:]
func BuildScan(b *graph.Builder, spec ScanSpec) (*ScanResult, error) {
	e := ops.NewExpr(b)
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	subst := map[*graph.Variable]*graph.Variable{} // outer variables read by the step -> step inputs
	var innerIns, innerOuts, outerSeqs, inits []*graph.Variable
	var taps [][]int

	// sequences: one cut (and oriented) outer slice per tap
	n, err := stepCount(e, spec)
	if err != nil {
		return nil, err
	}
	for _, sq := range spec.Sequences {
		lo, hi := min(slices.Min(sq.Taps), 0), max(slices.Max(sq.Taps), 0)
		for i, k := range sq.Taps {
			start := constEntry(k - lo)
			stop := ops.IndexEntry{}
			if k != hi {
				stop = constEntry(k - hi)
			}
			cut := slice(e, sq.Outer, start, stop, ops.IndexEntry{})
			if spec.GoBackwards {
				cut = slice(e, cut, ops.IndexEntry{}, ops.IndexEntry{}, constEntry(-1))
			}
			outerSeqs = append(outerSeqs, cut)
			innerIns = append(innerIns, sq.Inner[i])
		}
	}
	// recurrent outputs, then the shared variables the step updates
	var recurrent []int // user positions of the recurrent outputs
	for pos, o := range spec.Outputs {
		if o.Initial == nil {
			continue
		}
		recurrent = append(recurrent, pos)
		taps = append(taps, o.Taps)
		innerIns = append(innerIns, o.Inner...)
		innerOuts = append(innerOuts, o.Step)
		if len(o.Taps) == 1 && o.Taps[0] == -1 {
			inits = append(inits, e.DimShuffle(o.Initial, padLeft(o.Initial.Type.Ndim())))
		} else {
			depth := -slices.Min(o.Taps)
			inits = append(inits, slice(e, o.Initial, ops.IndexEntry{}, constEntry(depth), ops.IndexEntry{}))
		}
	}
	for _, u := range spec.Updates {
		state := b.Input(u[0].Type, u[0].Name)
		subst[u[0]] = state
		taps = append(taps, []int{-1})
		innerIns = append(innerIns, state)
		innerOuts = append(innerOuts, u[1])
		inits = append(inits, e.DimShuffle(u[0], padLeft(u[0].Type.Ndim())))
	}
	var nits []int
	for pos, o := range spec.Outputs {
		if o.Initial == nil {
			nits = append(nits, pos)
			innerOuts = append(innerOuts, o.Step)
		}
	}
	if spec.Until != nil {
		innerOuts = append(innerOuts, spec.Until)
	}
	if e.Err != nil {
		return nil, e.Err
	}
	// the outer variables the step reads become non-sequences
	placeholders := map[*graph.Variable]bool{}
	for _, v := range innerIns {
		placeholders[v] = true
	}
	listed := map[*graph.Variable]bool{}
	for _, v := range spec.NonSequences {
		listed[v] = true
	}
	var outerNonSeqs []*graph.Variable
	for _, r := range graph.Roots(innerOuts) {
		if placeholders[r] || r.IsConstant() || subst[r] != nil {
			continue
		}
		if spec.Strict && !listed[r] {
			return nil, graph.ValueErrorf("scan: strict=True, but the step function reads %v (%v), which is not in non_sequences", r, r.Type)
		}
		p := b.Input(r.Type, r.Name)
		subst[r] = p
		innerIns = append(innerIns, p)
		outerNonSeqs = append(outerNonSeqs, r)
	}
	if innerOuts, err = b.Replace(innerOuts, subst); err != nil {
		return nil, err
	}
	info := &ScanInfo{
		Name: spec.Name, NSeqs: len(outerSeqs), Taps: taps, NNitSot: len(nits),
		NNonSeqs: len(outerNonSeqs), Until: spec.Until != nil, Truncate: spec.Truncate,
	}
	if info.Inner, err = NewGraph(innerIns, innerOuts); err != nil {
		return nil, graph.Annotate(err, " (scan %q)", spec.Name)
	}
	ins := append(append(append([]*graph.Variable{n}, outerSeqs...), inits...), outerNonSeqs...)
	node, err := b.Apply(Scan{Info: info}, ins...)
	if err != nil {
		return nil, err
	}
	res := &ScanResult{Outputs: make([]*graph.Variable, len(spec.Outputs))}
	for i, pos := range recurrent {
		res.Outputs[pos] = slice(e, node.Outputs[i], constEntry(info.Depth(i)), ops.IndexEntry{}, ops.IndexEntry{})
	}
	for i, u := range spec.Updates {
		res.Updates = append(res.Updates, [2]*graph.Variable{u[0], e.Index(node.Outputs[len(recurrent)+i], -1)})
	}
	for k, pos := range nits {
		res.Outputs[pos] = node.Outputs[len(taps)+k]
	}
	return res, e.Err
}

// checkSpec checks what the user gave against Theano's rules, naming the
// output's position and both types.
func checkSpec(spec ScanSpec) error {
	for j, sq := range spec.Sequences {
		if sq.Outer.Type.Ndim() == 0 {
			return graph.TypeErrorf("scan: sequence %d (%v) is a scalar: a sequence needs a leading dimension to iterate over", j, sq.Outer.Type)
		}
		if len(sq.Taps) == 0 || len(sq.Taps) != len(sq.Inner) {
			return graph.ValueErrorf("scan: sequence %d needs at least one tap (got %v)", j, sq.Taps)
		}
		lo, hi := min(slices.Min(sq.Taps), 0), max(slices.Max(sq.Taps), 0)
		if l := sq.Outer.Type.Shape[0]; l != graph.Unknown && l <= hi-lo {
			return graph.ValueErrorf("scan: sequence %d has %d entries, too few for its taps %v (they span %d entries, and a step needs %d)", j, l, sq.Taps, hi-lo, hi-lo+1)
		}
	}
	for pos, o := range spec.Outputs {
		if o.Step == nil {
			return graph.ValueErrorf("scan: the step function returned fewer outputs than outputs_info has entries (none for output %d)", pos)
		}
		if o.Initial == nil {
			if len(o.Taps) > 0 {
				return graph.ValueErrorf("scan: output %d has taps %v but no initial value", pos, o.Taps)
			}
			continue
		}
		if len(o.Taps) == 0 || len(o.Taps) != len(o.Inner) {
			return graph.ValueErrorf("scan: output %d has an initial value but no taps", pos)
		}
		for _, t := range o.Taps {
			if t >= 0 {
				return graph.ValueErrorf("scan: output %d has tap %d: the taps of an output must be negative (its past values)", pos, t)
			}
		}
		want := o.Initial.Type
		if !(len(o.Taps) == 1 && o.Taps[0] == -1) {
			if want.Ndim() == 0 {
				return graph.TypeErrorf("scan: output %d has taps %v, so its initial value needs a leading dimension of at least %d rows, but it is a scalar %v", pos, o.Taps, -slices.Min(o.Taps), want)
			}
			if l := want.Shape[0]; l != graph.Unknown && l < -slices.Min(o.Taps) {
				return graph.ValueErrorf("scan: output %d has taps %v, so its initial value needs at least %d rows, but it has %d", pos, o.Taps, -slices.Min(o.Taps), l)
			}
			want = elemType(want)
		}
		if !sameElem(o.Step.Type, want) {
			return graph.TypeErrorf("scan: output %d of the step function has type %v, but its initial value in outputs_info has type %v: they must have the same dtype, rank and broadcast pattern (cast the step's result, or the initial value)", pos, o.Step.Type, want)
		}
	}
	for _, u := range spec.Updates {
		if !u[0].IsShared() {
			return graph.TypeErrorf("scan: the step function's updates must update shared variables, got %v", u[0])
		}
		if !sameElem(u[1].Type, u[0].Type) {
			return graph.TypeErrorf("scan: the step function updates shared variable %v of type %v with a value of type %v", u[0], u[0].Type, u[1].Type)
		}
	}
	if c := spec.Until; c != nil && c.Type.Ndim() != 0 {
		return graph.TypeErrorf("scan: the until condition must be a scalar, got %v", c.Type)
	}
	if n := spec.NSteps; n != nil {
		if n.Type.Ndim() != 0 || !n.Type.DType.IsInteger() {
			return graph.TypeErrorf("scan: n_steps must be an integer scalar, got %v", n.Type)
		}
		if n.Value != nil && n.Value.Int64s()[0] < 0 {
			return graph.ValueErrorf("scan: n_steps must be >= 0, got %d", n.Value.Int64s()[0])
		}
	} else if len(spec.Sequences) == 0 {
		return graph.ValueErrorf("scan: no information about the number of steps: give n_steps or a sequence")
	}
	if spec.Until != nil && spec.NSteps == nil && len(spec.Sequences) == 0 {
		return graph.ValueErrorf("scan: a while loop (until) needs n_steps or a sequence to bound it")
	}
	return nil
}

// stepCount is the number of steps: n_steps when given (as int64), else
// the shortest sequence's length less the span of its taps.
func stepCount(e *ops.Expr, spec ScanSpec) (*graph.Variable, error) {
	if spec.NSteps != nil {
		if spec.NSteps.Value != nil {
			return e.B.Constant(spec.NSteps.Value.Astype(dtype.Int64)), nil
		}
		return e.Cast(spec.NSteps, dtype.Int64), e.Err
	}
	l := ops.NewLengths(e.B)
	var n *graph.Variable
	for _, sq := range spec.Sequences {
		span := max(slices.Max(sq.Taps), 0) - min(slices.Min(sq.Taps), 0)
		m := l.Sub(e.Index(e.Shape(sq.Outer), 0), l.Const(span))
		if n == nil {
			n = m
		} else {
			n = e.Call("minimum", n, m)
		}
	}
	if l.Err() != nil {
		return nil, l.Err()
	}
	return n, e.Err
}

func constEntry(v int) ops.IndexEntry { return ops.IndexEntry{Kind: ops.EntryConst, Value: v} }

// slice is x[start:stop:step] on the leading dimension.
func slice(e *ops.Expr, x *graph.Variable, start, stop, step ops.IndexEntry, inputs ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := ops.Subtensor(e.B, x, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{start, stop, step}}}, inputs...)
	if err != nil {
		e.Err = err
	}
	return v
}

// padLeft is the dimshuffle pattern adding a leading broadcastable dimension.
func padLeft(ndim int) []int {
	p := []int{ops.Broadcast}
	for d := 0; d < ndim; d++ {
		p = append(p, d)
	}
	return p
}
