package ops

import (
	"slices"
	"sync"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// FusedOp is one elementwise node computing a whole expression of scalar
// rows, casts and constants over its inputs (Theano's Composite): the
// fusion pass replaces a chain of Elemwise nodes with one, so that the
// evaluator reads the inputs and writes the output once, with no
// intermediate arrays.
//
//	composite{(tanh(((i0 * i1) + 2)) * i0) - (i1 / 3)}(x, y)
//
// Expr is the expression, a typed DAG of core/kir: its inputs carry the
// dtypes of the node's inputs and every node's dtype follows by the rule
// of the Elemwise or CastOp node it replaces, so each value is computed
// and rounded as that node would. A value read twice (t0 in
// exp(t0) * sin(t0)) is one node, and every stage that walks the
// expression (the printer, the evaluator, the C++ element function) visits
// it once: the cost is the number of nodes, never the size of the tree
// it unfolds to (2^k for k levels each reading a value twice).
// Ndim is the output's rank; an input of lower rank is padded on the left
// with broadcastable dimensions (as ApplyScalar pads with a dimshuffle).
// The expression is interned (equal expressions are one pointer), so the
// op is comparable.
type FusedOp struct {
	Expr *kir.Expr
	Ndim int
}

func (op FusedOp) Name() string { return "composite" }

// ParamString is the scalar expression (kir.Expr.String): "(i0 * i1) + 2",
// or, for a value read more than once, "t0 = i0 + i1; exp(t0) * sin(t0)".
func (op FusedOp) ParamString() string {
	if op.Expr == nil {
		return "no expression"
	}
	return op.Expr.String()
}

// fusedArg is an argument of an instruction: input, temp or constant index.
type fusedArg struct {
	kind  byte // 'i' input, 't' earlier instruction, 'k' constant, 'x' the flat index
	index int
}

type fusedInstr struct {
	row  *ScalarOp   // nil for a cast
	cast dtype.DType // the target of a cast
	args []fusedArg
}

// fusedConst is a constant in its dtype's storage domain (see storageOf).
type fusedConst struct {
	dt dtype.DType
	v  value
}

// value is one element in a storage or compute domain.
type value struct {
	f float64
	i int64
	c complex128
}

// fusedProgram is an expression as the evaluator runs it: its computed
// nodes in schedule order (instructions, numbered as the printed text's
// temporaries), the constants they read and the inputs' dtypes.
type fusedProgram struct {
	instrs    []fusedInstr
	dt        []dtype.DType // each instruction's
	consts    []fusedConst
	inDT      []dtype.DType // each input's (0 for an input the expression does not read)
	readsFlat bool          // an instruction reads the flat index
}

// programOf lists e's nodes in schedule order, each once.
func programOf(e *kir.Expr) (*fusedProgram, error) {
	if e == nil {
		return nil, graph.ValueErrorf("composite: no expression")
	}
	if e.Op() != kir.OpApply && e.Op() != kir.OpCast {
		return nil, graph.ValueErrorf("composite{%s}: the expression computes nothing", e)
	}
	p := &fusedProgram{inDT: make([]dtype.DType, e.NumInputs())}
	ref := map[*kir.Expr]fusedArg{}
	for _, n := range e.Schedule() {
		switch n.Op() {
		case kir.OpInput:
			if d := p.inDT[n.InputIndex()]; d != 0 && d != n.DType() {
				return nil, graph.TypeErrorf("composite{%s}: input %d read as %v and as %v", e, n.InputIndex(), d, n.DType())
			}
			p.inDT[n.InputIndex()] = n.DType()
			ref[n] = fusedArg{'i', n.InputIndex()}
		case kir.OpConst:
			c := n.Const()
			p.consts = append(p.consts, fusedConst{dt: c.DType(), v: value{f: c.Float64(), i: c.Int64(), c: c.Complex128()}})
			ref[n] = fusedArg{'k', len(p.consts) - 1}
		case kir.OpIndex:
			p.readsFlat = true
			ref[n] = fusedArg{'x', 0}
		default:
			in := fusedInstr{cast: n.DType()}
			if n.Op() == kir.OpApply {
				row, ok := n.Row().(*ScalarOp)
				if !ok {
					return nil, graph.TypeErrorf("composite: row %s is not a scalar op", n.Row().RowName())
				}
				in = fusedInstr{row: row}
			}
			for _, a := range n.Args() {
				in.args = append(in.args, ref[a])
			}
			p.instrs = append(p.instrs, in)
			p.dt = append(p.dt, n.DType())
			ref[n] = fusedArg{'t', len(p.instrs) - 1}
		}
	}
	return p, nil
}

// OutputTypes checks that the inputs have the dtypes the expression was
// built for (its nodes' dtypes follow from them, as the Elemwise nodes'
// would) and broadcasts the inputs' static shapes.
func (op FusedOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	plan, err := op.plan(in)
	if err != nil {
		return nil, err
	}
	shape, err := broadcastStatic(padTypes(in, op.Ndim))
	if err != nil {
		return nil, graph.ValueErrorf("composite: %v for inputs %s", err, TypesString(in))
	}
	return []graph.Type{graph.NewType(plan.out, shape...)}, nil
}

// padTypes left-pads types to rank ndim with broadcastable dimensions; a
// type of rank ndim (all 1s) stands for the output's rank when there are
// no inputs.
func padTypes(in []graph.Type, ndim int) []graph.Type {
	out := []graph.Type{graph.NewType(dtype.Bool, padShape(nil, ndim)...)}
	for _, t := range in {
		out = append(out, graph.NewType(t.DType, padShape(t.Shape, ndim)...))
	}
	return out
}

func padShape(shape []int, ndim int) []int {
	out := make([]int, ndim)
	k := ndim - len(shape)
	for d := range out {
		out[d] = 1
		if d >= k {
			out[d] = shape[d-k]
		}
	}
	return out
}

// OutputShapes broadcasts the inputs' lengths, as Elemwise's rule does.
func (op FusedOp) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	types := append([]graph.Type{graph.NewType(dtype.Bool, padShape(nil, op.Ndim)...)}, graph.TypesOf(node.Inputs)...)
	dims := append([][]*graph.Variable{nil}, in...) // the all-1 type gives the rank and no length
	return [][]*graph.Variable{broadcastLengths(l, types, dims)}, l.Err()
}

