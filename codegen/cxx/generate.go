package cxx

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"theanogo/core/compile"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// Kernel is one function graph's translation unit and what running it
// needs.
type Kernel struct {
	// Source is the whole translation unit.
	Source string
	// Parts are the translation units the backend compiles (at the same
	// time) into the module: Source itself, or Source split in two
	// (split.go).
	Parts  []string
	Symbol string // tg_fn_<hash of the source>: the tg_kernel.h entry
	// NumSlots is the number of workspace slots (tg_state_new).
	NumSlots int
	// Nodes are the phase-2 nodes in run order; profile counter i is
	// Nodes[i]'s.
	Nodes []*graph.Apply
	// Fallback lists the nodes the Go evaluator runs (st->eval_node's node
	// argument indexes it).
	Fallback []*graph.Apply
	// FallbackErrors says, per fallback node, why it has no C++ (no
	// lowering, or the lowering's error).
	FallbackErrors []string
	// InPlace says, per update, whether the kernel lets the caller hand it
	// the old value's buffer as the new value's.
	InPlace []bool
	// Consts are the large constants the kernel reads through
	// st->consts[k] instead of static arrays in its source: the caller
	// points the state at their memory (loader.SetConsts) and keeps it
	// alive and unmoved.
	Consts []*graph.Variable
}

// bigConstBytes is the size above which a constant is not written into
// the source: a large table in the source costs compile time (and the
// module's memory would duplicate the graph's copy).
const bigConstBytes = 4096

// Options changes what Generate emits.
type Options struct {
	// Profile times each phase-2 node into st->prof_ns/prof_calls (when
	// st->profile is set at run time).
	Profile bool
	// Evaluate names ops (by Op.Name) whose nodes run in the Go evaluator
	// even though they have a lowering: tests of the fallback use it. View
	// ops always lower.
	Evaluate map[string]bool
	// SeparateIntermediates turns off in-place intermediates (inplace.go):
	// an elementwise node never writes into the slot of an input it reads
	// last.
	SeparateIntermediates bool
}

// Generate writes fg's kernel.
func Generate(fg *compile.FunctionGraph, opt Options) (k *Kernel, err error) {
	defer func() {
		if r := recover(); r != nil {
			k, err = nil, fmt.Errorf("cxx: generating the kernel: %v", r)
		}
	}()
	if fg.Builder == nil {
		return nil, fmt.Errorf("cxx: the function graph has no builder")
	}
	t := &tu{u: newUnit(), k: &Kernel{}, ids: map[*graph.Variable]int{}, constData: map[*graph.Variable]string{}}
	if err := checkRanks(fg); err != nil {
		return nil, err
	}
	g, err := t.generateBody(fg, opt, true)
	if err != nil {
		return nil, err
	}
	t.k.NumSlots = g.numSlots
	g.render()
	return g.k, nil
}

// newGen returns the generator of one body (the kernel's tg_run, or a
// region's function) in translation unit t.
func newGen(t *tu, fg *compile.FunctionGraph, opt Options) *gen {
	return &gen{tu: t, fg: fg, evaluate: opt.Evaluate, separate: opt.SeparateIntermediates, dims: map[*graph.Variable][]string{}, declared: map[string]bool{},
		slotOf: map[*graph.Variable]int{}, resultOf: map[*graph.Variable]int{}, scratch: map[*graph.Apply]int{}, views: map[viewKey]int{},
		slotUsers: map[int][]string{}, aliased: map[*graph.Apply]bool{}}
}

// MaxRank is the largest rank the runtime's tg_view holds (TG_MAXDIM in
// tg_rt.h; a test keeps the two equal). numpy allows 64 dimensions: a
// function with a variable of higher rank than this is refused here, with
// an error naming the variable, and runs on the evaluator (or raises, with
// cxx_fallback=raise), never on arrays that overflow a tg_view.
const MaxRank = 32

