package cxx

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"theanogo/core/compile"
	"theanogo/core/control"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// Regions: a region is a nested kernel. An inner graph (an ifelse branch,
// a scan step, or the nodes after a value-dependent shape) is compiled by
// this same generator into a static function of the translation unit,
//
//	// region tg_region_1: then branch of ifelse{n=1 lazy} (train.py:12)
//	static int tg_region_1(tg_args *args, tg_state *st) { ... }
//
// whose body is made exactly as tg_run's: its own argument checks, shape
// phase, broadcast checks, liveness and workspace slots. It takes the
// kernel's convention (tg_kernel.h): C-contiguous inputs, and results
// placed through args->alloc, which the caller implements
// (tg_region_alloc, tg_loops.h) with a result buffer of its own or one of
// its workspace slots. Its state is a child of the caller's
// (tg_state_child: allocated on the first call, freed with the parent, and
// private to each calling thread as the top-level state is). So a
// region's shapes are computed, and its checks run, only when it runs.
//
// A node whose output shapes are known only when it has run (a lazy
// ifelse: its lengths are the taken branch's) is dynamic: its outputs live
// where its region puts them, and the nodes that read them form the
// continuation, one more region called at the end of the body, whose shape
// phase runs once the dynamic values exist. A region call can fail (its
// checks and allocations run when it runs), so the scheduler puts every
// region call before the first update written in place, or writes that
// update to a fresh buffer (stepFailure, schedule.go).
//
// A lowering (scan's loop) compiles and calls regions through its Emitter:
//
//	r, err := e.Region(step, "step of scan")           // the region function
//	sink := e.RegionSink(r, nil)                        // results into workspace slots
//	e.CallRegion(r, []string{"&x_t", "&h_prev"}, sink)  // one call (per iteration)
//	// sink_out[i] is then a tg_view of result i

// Region is an inner graph compiled as a function of the kernel.
type Region struct {
	Name     string // the C function, tg_region_<N>
	NumSlots int    // its state's workspace slots
	Inputs   []*graph.Variable
	Outputs  []*graph.Variable
	// InPlace says, per update of the region's graph (the continuation's:
	// updates whose new value it computes), whether its own schedule lets
	// the caller hand it the old value's memory as the result's.
	InPlace []bool
}

// regionLowering lowers a dynamic node (its output shapes are known only
// once it has run) into region calls in the body of g.
type regionLowering func(g *gen, n *graph.Apply) error

// regionLowerings is the table of dynamic ops (set in init: its rows
// generate bodies, which consult it).
var regionLowerings map[reflect.Type]regionLowering

func init() {
	regionLowerings = map[reflect.Type]regionLowering{
		reflect.TypeOf(control.IfElseOp{}): lowerIfElse,
		reflect.TypeOf(control.Scan{}):     lowerScanUntil, // while loops, rows known after a step (isDynamic)
	}
}

// isDynamic reports whether n's output shapes are known only once it ran.
func isDynamic(n *graph.Apply) bool {
	switch op := n.Op.(type) {
	case control.IfElseOp:
		return op.Lazy()
	case control.Scan: // a while loop's length is the steps it ran
		return !op.ShapeKnown(n)
	}
	_, ok := regionLowerings[reflect.TypeOf(n.Op)]
	return ok
}

// regionState is a body's part in regions.
type regionState struct {
	dynamic  map[*graph.Apply]bool   // nodes run as region calls, their outputs placed at run time
	external map[int]bool            // results a region call places (a dynamic node's or the continuation's)
	dest     map[*graph.Variable]int // a dynamic node's output that is a result: the result's index
	cont     *continuation           // the nodes after the dynamic ones; nil when none
	nchild   int                     // child states of this body's state
	// splitValues: the nodes of value-dependent lengths go to the
	// continuation too (a second try, tu.generateBody)
	splitValues bool
}

// continuation is the region of the nodes that read a dynamic node's
// outputs: it reads ins and places results (indexes into the body's).
type continuation struct {
	region  *Region
	ins     []*graph.Variable
	results []int
}

// errValueShape is a shape the shape phase cannot compute: it needs a
// value computed from a variable of unknown static shape (the shape
// phase keeps its values in fixed local buffers).
var errValueShape = errors.New("the shape needs a value computed in the values phase")