// Pullback: fusion runs after the gradient is taken, so a fused node has none.
func (op FusedOp) Pullback(*graph.Builder, *graph.Apply, []*graph.Variable) ([]*graph.Variable, error) {
	return nil, graph.TypeErrorf("composite has no gradient: fusion runs after grad; take the gradient of the unfused graph")
}

// domain is where a value lives while the evaluator computes: float64,
// int64 (integers wrapped to their width, bools as 0/1, uint64 as its bits),
// complex128, or bool (only the Bool rule of a row).
type domain uint8

const (
	domF domain = iota
	domI
	domC
	domB
)

// storageOf is the domain holding values of dtype dt between instructions.
func storageOf(dt dtype.DType) domain {
	switch {
	case dt.IsFloat():
		return domF
	case dt.IsComplex():
		return domC
	}
	return domI
}

// fusedPlan is a program with the domain each instruction computes in
// and the register holding its values.
type fusedPlan struct {
	prog   *fusedProgram
	inDT   []dtype.DType
	dt     []dtype.DType // output dtype of each instruction
	domain []domain      // compute domain of each instruction
	out    dtype.DType
	// reg is the register holding each instruction's block (the last
	// instruction's, the output, is written where the caller says), and
	// regDomain each register's storage domain: see allocateRegisters.
	reg       []int
	regDomain []domain
}

var fusedPlans sync.Map // *kir.Expr -> *fusedPlan

