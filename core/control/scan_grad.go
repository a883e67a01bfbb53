package control

import (
	"fmt"

	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Pullback is the backward scan: another Scan node that walks the forward
// steps in reverse over the stored states (the forward buffers), as
// Theano's and JAX's scan gradients do, so second-order gradients through
// scan work where the step's ops allow.
//
// For recurrent output i with depth L, the backward loop carries C_i (L
// rows): the gradient still to be added to the L buffer rows the steps
// before have not yet consumed. At forward step t (backward order), the
// step's result row L+t has total gradient C_i[L-1] + g_buffer[L+t]; the
// step's vector-Jacobian product (grad of sum(out * g) through the step
// graph) gives the gradients of the step's inputs; tap -d adds into row
// L+t-d, which is C_i[L-d] after the carry shifts by one row. Non-sequences
// accumulate in a carried sum; sequences' gradients are stacked per step.
// With truncate_gradient=k only the last k steps run backwards.
func (op Scan) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	s := op.Info
	if s.Keep != nil {
		return nil, fmt.Errorf("scan: internal error: the gradient of a loop that keeps only the last rows of its outputs (%s): take gradients before compiling", op.ParamString())
	}
	e := ops.NewExpr(b)
	l := ops.NewLengths(b)
	nR := len(s.Taps)
	n := node.Inputs[0]
	if s.Until { // the steps it ran, as Theano's grad_steps: its outputs' length
		n = op.stepsRun(e, l, node)
	}
	seqs := node.Inputs[s.seqStart():s.initStart()]
	inits := node.Inputs[s.initStart():s.nonSeqStart()]
	nonSeqs := node.Inputs[s.nonSeqStart():]
	gBuf := make([]*graph.Variable, nR)
	for i := range gBuf {
		gBuf[i] = gouts[i]
		if gBuf[i] == nil {
			gBuf[i] = e.ZerosLike(node.Outputs[i])
		}
	}
	gNit := make([]*graph.Variable, s.NNitSot)
	for k := range gNit {
		gNit[k] = gouts[nR+k]
		if gNit[k] == nil {
			gNit[k] = e.ZerosLike(node.Outputs[nR+k])
		}
	}
	back := n
	if s.Truncate >= 0 {
		back = e.Call("minimum", n, l.Const(s.Truncate))
	}
	// firstN reversed: x[:count][::-1], the forward steps in backward order
	reversed := func(x *graph.Variable, start int) *graph.Variable {
		stop := n
		if start != 0 {
			stop = l.Add(n, l.Const(start))
		}
		cut := slice(e, x, constEntry(start), ops.IndexEntry{Kind: ops.EntryInput}, ops.IndexEntry{}, stop)
		return slice(e, cut, ops.IndexEntry{}, ops.IndexEntry{}, constEntry(-1))
	}
	var bSeqs, bSeqIn []*graph.Variable // backward sequences, their step inputs
	addSeq := func(outer *graph.Variable, name string) *graph.Variable {
		p := b.Input(elemType(outer.Type), name)
		bSeqs = append(bSeqs, outer)
		bSeqIn = append(bSeqIn, p)
		return p
	}
	subst := map[*graph.Variable]*graph.Variable{}
	g := s.Inner
	for j := range seqs {
		subst[g.Inputs[j]] = addSeq(reversed(seqs[j], 0), g.Inputs[j].Name)
	}
	for i, taps := range s.Taps {
		for k, tap := range taps {
			in := g.Inputs[s.stepTapStart(i)+k]
			subst[in] = addSeq(reversed(node.Outputs[i], s.Depth(i)+tap), in.Name)
		}
	}
	gOutIn := make([]*graph.Variable, nR) // this step's direct gradient of each recurrent result
	for i := range s.Taps {
		gOutIn[i] = addSeq(reversed(gBuf[i], s.Depth(i)), "g_out")
	}
	gNitIn := make([]*graph.Variable, s.NNitSot)
	for k := range gNitIn {
		gNitIn[k] = addSeq(reversed(gNit[k], 0), "g_out")
	}
	// backward step inputs for the forward non-sequences
	bNonIn := make([]*graph.Variable, len(nonSeqs))
	for m := range nonSeqs {
		in := g.Inputs[s.stepNonSeqStart()+m]
		bNonIn[m] = b.Input(in.Type, in.Name)
		subst[in] = bNonIn[m]
	}
	// carried states: C_i, then one sum per differentiable non-sequence
	var carryIn, carryInit []*graph.Variable
	for i := range s.Taps {
		c := b.Input(inits[i].Type, "carry")
		carryIn = append(carryIn, c)
		carryInit = append(carryInit, e.DimShuffle(e.ZerosLike(inits[i]), padLeft(inits[i].Type.Ndim())))
	}
	var accFor []int
	for m, ns := range nonSeqs {
		if differentiable(ns) {
			accFor = append(accFor, m)
			carryIn = append(carryIn, b.Input(ns.Type, "acc"))
			carryInit = append(carryInit, e.DimShuffle(e.ZerosLike(ns), padLeft(ns.Type.Ndim())))
		}
	}
	if e.Err != nil || l.Err() != nil {
		return nil, firstErr(e.Err, l.Err())
	}
	// the forward step on the backward step's inputs, and its VJP
	outs, err := b.Replace(g.Outputs[:nR+s.NNitSot], subst)
	if err != nil {
		return nil, err
	}
	var cost *graph.Variable
	term := func(o, gv *graph.Variable) {
		if !differentiable(o) {
			return
		}
		t := e.Sum(e.Mul(o, gv), nil, false)
		if cost == nil {
			cost = t
		} else {
			cost = e.Add(cost, t)
		}
	}
	for i := range s.Taps {
		depth := s.Depth(i)
		term(outs[i], e.Add(e.Index(carryIn[i], depth-1), gOutIn[i]))
	}
	for k := range gNitIn {
		term(outs[nR+k], gNitIn[k])
	}
	var wrt []*graph.Variable
	for _, v := range g.Inputs {
		wrt = append(wrt, subst[v])
	}
	grads := make([]*graph.Variable, len(wrt))
	if cost != nil && e.Err == nil {
		var dw []*graph.Variable
		var at []int
		for i, w := range wrt {
			if differentiable(w) {
				dw = append(dw, w)
				at = append(at, i)
			}
		}
		gs, _, err := grad.Grad(b, cost, dw, grad.Options{Disconnected: "ignore"})
		if err != nil {
			return nil, err
		}
		for k, i := range at {
			grads[i] = gs[k]
		}
	}
	zeroIfNil := func(gv, like *graph.Variable) *graph.Variable {
		if gv == nil {
			return e.ZerosLike(like)
		}
		return gv
	}
	// backward step outputs: the carries' new values, then the sequences' gradients
	var bOuts []*graph.Variable
	for i, taps := range s.Taps {
		c := carryIn[i]
		depth := s.Depth(i)
		next := e.ZerosLike(c)
		if depth > 1 {
			next = setSlice(e, next, c, 1, depth-1)
		}
		for k, tap := range taps {
			gt := zeroIfNil(grads[s.stepTapStart(i)+k], wrt[s.stepTapStart(i)+k])
			next = incRow(e, next, gt, depth+tap)
		}
		bOuts = append(bOuts, next)
	}
	for k, m := range accFor {
		gm := grads[s.stepNonSeqStart()+m]
		acc := carryIn[nR+k]
		if gm != nil {
			acc = e.Add(acc, e.Cast(gm, acc.Type.DType))
		}
		bOuts = append(bOuts, acc)
	}
	var seqGradFor []int
	for j := range seqs {
		if differentiable(seqs[j]) {
			seqGradFor = append(seqGradFor, j)
			bOuts = append(bOuts, e.Cast(zeroIfNil(grads[j], wrt[j]), seqs[j].Type.DType))
		}
	}
	if e.Err != nil {
		return nil, e.Err
	}
	bTaps := make([][]int, len(carryIn))
	for i := range bTaps {
		bTaps[i] = []int{-1}
	}
	innerIns := append(append(append([]*graph.Variable{}, bSeqIn...), carryIn...), bNonIn...)
	info := &ScanInfo{
		Name: "grad_of_" + s.Name, NSeqs: len(bSeqs), Taps: bTaps, NNitSot: len(seqGradFor),
		NNonSeqs: len(nonSeqs), Truncate: -1,
	}
	if info.Inner, err = NewGraph(innerIns, bOuts); err != nil {
		return nil, fmt.Errorf("scan gradient: %w", err)
	}
	ins := append(append(append([]*graph.Variable{back}, bSeqs...), carryInit...), nonSeqs...)
	bnode, err := b.Apply(Scan{Info: info}, ins...)
	if err != nil {
		return nil, err
	}
	res := make([]*graph.Variable, len(node.Inputs))
	// sequences: the backward steps' gradients, in forward order, at rows n-back .. n-1
	for k, j := range seqGradFor {
		stacked := slice(e, bnode.Outputs[len(carryIn)+k], ops.IndexEntry{}, ops.IndexEntry{}, constEntry(-1))
		start := l.Sub(n, back)
		res[s.seqStart()+j] = setRange(e, e.ZerosLike(seqs[j]), stacked, start, n)
	}
	// initial states: what reached their rows directly, plus the carry left
	// after the last backward step (when the backward loop reached step 0)
	for i := range s.Taps {
		depth := s.Depth(i)
		gi := slice(e, gBuf[i], ops.IndexEntry{}, constEntry(depth), ops.IndexEntry{})
		last := e.Index(bnode.Outputs[i], -1)
		if s.Truncate >= 0 {
			reached := e.Cast(e.Call("eq", back, n), last.Type.DType)
			last = e.Mul(last, reached)
		}
		if differentiable(inits[i]) {
			res[s.initStart()+i] = e.Add(gi, last)
		}
	}
	for k, m := range accFor {
		res[s.nonSeqStart()+m] = e.Index(bnode.Outputs[nR+k], -1)
	}
	if err := firstErr(e.Err, l.Err()); err != nil {
		return nil, err
	}
	return res, nil
}