// generateBody generates the body of fg in t: tg_run (top) or a region's. A body
// whose shape phase meets a value-dependent shape is generated again with
// the nodes whose lengths need such a value (and their readers) in the
// continuation, which computes them once the values exist: arange(n) with
// n = x[idx].sum() compiles instead of sending the function to the
// evaluator.
func (t *tu) generateBody(fg *compile.FunctionGraph, opt Options, top bool) (*gen, error) {
	g := newGen(t, fg, opt)
	g.top = top
	err := g.run(opt)
	if errors.Is(err, errValueShape) {
		g = newGen(t, fg, opt)
		g.top, g.splitValues = top, true
		err = g.run(opt)
	}
	return g, err
}

// valueShaped finds the nodes whose output lengths need a value that the
// shape phase cannot compute: one whose computation passes through a
// variable of unknown static shape (shape(v) itself never counts: it is
// v's lengths, not its values).
func valueShaped(b *graph.Builder, nodes []*graph.Apply) map[*graph.Apply]bool {
	tr := shape.NewTracker(b)
	memo := map[*graph.Variable]bool{}
	var needs func(v *graph.Variable) bool
	needs = func(v *graph.Variable) bool {
		if r, ok := memo[v]; ok {
			return r
		}
		memo[v] = false
		r := false
		if n := v.Owner; n != nil {
			if _, isShape := n.Op.(ops.ShapeOp); !isShape {
				for _, o := range n.Outputs {
					r = r || slices.Contains(o.Type.Shape, graph.Unknown)
				}
				for _, in := range n.Inputs {
					r = needs(in) || r
				}
			}
		}
		memo[v] = r
		return r
	}
	out := map[*graph.Apply]bool{}
	for _, n := range nodes {
		for _, o := range n.Outputs {
			dims, err := tr.Of(o)
			if err != nil {
				continue
			}
			for _, d := range dims {
				if needs(d) {
					out[n] = true
				}
			}
		}
	}
	return out
}

// splitDynamic finds the dynamic nodes and compiles the nodes that depend
// on them into the continuation region; it returns the nodes this body
// runs itself (the dynamic ones included), in order.
func (g *gen) splitDynamic(nodes []*graph.Apply) ([]*graph.Apply, error) {
	g.dynamic, g.external, g.dest = map[*graph.Apply]bool{}, map[int]bool{}, map[*graph.Variable]int{}
	for _, n := range nodes {
		if isDynamic(n) {
			g.dynamic[n] = true
		}
	}
	later := map[*graph.Apply]bool{}
	if g.splitValues {
		later = valueShaped(g.fg.Builder, nodes)
	}
	if len(g.dynamic) == 0 && len(later) == 0 {
		return nodes, nil
	}
	var own []*graph.Apply
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if in.Owner != nil && (g.dynamic[in.Owner] || later[in.Owner]) {
				later[n] = true
			}
		}
		if !later[n] {
			own = append(own, n)
		}
	}
	var results []int
	for j, r := range g.fg.Results {
		switch {
		case r.Owner == nil:
		case later[r.Owner]:
			results = append(results, j)
		case g.dynamic[r.Owner]:
			if _, listed := g.dest[r]; !listed {
				g.dest[r] = j
				g.external[j] = true
			} else { // listed again: the continuation copies it
				results = append(results, j)
			}
		}
	}
	if len(results) == 0 {
		return own, nil
	}
	if len(own) == 0 && len(g.dynamic) == 0 {
		return nil, fmt.Errorf("cxx: no node of the function can run before its value-dependent shapes: %w", errValueShape)
	}
	for _, j := range results {
		g.external[j] = true
	}
	// the continuation's inner graph: placeholders for what it reads
	// from this body (inputs, values of this body, dynamic outputs)
	b := g.fg.Builder
	ins := []*graph.Variable{}
	subst := map[*graph.Variable]*graph.Variable{}
	var visit func(v *graph.Variable)
	visit = func(v *graph.Variable) {
		if _, done := subst[v]; done || v.IsConstant() {
			return
		}
		if v.Owner == nil || !later[v.Owner] {
			ins = append(ins, v)
			subst[v] = b.Input(v.Type, v.Name)
			return
		}
		subst[v] = nil // visiting
		for _, in := range v.Owner.Inputs {
			visit(in)
		}
	}
	outs := make([]*graph.Variable, len(results))
	for i, j := range results {
		outs[i] = g.fg.Results[j]
		visit(outs[i])
	}
	ins, targets := g.continuationTargets(ins, results, subst)
	placeholders := make([]*graph.Variable, len(ins))
	for i, v := range ins {
		placeholders[i] = subst[v]
	}
	for v, p := range subst {
		if p == nil {
			delete(subst, v)
		}
	}
	outs, err := cloneOnto(b, outs, subst)
	if err != nil {
		return nil, err
	}
	if _, err := control.NewGraph(placeholders, outs); err != nil {
		return nil, fmt.Errorf("cxx: the continuation after a value-dependent shape: %w", err)
	}
	// the update targets are the region's shared inputs, last, and the
	// updates its last results (results lists outputs first): the region
	// schedules its own in-place writes
	nt, nOut := len(targets), 0
	for _, j := range results {
		if j < g.fg.NumOutputs {
			nOut++
		}
	}
	cfg := &compile.FunctionGraph{Inputs: placeholders[:len(placeholders)-nt], Shared: placeholders[len(placeholders)-nt:],
		Results: outs, NumOutputs: nOut, UpdateTargets: placeholders[len(placeholders)-nt:], Builder: b}
	r, err := g.compileRegionGraph(cfg, "the nodes after a value-dependent shape (they read "+brief(ins[0].String())+"...)")
	if err != nil {
		return nil, err
	}
	g.cont = &continuation{region: r, ins: ins, results: results}
	return own, nil
}