// plan types op's program for inputs of types in: the inputs must be
// those the expression was built for (its input nodes' dtypes). The plan
// of an expression is made once (cached by its interned pointer).
func (op FusedOp) plan(in []graph.Type) (*fusedPlan, error) {
	for _, t := range in {
		if t.Ndim() > op.Ndim {
			return nil, graph.TypeErrorf("composite: input of rank %d in a rank-%d composite", t.Ndim(), op.Ndim)
		}
	}
	p, err := op.cachedPlan()
	if err != nil {
		return nil, err
	}
	if len(p.inDT) != len(in) {
		return nil, graph.TypeErrorf("composite{%s} takes %d inputs, got %d", op.ParamString(), len(p.inDT), len(in))
	}
	for i, t := range in {
		if d := p.prog.inDT[i]; d != 0 && d != t.DType {
			return nil, graph.TypeErrorf("composite{%s}: input %d is %v, the expression reads a %v", op.ParamString(), i, t.DType, d)
		}
	}
	return p, nil
}

func (op FusedOp) cachedPlan() (*fusedPlan, error) {
	if p, ok := fusedPlans.Load(op.Expr); ok {
		return p.(*fusedPlan), nil
	}
	prog, err := programOf(op.Expr)
	if err != nil {
		return nil, err
	}
	p := &fusedPlan{prog: prog, inDT: prog.inDT, dt: prog.dt, domain: make([]domain, len(prog.instrs))}
	for t, instr := range prog.instrs {
		dts := make([]dtype.DType, len(instr.args))
		for i, a := range instr.args {
			dts[i] = p.argDType(a)
		}
		if instr.row == nil {
			p.domain[t] = castDomain(dts[0], instr.cast)
			continue
		}
		s := instr.row
		switch compute := s.ComputeDType(dts); {
		case compute.IsComplex():
			p.domain[t] = domC
		case compute == dtype.Bool:
			p.domain[t] = domB
		case compute == dtype.Int64:
			p.domain[t] = domI
		case s.F64 == nil:
			return nil, graph.TypeErrorf("%s: no evaluation for dtype %v", s.Name, compute)
		default:
			p.domain[t] = domF
		}
	}
	p.out = p.dt[len(p.dt)-1]
	p.allocateRegisters()
	fusedPlans.Store(op.Expr, p)
	return p, nil
}

// allocateRegisters gives each instruction a register, a block that holds
// its values from the instruction that computes them to the last one that
// reads them, and then serves a later instruction: the evaluator's memory
// is the number of values live at once (a few for a chain, however long)
// times fusedChunk, not the program's length times fusedChunk (16,000
// instructions held 0.5 GB). An instruction's register is taken before
// the registers of the arguments it reads last are freed, so an
// instruction never writes the block it reads. Registers hold values in
// their storage domain; each domain has its own free list.
func (p *fusedPlan) allocateRegisters() {
	instrs := p.prog.instrs
	lastUse := make([]int, len(instrs))
	for t := range lastUse {
		lastUse[t] = t // a value nothing reads is free once computed
	}
	for t, in := range instrs {
		for _, a := range in.args {
			if a.kind == 't' {
				lastUse[a.index] = t
			}
		}
	}
	p.reg = make([]int, len(instrs))
	var free [domB + 1][]int
	last := len(instrs) - 1
	for t, in := range instrs {
		if t == last {
			p.reg[t] = -1 // the caller's block
		} else if d := storageOf(p.dt[t]); len(free[d]) > 0 {
			p.reg[t] = free[d][len(free[d])-1]
			free[d] = free[d][:len(free[d])-1]
		} else {
			p.reg[t] = len(p.regDomain)
			p.regDomain = append(p.regDomain, d)
		}
		for i, a := range in.args {
			if a.kind != 't' || lastUse[a.index] != t || slices.Contains(in.args[:i], a) {
				continue // still read later, or freed for an earlier argument
			}
			d := storageOf(p.dt[a.index])
			free[d] = append(free[d], p.reg[a.index])
		}
		if lastUse[t] == t && t != last {
			free[storageOf(p.dt[t])] = append(free[storageOf(p.dt[t])], p.reg[t])
		}
	}
}

func (p *fusedPlan) argDType(a fusedArg) dtype.DType {
	switch a.kind {
	case 'i':
		return p.inDT[a.index]
	case 'k':
		return p.prog.consts[a.index].dt
	case 'x':
		return dtype.Int64
	}
	return p.dt[a.index]
}

