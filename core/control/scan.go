package control

import (
	"fmt"

	"theanogo/core/graph"
)

// ScanInfo describes one scan loop: how the node's inputs and outputs map
// onto its step graph. It is held by pointer in the Scan op (one loop, one
// info).
//
// Node inputs:  [n_steps, sequences..., initial states..., non-sequences...]
// Step inputs:  [one slice per sequence..., one value per tap of each
//
//	recurrent output..., non-sequences...]
//
// Step outputs: [new value of each recurrent output..., each output that is
//
//	not fed back (nit-sot)..., the until condition (when Until)]
//
// Node outputs: [each recurrent output's whole buffer, its initial taps
//
//	first: (L + steps, ...)..., each nit-sot output stacked: (steps, ...)]
//
// Sequences arrive cut and oriented by BuildScan (taps and go_backwards are
// slices of the outer graph), so step t reads row t of each. A recurrent
// output with taps [-2, -1] (L = 2) reads buffer rows L+t-2 and L+t-1 and
// writes row L+t.
type ScanInfo struct {
	Name     string
	NSeqs    int
	Taps     [][]int // per recurrent output, its (negative) taps in step-input order
	NNitSot  int
	NNonSeqs int
	// Until: the step's last output is a scalar condition; the loop stops
	// after the first step where it holds (n_steps still bounds it).
	Until bool
	// Truncate is truncate_gradient: the gradient runs back this many steps
	// (-1: all).
	Truncate int
	Inner    *Graph
	// Keep is set by the scan_save_mem rewrite (core/compile): per output
	// (recurrent ones, then nit-sots), 0 to return the whole buffer, or
	// k > 0 to return only its last min(k, rows) rows, when nothing reads
	// more than those. The loop then keeps a ring of rows instead of the
	// whole history (RingRows). nil: every output whole.
	Keep []int
}

// KeepRows is how many trailing rows output o returns (0: all of them).
func (s *ScanInfo) KeepRows(o int) int {
	if o < len(s.Keep) {
		return s.Keep[o]
	}
	return 0
}

// RingRows is the number of rows a loop keeping only the tail of output o
// stores (0: the whole buffer): the rows it returns, and for a recurrent
// output at least its depth plus the row being written, so a step never
// writes a row one of its taps reads.
func (s *ScanInfo) RingRows(o int) int {
	k := s.KeepRows(o)
	if k == 0 || o >= len(s.Taps) {
		return k
	}
	return max(k, s.Depth(o)+1)
}

// Depth is the number of initial rows recurrent output i needs: -min(taps).
func (s *ScanInfo) Depth(i int) int {
	d := 0
	for _, t := range s.Taps[i] {
		d = max(d, -t)
	}
	return d
}

// NRecurrent is the number of recurrent outputs (sit-sot and mit-sot).
func (s *ScanInfo) NRecurrent() int { return len(s.Taps) }

// Scan is Theano's scan op: a loop running Info.Inner once per step.
type Scan struct {
	Info *ScanInfo
}

func (op Scan) Name() string { return "scan" }

func (op Scan) ParamString() string {
	s := op.Info
	p := fmt.Sprintf("seqs=%d taps=%v nit_sot=%d non_seqs=%d", s.NSeqs, s.Taps, s.NNitSot, s.NNonSeqs)
	if s.Name != "" {
		p = "name=" + s.Name + " " + p
	}
	if s.Until {
		p += " until"
	}
	if s.Truncate >= 0 {
		p += fmt.Sprintf(" truncate_gradient=%d", s.Truncate)
	}
	if s.Keep != nil {
		p += fmt.Sprintf(" keep=%v", s.Keep)
	}
	return p
}

// offsets of the node's input groups.
func (s *ScanInfo) seqStart() int    { return 1 }
func (s *ScanInfo) initStart() int   { return 1 + s.NSeqs }
func (s *ScanInfo) nonSeqStart() int { return 1 + s.NSeqs + len(s.Taps) }
func (s *ScanInfo) nInputs() int     { return 1 + s.NSeqs + len(s.Taps) + s.NNonSeqs }

// NonSeqStart is the index of the first non-sequence among the node's
// inputs (rewrites of the loop's inputs, core/compile's scan_*.go).
func (s *ScanInfo) NonSeqStart() int { return s.nonSeqStart() }

// StepNonSeqStart is the index of the first non-sequence among the step's
// inputs.
func (s *ScanInfo) StepNonSeqStart() int { return s.stepNonSeqStart() }

// stepTapStart is the index of recurrent output i's first tap among the
// step's inputs.
func (s *ScanInfo) stepTapStart(i int) int {
	k := s.NSeqs
	for j := 0; j < i; j++ {
		k += len(s.Taps[j])
	}
	return k
}