// continuationTargets reorders ins, the variables the continuation reads,
// so that the targets of the updates it computes (results, after the
// outputs) come last, in the updates' order, each given a placeholder in
// subst (a target the new value does not read is passed all the same: the
// region writes into its memory). It returns the new order and the targets.
func (g *gen) continuationTargets(ins []*graph.Variable, results []int, subst map[*graph.Variable]*graph.Variable) ([]*graph.Variable, []*graph.Variable) {
	var targets []*graph.Variable
	isTarget := map[*graph.Variable]bool{}
	for _, j := range results {
		if j >= g.fg.NumOutputs {
			t := g.fg.UpdateTargets[j-g.fg.NumOutputs]
			targets = append(targets, t)
			isTarget[t] = true
			if _, ok := subst[t]; !ok {
				subst[t] = g.fg.Builder.Input(t.Type, t.Name)
			}
		}
	}
	var order []*graph.Variable
	for _, v := range ins {
		if !isTarget[v] {
			order = append(order, v)
		}
	}
	return append(order, targets...), targets
}

// cloneOnto rebuilds outputs with each key of subst replaced by its value,
// as graph's Replace does, and keeps each rebuilt node's source line.
func cloneOnto(b *graph.Builder, outputs []*graph.Variable, subst map[*graph.Variable]*graph.Variable) ([]*graph.Variable, error) {
	memo := map[*graph.Apply]*graph.Apply{}
	var rebuild func(v *graph.Variable) (*graph.Variable, error)
	rebuild = func(v *graph.Variable) (*graph.Variable, error) {
		if r, ok := subst[v]; ok {
			return r, nil
		}
		n := v.Owner
		if n == nil {
			return v, nil
		}
		if m, ok := memo[n]; ok {
			return m.Outputs[v.Index], nil
		}
		ins := make([]*graph.Variable, len(n.Inputs))
		for i, in := range n.Inputs {
			r, err := rebuild(in)
			if err != nil {
				return nil, err
			}
			ins[i] = r
		}
		m, err := b.Apply(n.Op, ins...)
		if err != nil {
			return nil, err
		}
		m.Source = n.Source
		memo[n] = m
		return m.Outputs[v.Index], nil
	}
	out := make([]*graph.Variable, len(outputs))
	for i, o := range outputs {
		r, err := rebuild(o)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// shapedNodes are the nodes whose shapes the body's shape phase computes:
// all but the dynamic ones.
func (g *gen) shapedNodes(nodes []*graph.Apply) []*graph.Apply {
	var out []*graph.Apply
	for _, n := range nodes {
		if !g.dynamic[n] {
			out = append(out, n)
		}
	}
	return out
}

// CompileRegion compiles inner graph cg into a region function of g's
// translation unit (what says what it is, for the comment above it) and
// returns it. The function is written before any body that calls it.
func (g *gen) CompileRegion(cg *control.Graph, what string) (*Region, error) {
	fg := &compile.FunctionGraph{Inputs: cg.Inputs, Results: append([]*graph.Variable{}, cg.Outputs...), NumOutputs: len(cg.Outputs), Builder: g.fg.Builder}
	return g.compileRegionGraph(fg, what)
}

// compileRegionGraph is CompileRegion for a function graph, which may
// have updates (the continuation's): their targets are its last inputs.
func (g *gen) compileRegionGraph(fg *compile.FunctionGraph, what string) (*Region, error) {
	if err := checkRanks(fg); err != nil {
		return nil, err
	}
	child, err := g.generateBody(fg, Options{Evaluate: g.evaluate, SeparateIntermediates: g.separate}, false)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("tg_region_%d", len(g.regions)+1)
	text := fmt.Sprintf("// region %s: %s\nstatic int %s(tg_args *args, tg_state *st) {\n%s\n}\n", name, cComment(brief(what)), name, strings.Join(child.body, "\n"))
	g.regions = append(g.regions, text)
	return &Region{Name: name, NumSlots: child.numSlots, Inputs: fg.AllInputs(), Outputs: fg.Results, InPlace: child.inPlace}, nil
}

// RegionDest says where one region result goes: the calling body's
// result Result (Result >= 0), else its workspace slot Slot.
type RegionDest struct{ Result, Slot int }

// sinkLines declares sink name for region results of the given types
// going to dests (tg_region_sink; name_out[i] receives result i's view).
// parent is the caller's tg_args (NULL when no result goes to a result).
func sinkLines(name, parent string, types []graph.Type, dests []RegionDest) []string {
	var res, slot, dt []string
	for i, d := range dests {
		res = append(res, fmt.Sprint(d.Result))
		slot = append(slot, fmt.Sprint(d.Slot))
		dt = append(dt, fmt.Sprint(int(types[i].DType)))
	}
	return []string{
		fmt.Sprintf("static const int32_t %s_res[] = {%s}, %s_slot[] = {%s}, %s_dt[] = {%s};", name, strings.Join(res, ", "), name, strings.Join(slot, ", "), name, strings.Join(dt, ", ")),
		fmt.Sprintf("tg_view %s_out[%d];", name, len(dests)),
		fmt.Sprintf("tg_region_sink %s = {%d, %s, %s_res, st, %s_slot, %s_dt, %s_out};", name, len(dests), parent, name, name, name, name),
	}
}

// callLines is the call of region r with child state child on the views
// ins (C expressions of `const tg_view *`), its results going to sink.
func callLines(r *Region, child int, ins []string, sink string) []string {
	arr := "NULL"
	var out []string
	if len(ins) > 0 {
		out = append(out, fmt.Sprintf("const tg_view *rin[] = {%s};", strings.Join(ins, ", ")))
		arr = "rin"
	}
	return append(out, fmt.Sprintf("if (tg_region_call(%s, st, %d, %d, %d, %s, &%s, err)) return 1;", r.Name, child, r.NumSlots, len(ins), arr, sink))
}

// viewArgs are the C expressions of the views of vs in phase 2.
func (g *gen) viewArgs(vs []*graph.Variable) []string {
	var out []string
	for _, v := range vs {
		g.ensureView(v, 2)
		out = append(out, "&"+g.name(v, 2))
	}
	return out
}

// dynamicDests places a dynamic node's outputs: a result's buffer for an
// output that is a result, else a slot of its own (grown when it runs).
func (g *gen) dynamicDests(outs []*graph.Variable) []RegionDest {
	dests := make([]RegionDest, len(outs))
	for i, o := range outs {
		if j, ok := g.dest[o]; ok {
			dests[i] = RegionDest{Result: j, Slot: -1}
			continue
		}
		dests[i] = RegionDest{Result: -1, Slot: g.nslots}
		g.nslots++
	}
	return dests
}

// lowerDynamic emits dynamic node n's region calls.
func (g *gen) lowerDynamic(n *graph.Apply) error {
	lower, ok := regionLowerings[reflect.TypeOf(n.Op)]
	if !ok {
		return fmt.Errorf("cxx: no region lowering for %s", graph.OpString(n.Op))
	}
	return lower(g, n)
}

// lowerIfElse calls the region of the taken branch only: each branch of
// a lazy ifelse is a region; the outputs are where the taken one put them.
func lowerIfElse(g *gen, n *graph.Apply) error {
	op := n.Op.(control.IfElseOp)
	node := graph.OpString(n.Op) // no source line: the source is the cache key
	then, err := g.CompileRegion(op.Then, "then branch of "+node)
	if err != nil {
		return err
	}
	els, err := g.CompileRegion(op.Else, "else branch of "+node)
	if err != nil {
		return err
	}
	sink := fmt.Sprintf("sk%d", g.id(n.Outputs[0]))
	g.line("{ /* %s: only the taken branch's region runs (%s or %s) */", cComment(node), then.Name, els.Name)
	for _, l := range sinkLines(sink, "args", graph.TypesOf(n.Outputs), g.dynamicDests(n.Outputs)) {
		g.line("  %s", l)
	}
	cond := n.Inputs[0]
	g.ensureView(cond, 2)
	ct := cTypeOf(cond.Type.DType)
	value := strings.ReplaceAll(ct.Load, "$0", fmt.Sprintf("(*(const %s *)%s.data)", ct.Storage, g.name(cond, 2)))
	nt := len(op.Then.Inputs)
	g.line("  if ((%s) != 0) {", value)
	for _, l := range callLines(then, g.nchild, g.viewArgs(n.Inputs[1:1+nt]), sink) {
		g.line("    %s", l)
	}
	g.line("  } else {")
	for _, l := range callLines(els, g.nchild+1, g.viewArgs(n.Inputs[1+nt:]), sink) {
		g.line("    %s", l)
	}
	g.line("  }")
	g.nchild += 2
	for i, o := range n.Outputs {
		nm := g.name(o, 2)
		g.declared[nm] = true
		g.line("  %s = %s_out[%d];", nm, sink, i)
	}
	g.line("}")
	return nil
}

// callContinuation emits the call of the continuation region, last.
func (g *gen) callContinuation() error {
	c := g.cont
	dests := make([]RegionDest, len(c.results))
	types := make([]graph.Type, len(c.results))
	for i, j := range c.results {
		dests[i] = RegionDest{Result: j, Slot: -1}
		types[i] = g.fg.Results[j].Type
	}
	g.line("{ /* the nodes after a value-dependent shape: %s, its shape phase now */", c.region.Name)
	for _, l := range sinkLines("skc", "args", types, dests) {
		g.line("  %s", l)
	}
	for _, l := range callLines(c.region, g.nchild, g.viewArgs(c.ins), "skc") {
		g.line("  %s", l)
	}
	g.nchild++
	g.line("}")
	return nil
}

// Region compiles inner graph cg into a region function for the node
// being lowered (what names it in the comment above the function), as
// CompileRegion does for the body that lowers the node.
func (e *Emitter) Region(cg *control.Graph, what string) (*Region, error) {
	if e.gen == nil {
		return nil, fmt.Errorf("cxx: regions need the kernel's generator (a trial lowering has none)")
	}
	return e.gen.CompileRegion(cg, what)
}

// RegionSink declares, in the node's body, a sink for r's results in
// workspace slots of their own (or dests when given) and returns its name;
// <name>_out[i] is a tg_view of result i after each call.
func (e *Emitter) RegionSink(r *Region, dests []RegionDest) string {
	if dests == nil {
		dests = e.gen.dynamicDests(make([]*graph.Variable, len(r.Outputs)))
	}
	name := e.Fresh("sink")
	for _, l := range sinkLines(name, "NULL", graph.TypesOf(r.Outputs), dests) {
		e.Line("%s", l)
	}
	return name
}

// CallRegion writes the call of r on ins (C expressions of `const tg_view
// *`) with its results going to sink; each call site of the node's body
// has its own child state.
func (e *Emitter) CallRegion(r *Region, ins []string, sink string) {
	for _, l := range callLines(r, e.gen.nchild, ins, sink) {
		e.Line("%s", l)
	}
	e.gen.nchild++
}