// castDomain is where CastOp (tensor.Array.Astype) converts from to to.
func castDomain(from, to dtype.DType) domain {
	switch {
	case from == to || to == dtype.Bool:
		return storageOf(from)
	case to.IsComplex():
		return domC
	case from.IsDiscrete() && !to.IsFloat(), from == dtype.Int64:
		return domI
	}
	return domF
}

// fusedChunk is how many elements each instruction computes at a time:
// the evaluator runs the program over blocks of the output small enough
// for every instruction's block to stay in cache, which amortizes the
// per-row call over the block without any array of the output's size.
const fusedChunk = 1024

// block is a block of values in one domain: data[k*step] is element k
// (step 0: one value for the whole block).
type block struct {
	f    []float64
	i    []int64
	c    []complex128
	step int
}

// Evaluate runs the program over the broadcast inputs, block by block.
func (op FusedOp) Evaluate(node *graph.Apply, inputs []*tensor.Array) ([]*tensor.Array, error) {
	r, err := op.start(node, inputs)
	if err != nil {
		return nil, err
	}
	var out block
	switch storageOf(r.plan.out) {
	case domF:
		out.f = tensor.Make[float64](r.n)
	case domI:
		out.i = tensor.Make[int64](r.n)
	default:
		out.c = tensor.Make[complex128](r.n)
	}
	for k0 := 0; k0 < r.n; k0 += fusedChunk {
		m := min(fusedChunk, r.n-k0)
		if err := r.compute(k0, m, out.slice(k0, k0+m)); err != nil {
			return nil, err
		}
	}
	switch storageOf(r.plan.out) {
	case domF:
		return []*tensor.Array{tensor.OwnFloat64s(r.plan.out, r.shape, out.f)}, nil
	case domI:
		return []*tensor.Array{tensor.FromInt64s(r.plan.out, r.shape, out.i)}, nil
	}
	return []*tensor.Array{tensor.FromComplex128s(r.plan.out, r.shape, out.c)}, nil
}

// fusedRun is a program ready to run over its broadcast inputs: the
// inputs' readers and the block-sized registers of its plan.
type fusedRun struct {
	plan  *fusedPlan
	shape []int // the output's
	n     int   // its size
	ins   []fusedInput
	// the block of each input and constant, and the plan's registers
	inRegs, regs, consts []block
	flat                 block // the flat index of each element of the block
	// per compute domain, the block an instruction computes into before
	// storing to its dtype, and blocks for its operands converted into
	// that domain: both are used only while one instruction runs
	computeRegs [domB + 1]block
	scratch     [domB + 1][3]block
}

// start broadcasts the inputs and allocates the registers.
func (op FusedOp) start(node *graph.Apply, inputs []*tensor.Array) (*fusedRun, error) {
	plan, err := op.plan(graph.TypesOf(node.Inputs))
	if err != nil {
		return nil, err
	}
	padded := make([]*graph.Variable, len(node.Inputs))
	shapes := make([][]int, len(inputs))
	for i, a := range inputs {
		shapes[i] = padShape(a.Shape, op.Ndim)
		padded[i] = &graph.Variable{Type: graph.NewType(a.DType, padShape(node.Inputs[i].Type.Shape, op.Ndim)...)}
	}
	shape := padShape(nil, op.Ndim)
	if len(inputs) > 0 {
		if shape, err = broadcastRuntime("composite", padded, shapes); err != nil {
			return nil, err
		}
	}
	prog := plan.prog
	r := &fusedRun{plan: plan, shape: shape, n: tensor.Size(shape), ins: make([]fusedInput, len(inputs)),
		inRegs: make([]block, len(inputs)), regs: make([]block, len(plan.regDomain)),
		consts: make([]block, len(prog.consts))}
	for i, a := range inputs {
		r.ins[i] = newFusedInput(a, shape, shapes[i])
	}
	for k, d := range plan.regDomain {
		r.regs[k] = newBlock(d, fusedChunk)
	}
	for t, instr := range prog.instrs {
		d := plan.domain[t]
		if r.computeRegs[d].step == 0 {
			r.computeRegs[d] = newBlock(d, fusedChunk)
		}
		for a := range instr.args {
			if r.scratch[d][a].step == 0 {
				r.scratch[d][a] = newBlock(d, fusedChunk)
			}
		}
	}
	for k, c := range prog.consts {
		switch storageOf(c.dt) {
		case domF:
			r.consts[k] = block{f: []float64{c.v.f}}
		case domC:
			r.consts[k] = block{c: []complex128{c.v.c}}
		default:
			r.consts[k] = block{i: []int64{c.v.i}}
		}
	}
	if prog.readsFlat {
		r.flat = newBlock(domI, fusedChunk)
	}
	return r, nil
}