// stepsRun is the number of steps a while loop ran, read from its
// outputs' lengths (Theano's grad_steps): a recurrent output's rows less
// its initial ones, else a nit-sot output's rows, else the bound.
//
//	scan{until}(n, h0[None]) -> shape(out0)[0] - 1
func (op Scan) stepsRun(e *ops.Expr, l *ops.Lengths, node *graph.Apply) *graph.Variable {
	s := op.Info
	switch {
	case len(s.Taps) > 0:
		return l.Sub(e.Index(e.Shape(node.Outputs[0]), 0), l.Const(s.Depth(0)))
	case s.NNitSot > 0:
		return e.Index(e.Shape(node.Outputs[0]), 0)
	}
	return node.Inputs[0]
}

// differentiable reports whether gradients flow through v (a float or complex).
func differentiable(v *graph.Variable) bool {
	return v.Type.DType.IsFloat() || v.Type.DType.IsComplex()
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// setSlice is x with rows [at, at+count) replaced by src's first count rows:
// set_subtensor(x[at:at+count], src[:count]).
func setSlice(e *ops.Expr, x, src *graph.Variable, at, count int) *graph.Variable {
	head := slice(e, src, ops.IndexEntry{}, constEntry(count), ops.IndexEntry{})
	return setItems(e, x, head, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{constEntry(at), constEntry(at + count), {}}}})
}

// setRange is set_subtensor(x[start:stop], y) with symbolic bounds.
func setRange(e *ops.Expr, x, y, start, stop *graph.Variable) *graph.Variable {
	in := ops.IndexEntry{Kind: ops.EntryInput}
	return setItems(e, x, y, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{in, in, {}}}}, start, stop)
}

func setItems(e *ops.Expr, x, y *graph.Variable, items []ops.IndexItem, idx ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := ops.SetSubtensor(e.B, x, y, items, idx...)
	if err != nil {
		e.Err = err
	}
	return v
}

// incRow is inc_subtensor(x[r], y).
func incRow(e *ops.Expr, x, y *graph.Variable, r int) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := ops.IncSubtensor(e.B, x, e.Cast(y, x.Type.DType), []ops.IndexItem{ops.IndexAt(r)})
	if err != nil {
		e.Err = err
	}
	return v
}

var _ = dtype.Int64