// checkRanks refuses a graph with a variable of rank above MaxRank.
func checkRanks(fg *compile.FunctionGraph) error {
	check := func(v *graph.Variable) error {
		if nd := v.Type.Ndim(); nd > MaxRank {
			return fmt.Errorf("cxx: %v has rank %d, above the C++ backend's maximum of %d dimensions", v, nd, MaxRank)
		}
		return nil
	}
	for _, v := range fg.AllInputs() {
		if err := check(v); err != nil {
			return err
		}
	}
	for _, n := range fg.Toposort() {
		for _, v := range append(append([]*graph.Variable{}, n.Inputs...), n.Outputs...) {
			if err := check(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// tu is what the bodies of one translation unit share: the unit's
// helpers, node functions, constants and region functions, and the
// numbering that keeps their names unique.
type tu struct {
	u         *unit
	k         *Kernel
	funcs     []nodeFunc
	consts    []string                   // static arrays
	constData map[*graph.Variable]string // a constant's data expression, once per unit
	ids       map[*graph.Variable]int    // variable numbers (names of locals and constants)
	regions   []string                   // region functions, each before its callers (region.go)
	nfuncs    int                        // shape-phase node functions s<N>
	nsteps    int                        // phase-2 node functions k<N>
	nshapes   int
}

// gen is the state of one body: the kernel's tg_run, or a region's
// function (region.go), with its own arguments, shape phase, checks,
// liveness and workspace slots.
type gen struct {
	*tu
	top         bool // the kernel's tg_run (not a region)
	fg          *compile.FunctionGraph
	evaluate    map[string]bool // Options.Evaluate
	separate    bool            // Options.SeparateIntermediates
	inPlace     []bool          // per update: written into the old value's memory (Kernel.InPlace)
	body        []string        // the body
	declared    map[string]bool
	dims        map[*graph.Variable][]string // each variable's lengths as C expressions
	slotOf      map[*graph.Variable]int      // intermediates: workspace slot
	views       map[viewKey]int              // the index of each tg_view in the table V
	aliased     map[*graph.Apply]bool        // in-place writers: output 0 may be an input's memory
	slotUsers   map[int][]string             // per workspace slot, the bytes (C expressions) each of its users needs
	resultOf    map[*graph.Variable]int      // variables computed into a result's buffer
	scratch     map[*graph.Apply]int         // reshape-like views: a slot for the copy
	stored      []*graph.Variable            // variables in slots, in step order
	nslots      int
	numSlots    int // nslots plus the view table's slot, when it has one
	regionState     // value-dependent shapes and region calls (region.go)
}

func (g *gen) line(format string, args ...any) {
	g.body = append(g.body, "    "+fmt.Sprintf(format, args...))
}

// name is v's tg_view in phase (1: shapes, 2: values): roots have one
// view; a computed variable may be computed in both phases. Views live in
// the table V (a workspace slot, viewTable), not on the stack: a tg_view is
// about 530 bytes, and a kernel of 10,000 nodes would otherwise need
// megabytes of stack in tg_run.
func (g *gen) name(v *graph.Variable, phase int) string {
	key := viewKey{v, phase}
	if v.Owner == nil {
		key.phase = 2
	}
	k, ok := g.views[key]
	if !ok {
		k = len(g.views)
		g.views[key] = k
	}
	return fmt.Sprintf("V[%d]", k)
}

// viewKey names one tg_view of the table: a variable in a phase.
type viewKey struct {
	v     *graph.Variable
	phase int
}

// id numbers variables in the order the generator meets them, so that the
// same graph gives the same source (and cache entry) whatever the
// builder's variable numbers are.
func (g *gen) id(v *graph.Variable) int {
	if k, ok := g.ids[v]; ok {
		return k
	}
	g.ids[v] = len(g.ids)
	return g.ids[v]
}

func (g *gen) run(opt Options) error {
	fg := g.fg
	inputs := fg.AllInputs()
	nodes, err := g.splitDynamic(fg.Toposort())
	if err != nil {
		return err
	}
	for _, n := range nodes {
		g.u.blas = g.u.blas || callsBLAS(n)
	}
	g.line("char **err = &args->error;")
	g.line("if (args->n_inputs != %d || args->n_results != %d) return tg_set_error(err, \"TypeError: the kernel takes %d inputs and %d results, got %%d and %%d\", (int)args->n_inputs, (int)args->n_results);",
		len(inputs), len(fg.Results), len(inputs), len(fg.Results))
	for i, in := range inputs {
		dt := int(in.Type.DType)
		g.line("if (args->inputs[%d].ndim != %d || args->inputs[%d].dtype != %d) return tg_set_error(err, \"TypeError: input %d (%s) must be a %d-d array of dtype %s\");",
			i, in.Type.Ndim(), i, dt, i, cFormat(in.String()), in.Type.Ndim(), in.Type.DType)
		g.line("tg_view_init(&%s, args->inputs[%d].data, %d, %d, args->inputs[%d].shape);", g.name(in, 2), i, dt, in.Type.Ndim(), i)
		g.declared[g.name(in, 2)] = true
	}
	shaped := g.shapedNodes(nodes)
	if err := g.shapePhase(inputs, shaped); err != nil {
		return err
	}
	g.elementwiseChecks(shaped)
	g.callChecks(shaped)
	steps, updates := g.plan(nodes)
	inPlace := g.inPlaceCandidates(steps, updates)
	fails := make([]Failure, len(steps))
	for i, s := range steps {
		fails[i] = g.stepFailure(s)
	}
	order := schedule(steps, updates, inPlace, fg.NumOutputs, fails)
	for _, u := range updates {
		if inPlace[u.result-fg.NumOutputs] && steps[u.writer].node != nil {
			g.aliased[steps[u.writer].node] = true
		}
	}
	g.inPlace = inPlace
	if g.top { // a region's body (compiled during phase 2) must not reset the kernel's
		g.k.InPlace = inPlace
	}
	g.memory(steps, order)
	g.sizesAndResults(shaped)
	g.reserveSlots()
	if err := g.phase2(steps, order, opt); err != nil {
		return err
	}
	g.line("return 0;")
	g.viewTable()
	return nil
}

// shapePhase computes every variable's lengths: the symbolic shapes of
// shape.Tracker, merged and folded, lowered as phase-1 nodes into small
// local buffers, then read into int64 locals.
func (g *gen) shapePhase(inputs []*graph.Variable, nodes []*graph.Apply) error {
	tr := shape.NewTracker(g.fg.Builder)
	var vars []*graph.Variable
	seen := map[*graph.Variable]bool{}
	add := func(v *graph.Variable) {
		if !seen[v] {
			seen[v] = true
			vars = append(vars, v)
		}
	}
	for _, v := range inputs {
		add(v)
	}
	for _, n := range nodes {
		for _, v := range n.Inputs {
			add(v)
		}
		for _, v := range n.Outputs {
			add(v)
		}
	}
	for j, v := range g.fg.Results {
		if !g.external[j] {
			add(v)
		}
	}
	var flat []*graph.Variable
	counts := make([]int, len(vars))
	for i, v := range vars {
		d, err := tr.Of(v)
		if err != nil {
			return fmt.Errorf("cxx: the shape of %v: %w", v, err)
		}
		counts[i] = len(d)
		flat = append(flat, d...)
	}
	simple, err := compile.SimplifyShapes(g.fg, flat)
	if err != nil {
		return fmt.Errorf("cxx: simplifying shapes: %w", err)
	}
	direct := g.directDims(simple)
	for _, n := range g.shapeNodes(simple, direct) {
		if err := g.shapeNode(n); err != nil {
			return err
		}
	}
	local := map[*graph.Variable]string{}
	dimOf := func(d *graph.Variable) string {
		if d.IsConstant() {
			return fmt.Sprintf("INT64_C(%d)", d.Value.Int64s()[0])
		}
		if s, ok := local[d]; ok {
			return s
		}
		s := fmt.Sprintf("d%d", g.id(d))
		if x, ok := direct[d]; ok {
			g.line("const int64_t %s = %s;", s, x)
		} else {
			g.ensureView(d, 1)
			g.line("const int64_t %s = tg_read_int(&%s);", s, g.name(d, 1))
		}
		local[d] = s
		return s
	}
	k := 0
	for i, v := range vars {
		ds := make([]string, counts[i])
		for j := range ds {
			ds[j] = dimOf(simple[k])
			k++
		}
		g.dims[v] = ds
	}
	return nil
}

// directDims finds the lengths that are a root's length, shape(x)[i] with
// a constant i in range: phase 1 reads them straight from x's view
// (x.shape[i]) instead of running the shape and subtensor nodes.
func (g *gen) directDims(dims []*graph.Variable) map[*graph.Variable]string {
	direct := map[*graph.Variable]string{}
	for _, n := range graph.Toposort(dims) {
		sub, ok := n.Op.(ops.SubtensorOp)
		if !ok || len(n.Inputs) != 1 || n.Inputs[0].Owner == nil {
			continue
		}
		items := sub.Items.List()
		if len(items) != 1 || items[0].Slice || items[0].Entries[0].Kind != ops.EntryConst {
			continue
		}
		sh := n.Inputs[0].Owner
		if _, ok := sh.Op.(ops.ShapeOp); !ok || sh.Inputs[0].Owner != nil {
			continue
		}
		x := sh.Inputs[0]
		i, nd := items[0].Entries[0].Value, x.Type.Ndim()
		if i < 0 {
			i += nd
		}
		if i < 0 || i >= nd {
			continue // the subtensor node reports the IndexError
		}
		g.ensureView(x, 1)
		direct[n.Outputs[0]] = fmt.Sprintf("%s.shape[%d]", g.name(x, 1), i)
	}
	return direct
}

// shapeNodes lists, in order, the phase-1 nodes the lengths dims need
// beyond the direct ones.
func (g *gen) shapeNodes(dims []*graph.Variable, direct map[*graph.Variable]string) []*graph.Apply {
	needed := map[*graph.Apply]bool{}
	var mark func(v *graph.Variable)
	mark = func(v *graph.Variable) { // v's view is read: its node runs
		if v.Owner == nil || needed[v.Owner] {
			return
		}
		needed[v.Owner] = true
		for _, in := range v.Owner.Inputs {
			mark(in)
		}
	}
	for _, d := range dims {
		if _, ok := direct[d]; !ok {
			mark(d)
		}
	}
	var out []*graph.Apply
	for _, n := range graph.Toposort(dims) {
		if needed[n] {
			out = append(out, n)
		}
	}
	return out
}

// ensureView declares the view of a constant (a static array) the first
// time a node reads it; inputs are declared up front.
func (g *gen) ensureView(v *graph.Variable, phase int) {
	n := g.name(v, phase)
	if g.declared[n] {
		return
	}
	if !v.IsConstant() {
		panic(fmt.Sprintf("variable %v read before it is computed", v))
	}
	g.declared[n] = true
	data, shp := g.constant(v)
	g.line("tg_view_init(&%s, %s, %d, %d, %s);", n, data, int(v.Type.DType), v.Type.Ndim(), shp)
}

// shapeNode lowers one node of the shape phase: its outputs have static
// shapes, so they live in local buffers.
func (g *gen) shapeNode(n *graph.Apply) error {
	for _, in := range n.Inputs {
		if in.Owner == nil {
			g.ensureView(in, 1)
		}
	}
	view := isView(n)
	for _, o := range n.Outputs {
		size := 1
		for _, d := range o.Type.Shape {
			if d == graph.Unknown {
				return fmt.Errorf("cxx: shape expression %s has no static shape: %w", graph.OpString(n.Op), errValueShape)
			}
			size *= d
		}
		nm := g.name(o, 1)
		shp := g.staticShape(o.Type.Shape)
		if view {
			g.line("tg_view_init(&%s, NULL, %d, %d, %s);", nm, int(o.Type.DType), o.Type.Ndim(), shp)
		} else {
			bytes := max(size*o.Type.DType.Size(), 1)
			buf := fmt.Sprintf("bs%d", g.id(o))
			g.line("alignas(64) char %s[%d];", buf, bytes)
			g.line("tg_view_init(&%s, %s, %d, %d, %s);", nm, buf, int(o.Type.DType), o.Type.Ndim(), shp)
		}
		g.declared[nm] = true
	}
	fn := g.function(n, "s", g.nfuncs, true)
	g.nfuncs++
	g.line("if (%s) return 1;", g.call(fn, n, 1))
	return nil
}

// staticShape declares a static array holding a known shape and returns
// its name (no stack used); NULL for a 0-d shape.
func (g *gen) staticShape(shape []int) string {
	if len(shape) == 0 {
		return "(const int64_t *)NULL"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprintf("INT64_C(%d)", d)
	}
	g.nshapes++
	nm := fmt.Sprintf("shp%d", g.nshapes)
	g.line("static const int64_t %s[] = {%s};", nm, strings.Join(parts, ", "))
	return nm
}

// scoped emits stmt (a format with one %s for a shape array) in a block
// that declares the array of lengths dims (C expressions): the array is
// stack memory only for that statement, so tg_run's frame does not grow
// with the number of nodes. A 0-d shape is NULL.
func (g *gen) scoped(dims []string, stmt string) {
	if len(dims) == 0 {
		g.line(stmt, "(const int64_t *)NULL")
		return
	}
	g.line("{ const int64_t shp[] = {%s}; %s }", strings.Join(dims, ", "), fmt.Sprintf(stmt, "shp"))
}

// call is the C call of node function fn on n's variables of phase.
func (g *gen) call(fn string, n *graph.Apply, phase int) string {
	var args []string
	for _, in := range n.Inputs {
		args = append(args, "&"+g.name(in, phase))
	}
	for _, o := range n.Outputs {
		args = append(args, "&"+g.name(o, phase))
	}
	args = append(args, "st", "err")
	return fn + "(" + strings.Join(args, ", ") + ")"
}

// function writes n's node function (its lowering's body, or a call of the
// evaluator fallback) and returns its name.
func (g *gen) function(n *graph.Apply, prefix string, idx int, shapePhase bool) string {
	e := g.u.newEmitter()
	e.gen = g
	e.scratch = -1
	if s, ok := g.scratch[n]; ok && !shapePhase {
		e.scratch = s
	}
	e.aliased = g.aliased[n] && !shapePhase
	l, ok := lookup(n)
	var why string
	if ok && !l.View && g.evaluate[n.Op.Name()] {
		ok, why = false, "the evaluator was asked for "+n.Op.Name()
	}
	if ok {
		if err := l.Lower(e, n); err != nil {
			ok, why = false, err.Error()
		}
	} else {
		why = "no C++ lowering for " + n.Op.Name()
	}
	fn := fmt.Sprintf("%s%d_%s", prefix, idx, cIdent(n.Op.Name()))
	if !ok {
		e = g.u.newEmitter()
		f := len(g.k.Fallback)
		g.k.Fallback = append(g.k.Fallback, n)
		g.k.FallbackErrors = append(g.k.FallbackErrors, why)
		var ins, outs []string
		for i := range n.Inputs {
			ins = append(ins, fmt.Sprintf("in%d", i))
		}
		for i := range n.Outputs {
			outs = append(outs, fmt.Sprintf("out%d", i))
		}
		if len(ins) == 0 {
			ins = []string{"NULL"}
		}
		e.Line("const tg_view *ins[] = {%s};", strings.Join(ins, ", "))
		e.Line("tg_view *outs[] = {%s};", strings.Join(outs, ", "))
		e.Line("return tg_eval_fallback(st, %d, %d, ins, %d, outs, err);", f, len(n.Inputs), len(n.Outputs))
	}
	var params []string
	for i := range n.Inputs {
		params = append(params, fmt.Sprintf("const tg_view *in%d", i))
	}
	for i := range n.Outputs {
		params = append(params, fmt.Sprintf("tg_view *out%d", i))
	}
	params = append(params, "tg_state *st", "char **err")
	var b strings.Builder
	// No user source line in the comment: the source is the cache key, and
	// one function written on two lines must be one cache entry (debugprint
	// and the profile name the line instead).
	kind := ""
	if !ok {
		kind = " [evaluator: " + cComment(why) + "]"
	}
	fmt.Fprintf(&b, "// node %s%d: %s%s\n", prefix, idx, cComment(brief(graph.OpString(n.Op))), kind)
	sig := fmt.Sprintf("int %s(%s)", fn, strings.Join(params, ", "))
	fmt.Fprintf(&b, "TG_LINKAGE %s {\n", sig)
	b.WriteString("    (void)st; (void)err;\n")
	for i := range n.Inputs {
		fmt.Fprintf(&b, "    (void)in%d;\n", i)
	}
	if body := e.String(); body != "" {
		b.WriteString(body + "\n")
	}
	b.WriteString("    return 0;\n}\n")
	g.funcs = append(g.funcs, nodeFunc{text: b.String(), sig: sig, helpers: e.used})
	return fn
}

// failure says when node n may fail at run time: as its lowering says, or
// anywhere when the evaluator runs it (no lowering, Options.Evaluate, or a
// lowering that refuses the node, which a trial lowering into a
// throwaway unit finds).
func (g *gen) failure(n *graph.Apply) Failure {
	l, ok := lookup(n)
	if !ok || l.Fails == nil || (!l.View && g.evaluate[n.Op.Name()]) {
		return failsAnywhere
	}
	e := newUnit().newEmitter()
	e.scratch = 0
	if err := l.Lower(e, n); err != nil {
		return failsAnywhere
	}
	return l.Fails(n)
}

// constant emits v's value as a static array and returns the C
// expressions of its data and shape.
func (g *gen) constant(v *graph.Variable) (data, shp string) {
	a := v.Value
	ct := cTypeOf(v.Type.DType)
	if data, ok := g.constData[v]; ok { // declared by another body of the unit
		return data, g.staticShape(a.Shape)
	}
	defer func() { g.constData[v] = data }()
	if len(a.Bytes()) > bigConstBytes {
		k := len(g.k.Consts)
		g.k.Consts = append(g.k.Consts, v)
		return fmt.Sprintf("((const %s *)st->consts[%d])", ct.Storage, k), g.staticShape(a.Shape)
	}
	nm := fmt.Sprintf("c%d", g.id(v))
	lits := make([]string, a.Size())
	for i := range lits {
		lits[i] = literal(a, i)
	}
	if len(lits) == 0 {
		lits = []string{"{}"}
		if !v.Type.DType.IsComplex() {
			lits = []string{"0"}
		}
	}
	g.consts = append(g.consts, fmt.Sprintf("alignas(64) static const %s %s[] = {%s};", ct.Storage, nm, strings.Join(lits, ", ")))
	return nm, g.staticShape(a.Shape)
}

// elementwiseChecks emits, for every elementwise node, the check that its
// inputs broadcast (the evaluator's ValueError), before anything is
// written: elementwise node functions then never fail.
func (g *gen) elementwiseChecks(nodes []*graph.Apply) {
	checked := map[[2]string]bool{} // a pair compared once: the first check is the one that fails
	for _, n := range nodes {
		opName, ndim, ok := elementwiseOf(n)
		if !ok {
			continue
		}
		for d := 0; d < ndim; d++ {
			first, firstIdx := "", -1
			for i, in := range n.Inputs {
				k := d - (ndim - in.Type.Ndim())
				if k < 0 || in.Type.Shape[k] == 1 {
					continue
				}
				ld := g.dims[in][k]
				if first == "" {
					first, firstIdx = ld, i
					continue
				}
				if ld == first || checked[[2]string{first, ld}] || checked[[2]string{ld, first}] {
					continue
				}
				checked[[2]string{first, ld}] = true
				g.line("if (%s != %s) return tg_set_error(err, \"ValueError: %s: input dimension mismatch: dimension %d has length %%lld in input %d and %%lld in input %d\", (long long)%s, (long long)%s);",
					first, ld, cFormat(opName), d, firstIdx, i, first, ld)
			}
		}
	}
}

// plan lists the phase-2 steps and decides where each variable lives:
// in a result's buffer (the first result it is), a workspace slot (other
// computed variables), or another variable's memory (views).
func (g *gen) plan(nodes []*graph.Apply) ([]step, []inPlaceUpdate) {
	var steps []step
	stepOf := map[*graph.Apply]int{}
	for _, n := range nodes {
		stepOf[n] = len(steps)
		steps = append(steps, step{node: n, copyOf: -1})
	}
	fg := g.fg
	writer := make([]int, len(fg.Results))
	for j, r := range fg.Results {
		if g.external[j] { // placed by a region call
			writer[j] = -1
			continue
		}
		if _, taken := g.resultOf[r]; !taken && r.Owner != nil && !isView(r.Owner) {
			g.resultOf[r] = j
			writer[j] = stepOf[r.Owner]
			continue
		}
		writer[j] = len(steps)
		steps = append(steps, step{copyOf: j, source: r})
	}
	if g.cont != nil { // the continuation runs last; it writes the results it places
		for _, j := range g.cont.results {
			writer[j] = len(steps)
		}
		steps = append(steps, step{copyOf: -1, region: g.cont.ins})
	}
	shared := fg.SharedIndex()
	var updates []inPlaceUpdate
	for i := range fg.UpdateTargets {
		j := fg.NumOutputs + i
		updates = append(updates, inPlaceUpdate{result: j, target: fg.Shared[shared[i]], writer: writer[j]})
	}
	return steps, updates
}

// memory gives every intermediate a workspace slot, reusing the slots of
// variables no later step reads (a view keeps its base alive); an
// elementwise node may write into the slot of an input it reads last
// (reusableInput, inplace.go).
func (g *gen) memory(steps []step, order []int) {
	// A read of v is a read of every variable along v's chain of views:
	// the root's memory, and the scratch copy a reshape on the way may
	// have made (keying liveness by the root alone freed that copy right
	// after the reshape, while later steps still read it).
	last := map[*graph.Variable]int{}
	for p, i := range order {
		for _, v := range steps[i].reads() {
			for u := v; ; u = u.Owner.Inputs[0] {
				last[u] = p
				if u.Owner == nil || !isView(u.Owner) {
					break
				}
			}
		}
	}
	var free []int
	take := func() int {
		if len(free) > 0 {
			s := free[len(free)-1]
			free = free[:len(free)-1]
			return s
		}
		g.nslots++
		return g.nslots - 1
	}
	release := map[int][]int{} // position -> slots free after it
	for p, i := range order {
		n := steps[i].node
		if n == nil || g.dynamic[n] { // a dynamic node's outputs go where its region puts them
			continue
		}
		if blasNode(n) { // the arena of its copies: free again after the node
			s := take()
			g.scratch[n] = s
			g.slotUsers[s] = append(g.slotUsers[s], g.blasArenaBytes(n))
			release[p] = append(release[p], s)
		}
		if scratchView(n) {
			s := take()
			g.scratch[n] = s
			g.slotUsers[s] = append(g.slotUsers[s], g.slotBytes(n.Outputs[0]))
			g.stored = append(g.stored, n.Outputs[0])
			release[lastUse(last, n.Outputs[0], p)] = append(release[lastUse(last, n.Outputs[0], p)], s)
		}
		if isView(n) {
			free = append(free, release[p]...)
			continue
		}
		for _, o := range n.Outputs {
			if _, ok := g.resultOf[o]; ok {
				continue
			}
			s, inPlace := g.reusableInput(n, o, p, last)
			if inPlace { // the input's slot, which it frees here, is o's from now on (inplace.go)
				release[p] = slices.DeleteFunc(release[p], func(r int) bool { return r == s })
				g.aliased[n] = true
			} else {
				s = take()
			}
			g.slotOf[o] = s
			g.slotUsers[s] = append(g.slotUsers[s], g.slotBytes(o))
			g.stored = append(g.stored, o)
			at := lastUse(last, o, p)
			release[at] = append(release[at], s)
		}
		free = append(free, release[p]...)
	}
}

// reserveSlots grows every workspace slot, before phase 2 writes anything,
// to the largest size any of its variables needs: phase 2 then reads each
// slot's buffer (st->slots[s].data) without a call or a check, and no step
// fails for memory after an update has been written in place.
func (g *gen) reserveSlots() {
	for s := 0; s < g.nslots; s++ {
		sizes := g.slotUsers[s]
		if len(sizes) == 0 {
			continue
		}
		g.line("{ size_t b = 1; const size_t sz[] = {%s}; for (size_t i = 0; i < %d; i++) b = sz[i] > b ? sz[i] : b;", strings.Join(sizes, ", "), len(sizes))
		g.line("  if (!tg_slot_get(st, %d, b)) return tg_set_error(err, \"MemoryError: no memory for the workspace (slot %d, %%llu bytes)\", (unsigned long long)b); }", s, s)
	}
}

// slotBytes is the C expression of the bytes variable v needs in a slot
// (its size nN is checked by sizesAndResults).
func (g *gen) slotBytes(v *graph.Variable) string {
	return fmt.Sprintf("(size_t)n%d * %d", g.id(v), v.Type.DType.Size())
}

// blasArenaBytes is the C expression of the arena a matrix product needs
// for its copies and temporary (tg_blas_arena): 64 + size(x) + size(y) +
// size(out) elements of the output's dtype, plus 64 bytes of rounding per
// matrix, x and y being the two operands it multiplies.
func (g *gen) blasArenaBytes(n *graph.Apply) string {
	out := n.Outputs[0]
	terms := []string{"64"}
	for _, v := range append(append([]*graph.Variable{}, blasOperands(n)...), out) {
		t := "(size_t)1"
		for _, d := range g.dims[v] {
			t += fmt.Sprintf(" * (size_t)%s", d)
		}
		terms = append(terms, "("+t+")")
	}
	return fmt.Sprintf("(%s) * %d + %d", strings.Join(terms, " + "), out.Type.DType.Size(), 64*3)
}

// brief shortens an op's or variable's printed form for a comment or an
// error message of the source: a fused group of 1,024 nodes prints in
// about 9 KB, which every message naming it would repeat.
func brief(s string) string {
	const most = 160
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// viewRef matches a reference to the view table, V[12].
var viewRef = regexp.MustCompile(`V\[(\d+)\]`)

// stackViews is the most tg_views a kernel keeps on its stack (about 34
// KB); a kernel with more keeps them in a workspace slot.
const stackViews = 64

// viewTable puts, at the top of tg_run, the table V of every tg_view the
// kernel uses: a local array for a small kernel (no call, as fast as the
// named locals it replaced), else the last workspace slot, allocated on
// the first call and kept by the state, so that tg_run's frame does not
// grow with the graph.
func (g *gen) viewTable() {
	g.numSlots = g.nslots
	n := max(len(g.views), 1)
	head := []string{g.body[0]}
	if n <= stackViews {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("v%d", i)
		}
		head = append(head, "    tg_view "+strings.Join(names, ", ")+";")
		for i, l := range g.body {
			g.body[i] = viewRef.ReplaceAllString(l, "v$1")
		}
	} else {
		slot := g.nslots
		g.numSlots = g.nslots + 1
		head = append(head,
			fmt.Sprintf("    tg_view *V = (tg_view *)tg_slot_get(st, %d, %d * sizeof(tg_view));", slot, n),
			"    if (!V) return tg_set_error(err, \"MemoryError: no memory for the kernel's views\");")
	}
	g.body = append(head, g.body[1:]...)
}

// lastUse is the position of the last step reading v's memory, p when none.
func lastUse(last map[*graph.Variable]int, v *graph.Variable, p int) int {
	if at, ok := last[v]; ok && at > p {
		return at
	}
	return p
}

// sizesAndResults checks every stored variable's size, then allocates the
// results through args->alloc.
func (g *gen) sizesAndResults(nodes []*graph.Apply) {
	check := func(v *graph.Variable, what string) string {
		nm := fmt.Sprintf("n%d", g.id(v))
		if g.declared[nm] {
			return nm
		}
		g.declared[nm] = true
		ds := g.dims[v]
		g.line("int64_t %s;", nm)
		g.scoped(ds, fmt.Sprintf("if (!tg_size_ok(%d, %%s, %d, &%s)) return tg_set_error(err, \"ValueError: %s: the shape has a negative length or a size that overflows int64\");",
			len(ds), v.Type.DType.Size(), nm, cFormat(what)))
		return nm
	}
	for _, v := range g.stored {
		check(v, brief(v.String()))
	}
	for j, r := range g.fg.Results {
		if g.external[j] {
			continue
		}
		nm := check(r, fmt.Sprintf("result %d (%s)", j, brief(r.String())))
		ds := g.dims[r]
		shp := "NULL"
		if len(ds) > 0 {
			g.line("const int64_t sh%d[] = {%s};", j, strings.Join(ds, ", "))
			shp = fmt.Sprintf("sh%d", j)
		}
		g.line("char *r%d = (char *)args->alloc(args->alloc_ctx, %d, %d, %s);", j, j, len(ds), shp)
		g.line("if (!r%d && %s > 0) return tg_set_error(err, \"MemoryError: cannot allocate result %d (%s)\");", j, nm, j, cFormat(brief(r.String())))
	}
	// tg_kernel.h's work report, in bytes: each node's loop space (the
	// right-aligned broadcast of its operands' lengths, so a fused
	// reduction counts its whole input) and each result.
	var work []string
	for _, n := range nodes {
		var space []string        // from the last axis
		seen := map[string]bool{} // "axis length"
		for _, v := range append(append([]*graph.Variable{}, n.Inputs...), n.Outputs...) {
			for a, ds := 0, g.dims[v]; a < len(ds); a++ {
				d := "(double)" + ds[len(ds)-1-a]
				if key := fmt.Sprint(a, " ", d); !seen[key] {
					seen[key] = true
					if a == len(space) {
						space = append(space, d)
					} else {
						space[a] = fmt.Sprintf("std::fmax(%s, %s)", space[a], d)
					}
				}
			}
		}
		work = append(work, strings.Join(append([]string{fmt.Sprintf("%d.0", n.Outputs[0].Type.DType.Size())}, space...), " * "))
	}
	for j, r := range g.fg.Results {
		if !g.external[j] {
			work = append(work, fmt.Sprintf("(double)n%d * %d", g.id(r), r.Type.DType.Size()))
		}
	}
	g.line("if (args->work) args->work(args->alloc_ctx, %s);", strings.Join(append([]string{"0.0"}, work...), " + "))
}

// phase2 emits the steps in order.
func (g *gen) phase2(steps []step, order []int, opt Options) error {
	for _, i := range order {
		s := steps[i]
		if s.region != nil {
			if err := g.callContinuation(); err != nil {
				return err
			}
			continue
		}
		if s.node != nil && g.dynamic[s.node] {
			if err := g.lowerDynamic(s.node); err != nil {
				return err
			}
			continue
		}
		if s.node == nil {
			r := g.fg.Results[s.copyOf]
			g.ensureView(s.source, 2)
			shp := "NULL"
			if r.Type.Ndim() > 0 {
				shp = fmt.Sprintf("sh%d", s.copyOf)
			}
			g.line("{ tg_view dst; tg_view_init(&dst, r%d, %d, %d, %s); tg_copy(&dst, &%s); }", s.copyOf, int(r.Type.DType), r.Type.Ndim(), shp, g.name(s.source, 2))
			continue
		}
		n := s.node
		for _, in := range n.Inputs {
			g.ensureView(in, 2)
		}
		for _, o := range n.Outputs {
			nm := g.name(o, 2)
			g.declared[nm] = true
			ds := g.dims[o]
			g.scoped(ds, fmt.Sprintf("tg_view_init(&%s, NULL, %d, %d, %%s);", nm, int(o.Type.DType), len(ds)))
			if j, ok := g.resultOf[o]; ok {
				g.line("%s.data = r%d;", nm, j)
			} else if slot, ok := g.slotOf[o]; ok {
				g.line("%s.data = (char *)st->slots[%d].data; /* reserved by reserveSlots */", nm, slot)
			}
		}
		fn := g.function(n, "k", g.nsteps, false)
		g.nsteps++
		idx := len(g.k.Nodes)
		if g.top {
			g.k.Nodes = append(g.k.Nodes, n)
		}
		if opt.Profile && g.top {
			g.line("{ int64_t t0 = st->profile ? tg_now_ns() : 0;")
			g.line("  if (%s) return 1;", g.call(fn, n, 2))
			g.line("  if (st->profile) { st->prof_ns[%d] += tg_now_ns() - t0; st->prof_calls[%d]++; } }", idx, idx)
		} else {
			g.line("if (%s) return 1;", g.call(fn, n, 2))
		}
	}
	return nil
}

// glueOptimize precedes the node functions and the kernel: glue code
// (views, shapes, checks, calls of the loops and of the runtime), which
// g++ compiles in a third of the time at -O1 with no loss that counts;
// the loops, above it, keep the command line's -O2 and its vectorizer.
// Only GCC reads the pragma (-O1 keeps the command line's other flags:
// -fwrapv, -fno-math-errno, -ffp-contract=off).
const glueOptimize = "\n#if defined(__GNUC__) && !defined(__clang__)\n#pragma GCC optimize(\"O1\")\n#endif\n"

// render assembles the translation unit, and its parts when it is large
// enough to compile faster split (split.go).
func (g *gen) render() {
	all := make([]int, len(g.funcs))
	for i := range all {
		all[i] = i
	}
	src := g.renderPart(all, nil, true)
	sum := sha256.Sum256([]byte(src))
	g.k.Symbol = "tg_fn_" + hex.EncodeToString(sum[:8])
	g.k.Source = strings.ReplaceAll(src, "TG_SYMBOL", g.k.Symbol)
	g.k.Parts = []string{g.k.Source}
	if main, other := g.split(); len(other) > 0 {
		g.k.Parts = []string{
			strings.ReplaceAll(g.renderPart(main, other, true), "TG_SYMBOL", g.k.Symbol),
			g.renderPart(other, nil, false),
		}
	}
}

// renderPart writes a translation unit holding node functions funcs (and
// the helpers they use); the main part also holds the constants, the
// declarations of the functions extern defines in the other part, and the
// kernel.
func (g *gen) renderPart(funcs, extern []int, main bool) string {
	var b strings.Builder
	b.WriteString("// generated by theanogo codegen/cxx: one compiled function\n")
	b.WriteString("#include \"tg_rt.h\"\n#include \"tg_scalar.h\"\n#include \"tg_loops.h\"\n")
	for _, h := range g.u.includes {
		fmt.Fprintf(&b, "#include \"%s\"\n", cFormat(h))
	}
	b.WriteString("\n")
	if main {
		for _, c := range g.consts {
			b.WriteString(c + "\n")
		}
	}
	used := map[string]bool{}
	for _, f := range funcs {
		for _, h := range g.funcs[f].helpers {
			used[h] = true
		}
	}
	for _, h := range g.u.order {
		if used[h] {
			b.WriteString("\n" + g.u.helperNames[h] + "\n")
		}
	}
	b.WriteString(glueOptimize)
	linkage := "static"
	if !main {
		linkage = hidden
	}
	for _, f := range funcs {
		b.WriteString("\n" + strings.Replace(g.funcs[f].text, "TG_LINKAGE", linkage, 1))
	}
	if !main {
		return b.String()
	}
	if len(extern) > 0 {
		b.WriteString("\n// defined in the other part\n")
		for _, f := range extern {
			fmt.Fprintf(&b, "%s %s;\n", hidden, g.funcs[f].sig)
		}
	}
	for _, r := range g.regions {
		b.WriteString("\n" + r)
	}
	b.WriteString("\nstatic int tg_run(tg_args *args, tg_state *st) {\n")
	b.WriteString(strings.Join(g.body, "\n"))
	b.WriteString("\n}\n\n")
	b.WriteString("extern \"C\" int TG_SYMBOL(tg_args *args) {\n")
	b.WriteString("    tg_state *shared = (tg_state *)(intptr_t)args->function;\n")
	b.WriteString("    tg_state *st = tg_state_acquire(shared);\n")
	b.WriteString("    if (!st) return tg_set_error(&args->error, \"MemoryError: no memory for a private workspace\");\n")
	b.WriteString("    int rc = tg_run(args, st);\n")
	b.WriteString("    tg_state_release(shared, st);\n")
	b.WriteString("    return rc;\n}\n")
	return b.String()
}