// compute runs the program over output elements k0 .. k0+m (m at most
// fusedChunk), writing the output's values into dst, in the storage domain
// of the output's dtype.
func (r *fusedRun) compute(k0, m int, dst block) error {
	plan, prog := r.plan, r.plan.prog
	last := len(prog.instrs) - 1
	for i := range r.ins {
		r.inRegs[i] = r.ins[i].load(k0, m)
	}
	if prog.readsFlat {
		for j := range m {
			r.flat.i[j] = int64(k0 + j)
		}
	}
	var args [3]block
	for t, instr := range prog.instrs {
		dom := plan.domain[t]
		for a, arg := range instr.args {
			var src block
			var dt dtype.DType
			switch arg.kind {
			case 'i':
				src, dt = r.inRegs[arg.index], plan.inDT[arg.index]
			case 'x':
				src, dt = r.flat, dtype.Int64
			case 'k':
				src, dt = r.consts[arg.index], prog.consts[arg.index].dt
			default:
				src, dt = r.regs[plan.reg[arg.index]], plan.dt[arg.index]
			}
			truth := a == 0 && instr.row != nil && instr.row.Out == outSwitch && dt != dtype.Bool
			args[a] = convertBlock(r.scratch[dom][a], src, dt, dom, m, truth)
		}
		to := dst
		if t != last {
			to = r.regs[plan.reg[t]]
		}
		res := r.computeRegs[dom]
		if dom == storageOf(plan.dt[t]) {
			res = to
		}
		if err := computeBlock(instr, dom, res, args[:len(instr.args)], m); err != nil {
			return err
		}
		if dom != storageOf(plan.dt[t]) || !storedExactly[plan.dt[t]] {
			storeBlock(to, res, dom, plan.dt[t], m)
		}
	}
	return nil
}

func newBlock(d domain, n int) block {
	switch d {
	case domF:
		return block{f: make([]float64, n), step: 1}
	case domC:
		return block{c: make([]complex128, n), step: 1}
	}
	return block{i: make([]int64, n), step: 1} // domI, and domB as 0/1
}

func (s block) slice(lo, hi int) block {
	switch {
	case s.f != nil:
		return block{f: s.f[lo:hi], step: 1}
	case s.c != nil:
		return block{c: s.c[lo:hi], step: 1}
	}
	return block{i: s.i[lo:hi], step: 1}
}

// fusedInput reads one input, in its storage domain, block by block.
type fusedInput struct {
	f32   []float32 // read without converting the whole array
	all   block     // the whole input in its storage domain
	index []int     // a broadcast other than to one value: out position -> input position
	buf   block
}

func newFusedInput(a *tensor.Array, out, shape []int) fusedInput {
	var in fusedInput
	step := 1
	switch {
	case tensor.Size(shape) == 1:
		step = 0
	case !slices.Equal(shape, out):
		in.index = BroadcastIndex(out, shape)
	}
	dom := storageOf(a.DType)
	switch d := a.Data.(type) {
	case []float32:
		in.f32 = d
		in.all.f = []float64{} // marks the float domain
	case []float64:
		in.all.f = d
	case []int64:
		in.all.i = d
	default:
		switch dom {
		case domF:
			in.all.f = a.Float64s()
		case domC:
			in.all.c = a.Complex128s()
		default:
			in.all.i = a.Int64s()
		}
	}
	in.all.step = step
	if step == 1 && (in.index != nil || in.f32 != nil) {
		in.buf = newBlock(dom, fusedChunk)
	}
	return in
}