// stepNonSeqStart is the index of the first non-sequence among the step's inputs.
func (s *ScanInfo) stepNonSeqStart() int { return s.stepTapStart(len(s.Taps)) }

// elemType is t without its leading dimension: one step's slice of t.
func elemType(t graph.Type) graph.Type { return graph.NewType(t.DType, t.Shape[1:]...) }

// sameElem reports whether a step value of type got fits a slot of type
// want: the same dtype, rank and broadcast pattern (Theano's rule).
func sameElem(got, want graph.Type) bool {
	if got.DType != want.DType || got.Ndim() != want.Ndim() {
		return false
	}
	for d := range got.Shape {
		if (got.Shape[d] == 1) != (want.Shape[d] == 1) {
			return false
		}
	}
	return true
}

// OutputTypes checks the node's inputs against the step graph and gives each
// output the step output's type with a leading dimension (known when
// n_steps is a constant and there is no until).
func (op Scan) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	s, g := op.Info, op.Info.Inner
	if len(inputs) != s.nInputs() {
		return nil, graph.TypeErrorf("scan takes %d inputs, got %d", s.nInputs(), len(inputs))
	}
	nOut := len(s.Taps) + s.NNitSot
	if s.Until {
		nOut++
	}
	if len(g.Outputs) != nOut || len(g.Inputs) != s.stepNonSeqStart()+s.NNonSeqs {
		return nil, fmt.Errorf("scan: internal error: the step graph has %d inputs and %d outputs for %s", len(g.Inputs), len(g.Outputs), op.ParamString())
	}
	n := inputs[0].Type
	if n.Ndim() != 0 || !n.DType.IsInteger() {
		return nil, graph.TypeErrorf("scan: n_steps must be an integer scalar, got %v", n)
	}
	steps := graph.Unknown
	if c := inputs[0].Value; c != nil && !s.Until {
		steps = int(c.Int64s()[0])
	}
	for j := 0; j < s.NSeqs; j++ {
		seq := inputs[s.seqStart()+j].Type
		if seq.Ndim() == 0 || !sameElem(elemType(seq), g.Inputs[j].Type) {
			return nil, graph.TypeErrorf("scan: sequence %d has type %v, its step slice has type %v", j, seq, g.Inputs[j].Type)
		}
	}
	var out []graph.Type
	for i := range s.Taps {
		init := inputs[s.initStart()+i].Type
		step := g.Outputs[i].Type
		if init.Ndim() == 0 || !sameElem(step, elemType(init)) {
			return nil, graph.TypeErrorf("scan: output %d of the step function has type %v, but its initial value has type %v (each step must keep its dtype, rank and broadcast pattern)", i, step, elemType(init))
		}
		lead := graph.Unknown
		if steps >= 0 && init.Shape[0] != graph.Unknown {
			lead = init.Shape[0] + steps
		}
		out = append(out, graph.NewType(init.DType, append([]int{s.keptLead(i, lead)}, init.Shape[1:]...)...))
	}
	for k := 0; k < s.NNitSot; k++ {
		step := g.Outputs[len(s.Taps)+k].Type
		out = append(out, graph.NewType(step.DType, append([]int{s.keptLead(len(s.Taps)+k, steps)}, step.Shape...)...))
	}
	if s.Keep != nil && len(s.Keep) != len(s.Taps)+s.NNitSot {
		return nil, fmt.Errorf("scan: internal error: keep has %d entries for %d outputs", len(s.Keep), len(s.Taps)+s.NNitSot)
	}
	for m := 0; m < s.NNonSeqs; m++ {
		if got, want := inputs[s.nonSeqStart()+m].Type, g.Inputs[s.stepNonSeqStart()+m].Type; !sameElem(got, want) {
			return nil, graph.TypeErrorf("scan: non-sequence %d has type %v, its step input has type %v", m, got, want)
		}
	}
	if s.Until {
		c := g.Outputs[nOut-1].Type
		if c.Ndim() != 0 {
			return nil, graph.TypeErrorf("scan: the until condition must be a scalar, got %v", c)
		}
	}
	return out, nil
}

// keptLead is output o's static leading length when the whole buffer's
// is lead: min(lead, k) when only the last k rows are kept.
func (s *ScanInfo) keptLead(o, lead int) int {
	if k := s.KeepRows(o); k > 0 && lead != graph.Unknown {
		return min(lead, k)
	}
	return lead
}

// InnerGraphs is the step graph (control.RegionOp: the compile pipeline
// optimizes it with the outer graph's passes).
func (op Scan) InnerGraphs() []*Graph { return []*Graph{op.Info.Inner} }

// WithInnerGraphs is the same loop running the optimized step gs[0].
func (op Scan) WithInnerGraphs(gs []*Graph) graph.Op {
	info := *op.Info
	info.Inner = gs[0]
	return Scan{Info: &info}
}