// load returns elements k0 .. k0+m of the input as the output reads them.
func (in *fusedInput) load(k0, m int) block {
	a := in.all
	if a.step == 0 {
		if in.f32 != nil {
			return block{f: []float64{float64(in.f32[0])}}
		}
		return a
	}
	if in.index == nil && in.f32 == nil {
		return a.slice(k0, k0+m)
	}
	b := in.buf
	if in.index == nil { // a float32 input of the output's shape
		for j, x := range in.f32[k0 : k0+m] {
			b.f[j] = float64(x)
		}
		return b
	}
	index := in.index[k0 : k0+m]
	switch {
	case in.f32 != nil:
		for j, i := range index {
			b.f[j] = float64(in.f32[i])
		}
	case a.f != nil:
		for j, i := range index {
			b.f[j] = a.f[i]
		}
	case a.c != nil:
		for j, i := range index {
			b.c[j] = a.c[i]
		}
	default:
		for j, i := range index {
			b.i[j] = a.i[i]
		}
	}
	return b
}

// convertBlock brings m values of dtype dt (in its storage domain) into
// domain to, as the evaluator loads an array of that dtype: into dst when
// they need converting. truth first makes each 1 or 0 (nonzero or not), as
// switch reads its condition.
func convertBlock(dst, src block, dt dtype.DType, to domain, m int, truth bool) block {
	from := storageOf(dt)
	if !truth && (from == to || to == domB) { // (domB: bools, held as 0/1)
		return src
	}
	if src.step == 0 {
		m = 1
	}
	dst.step = src.step
	for k := range m {
		var v value
		switch from {
		case domF:
			v.f = src.f[k*src.step]
		case domC:
			v.c = src.c[k*src.step]
		default:
			v.i = src.i[k*src.step]
		}
		if truth {
			nz := v.f != 0 || v.i != 0 || v.c != 0 // NaN is true, as numpy's bool(nan)
			switch to {
			case domF:
				dst.f[k] = b2f(nz)
			case domC:
				dst.c[k] = complex(b2f(nz), 0)
			default:
				dst.i[k] = b2i(nz)
			}
			continue
		}
		switch to {
		case domF:
			dst.f[k] = loadFloat(v, from, dt)
		case domC:
			dst.c[k] = complex(loadFloat(v, from, dt), 0)
		default:
			dst.i[k] = loadInt(v, from)
		}
	}
	return dst
}

// loadFloat is tensor.Array.Float64s of one value.
func loadFloat(v value, from domain, dt dtype.DType) float64 {
	switch from {
	case domF:
		return v.f
	case domC:
		return real(v.c)
	}
	if dt == dtype.Uint64 {
		return float64(uint64(v.i))
	}
	return float64(v.i)
}

// loadInt is tensor.Array.Int64s of one value (floats truncate).
func loadInt(v value, from domain) int64 {
	switch from {
	case domF:
		return floatToInt(v.f)
	case domC:
		return floatToInt(real(v.c))
	}
	return v.i
}

func floatToInt(v float64) int64 {
	if v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308 {
		return -1 << 63
	}
	return int64(v)
}

// computeBlock applies one instruction to m elements in domain dom.
func computeBlock(instr fusedInstr, dom domain, out block, args []block, m int) error {
	s := instr.row
	if s == nil { // a cast: the value passes, storeBlock converts it
		a := args[0]
		for k := range m {
			switch dom {
			case domF:
				out.f[k] = a.f[k*a.step]
			case domC:
				out.c[k] = a.c[k*a.step]
			default:
				out.i[k] = a.i[k*a.step]
			}
		}
		return nil
	}
	var x, y, z block
	x = args[0]
	if len(args) > 1 {
		y = args[1]
	}
	if len(args) > 2 {
		z = args[2]
	}
	switch dom {
	case domF:
		if loop := float64Loops[s.Name]; loop != nil {
			loop(out.f[:m], x.f, y.f, x.step, y.step)
			return nil
		}
		f := s.F64
		switch len(args) {
		case 1:
			for k := range m {
				out.f[k] = f(x.f[k*x.step], 0, 0)
			}
		case 2:
			for k := range m {
				out.f[k] = f(x.f[k*x.step], y.f[k*y.step], 0)
			}
		default:
			for k := range m {
				out.f[k] = f(x.f[k*x.step], y.f[k*y.step], z.f[k*z.step])
			}
		}
	case domC:
		for k := range m {
			out.c[k] = s.C128(at(x.c, x.step, k), at(y.c, y.step, k), at(z.c, z.step, k))
		}
	case domB:
		for k := range m {
			out.i[k] = b2i(s.Bool(at(x.i, x.step, k) != 0, at(y.i, y.step, k) != 0, at(z.i, z.step, k) != 0))
		}
	default:
		for k := range m {
			xi, yi, zi := at(x.i, x.step, k), at(y.i, y.step, k), at(z.i, z.step, k)
			if s.CheckI64 != nil {
				if err := s.CheckI64(xi, yi, zi); err != nil {
					return err
				}
			}
			out.i[k] = s.I64(xi, yi, zi)
		}
	}
	return nil
}

// at is element k of a block's data, or zero for an absent operand.
func at[T any](data []T, step, k int) T {
	var zero T
	if data == nil {
		return zero
	}
	return data[k*step]
}

// storeBlock converts m results computed in domain dom into dtype dt, as
// the evaluator builds the output array of that dtype (rounding floats to
// their width, wrapping integers), into dst (in dt's storage domain).
func storeBlock(dst, res block, dom domain, dt dtype.DType, m int) {
	switch storageOf(dt) {
	case domF:
		for k := range m {
			var x float64
			switch dom {
			case domF:
				x = res.f[k]
			case domC:
				x = real(res.c[k])
			default:
				x = float64(res.i[k])
			}
			dst.f[k] = storeFloat(dt, x)
		}
	case domC:
		for k := range m {
			var x complex128
			switch dom {
			case domF:
				x = complex(res.f[k], 0)
			case domC:
				x = res.c[k]
			default:
				x = complex(float64(res.i[k]), 0)
			}
			dst.c[k] = storeComplex(dt, x)
		}
	default:
		for k := range m {
			var x int64
			switch dom {
			case domF:
				f := res.f[k]
				if dt == dtype.Bool {
					x = b2i(f != 0)
				} else if f >= 9.223372036854775807e18 && f < 1.8446744073709552e19 {
					x = int64(uint64(f)) // keeps uint64 values above MaxInt64
				} else {
					x = floatToInt(f)
				}
			case domC:
				c := res.c[k]
				if dt == dtype.Bool {
					x = b2i(c != 0)
				} else if f := real(c); f >= 9.223372036854775807e18 && f < 1.8446744073709552e19 {
					x = int64(uint64(f))
				} else {
					x = floatToInt(f)
				}
			default:
				x = res.i[k]
			}
			dst.i[k] = storeInt(dt, x)
		}
	}
}

// storedExactly are the dtypes whose values their compute domain holds as they are.
var storedExactly = map[dtype.DType]bool{dtype.Float64: true, dtype.Int64: true, dtype.Complex128: true}

// storeFloat rounds x to the float dtype dt.
func storeFloat(dt dtype.DType, x float64) float64 {
	switch dt {
	case dtype.Float32:
		return float64(float32(x))
	case dtype.Float16:
		return tensor.HalfToFloat64(tensor.Float64ToHalf(x))
	}
	return x
}

func storeComplex(dt dtype.DType, x complex128) complex128 {
	if dt == dtype.Complex64 {
		return complex128(complex64(x))
	}
	return x
}

// storeInt wraps x to the integer dtype dt (bool: 0 or 1).
func storeInt(dt dtype.DType, x int64) int64 {
	switch dt {
	case dtype.Bool:
		return b2i(x != 0)
	case dtype.Int8:
		return int64(int8(x))
	case dtype.Int16:
		return int64(int16(x))
	case dtype.Int32:
		return int64(int32(x))
	case dtype.Uint8:
		return int64(uint8(x))
	case dtype.Uint16:
		return int64(uint16(x))
	case dtype.Uint32:
		return int64(uint32(x))
	}
	return x
}
