package kir

import (
	"fmt"
	"strconv"
	"strings"
)

// Call is a call into the runtime library: the C function Func, declared
// in the runtime header Header, with the arguments Args (operands as
// views, integer literals, scalars read from operands, tables), then the
// error pointer. The function returns nonzero when it fails. Its printed
// text, for gemm updating Z in place:
//
//	kernel gemm(in0: float64[2], in1: float64[0], ..., out0: float64[2] contiguous)
//	  check in0.shape[0] == in2.shape[0], in0.shape[1] == in3.shape[1], in2.shape[1] == in3.shape[0]
//	  tg_gemm(in0, in1, in2, in3, in4, out0) in place of in0, arena for in2 in3, never fails
//
// The generator prints the checks in the shape phase (before anything is
// written), reserves the arena's workspace before phase 2, and lets output
// 0 take the memory of an InPlace input; Fails is the scheduler's promise
// (a call that cannot fail may run after an update written in place).
type Call struct {
	Func   string
	Header string
	Args   []Arg
	// Fails says when the call may fail once the shape phase has passed.
	Fails Failure
	// InPlace are the inputs whose memory output 0 may take: the function
	// reads each element of that input no later than it writes the
	// output's element (BLAS's beta*C, an index update), and detects the
	// alias itself.
	InPlace []int
	// Arena are the inputs the function may copy into a workspace (BLAS
	// copies a layout it cannot read): the generator reserves a slot the
	// size of them and of one output-sized temporary, and hands it to the
	// call through the runtime's arena hook (tg_blas_arena).
	Arena []int
	// Checks are length equalities the shape phase verifies, so that the
	// call itself cannot fail on them.
	Checks []LengthCheck
}

// Failure is when a kernel may fail at run time, once the shape phase has
// checked the lengths and reserved the workspace.
type Failure uint8

const (
	// FailsBeforeWriting: the kernel checks everything (indices, its own
	// temporary memory) before it writes any element of its outputs. The
	// zero value: a runtime function promises at least this.
	FailsBeforeWriting Failure = iota
	// NeverFails: the kernel cannot fail once the shape phase has passed.
	NeverFails
)

// Failure is when k may fail: its call's promise, or FailsBeforeWriting
// for the loop bodies (a map's checked integer power fails before its
// loop).
func (k *Kernel) Failure() Failure {
	if c, ok := k.Body.(*Call); ok {
		return c.Fails
	}
	return FailsBeforeWriting
}

// ArgKind is the kind of a call argument.
type ArgKind uint8

const (
	// ArgView is operand Operand, as a view (in0, out0).
	ArgView ArgKind = iota
	// ArgInt is the integer literal Int.
	ArgInt
	// ArgScalar is operand Operand's one element read as an int64 (a
	// uint64 keeps its bits, as the evaluator's Int64s).
	ArgScalar
	// ArgInts is a table of int64: List's entries, each ArgInt or
	// ArgScalar; a null pointer when empty.
	ArgInts
	// ArgViews is a table of views: List's entries, each ArgView; a null
	// pointer when empty.
	ArgViews
	// ArgFlags is a table of bytes: List's entries, each ArgInt (0 or 1);
	// a null pointer when empty.
	ArgFlags
)

// Arg is one argument of a runtime call; build it with ViewArg, IntArg,
// ScalarArg, IntTable, ViewTable or FlagTable.
type Arg struct {
	Kind    ArgKind
	Operand int
	Int     int64
	List    []Arg
}

// ViewArg is operand i as a view.
func ViewArg(i int) Arg { return Arg{Kind: ArgView, Operand: i} }

// IntArg is an integer literal.
func IntArg(v int64) Arg { return Arg{Kind: ArgInt, Int: v} }

// ScalarArg is operand i's one element, as an int64.
func ScalarArg(i int) Arg { return Arg{Kind: ArgScalar, Operand: i} }

// IntTable is a table of int64 entries (IntArg or ScalarArg).
func IntTable(entries ...Arg) Arg { return Arg{Kind: ArgInts, List: entries} }

// ViewTable is a table of the views of the operands given.
func ViewTable(operands ...int) Arg {
	a := Arg{Kind: ArgViews}
	for _, i := range operands {
		a.List = append(a.List, ViewArg(i))
	}
	return a
}

// FlagTable is a table of byte flags.
func FlagTable(flags ...bool) Arg {
	a := Arg{Kind: ArgFlags}
	for _, f := range flags {
		v := int64(0)
		if f {
			v = 1
		}
		a.List = append(a.List, IntArg(v))
	}
	return a
}

// LengthCheck is a shape-phase check of a call: the two lengths of every
// pair of Equal must agree, or the call raises ValueError with Message,
// a printf format whose %s verbs print the shapes of the Shown operands
// in order; with ShowPair, two %lld verbs after them print the first
// pair's lengths:
//
//	dot: shapes %s and %s not aligned: %lld (dim 1) != %lld (dim 0)
type LengthCheck struct {
	Equal    [][2]Extent
	Message  string
	Shown    []int
	ShowPair bool
}

// check verifies the call's operand numbers and its argument kinds.
func (c *Call) check(k *Kernel, bad func(string, ...any) error) error {
	nops := len(k.Inputs) + len(k.Outputs)
	operand := func(i int, what string) error {
		if i < 0 || i >= nops {
			return bad("%s names operand %d of %d", what, i, nops)
		}
		return nil
	}
	if c.Func == "" || c.Header == "" {
		return bad("a call needs a function and its header")
	}
	var arg func(a Arg, in ArgKind) error
	arg = func(a Arg, in ArgKind) error {
		switch a.Kind {
		case ArgView, ArgScalar:
			if in == ArgInts && a.Kind == ArgView || in == ArgViews && a.Kind == ArgScalar {
				return bad("a %v table holds a %v", in, a.Kind)
			}
			return operand(a.Operand, "an argument of "+c.Func)
		case ArgInt:
			if in == ArgViews {
				return bad("a table of views holds an integer")
			}
		case ArgInts, ArgViews, ArgFlags:
			if in != ArgView {
				return bad("a table inside a table")
			}
			for _, e := range a.List {
				if a.Kind == ArgFlags && (e.Kind != ArgInt || e.Int < 0 || e.Int > 1) {
					return bad("a flag table holds %v", e)
				}
				if err := arg(e, a.Kind); err != nil {
					return err
				}
			}
		default:
			return bad("argument kind %d", a.Kind)
		}
		return nil
	}
	for _, a := range c.Args {
		if err := arg(a, ArgView); err != nil {
			return err
		}
	}
	for _, i := range c.InPlace {
		if i < 0 || i >= len(k.Inputs) {
			return bad("in place of input %d of %d", i, len(k.Inputs))
		}
	}
	for _, i := range c.Arena {
		if i < 0 || i >= len(k.Inputs) {
			return bad("an arena for input %d of %d", i, len(k.Inputs))
		}
	}
	for _, ch := range c.Checks {
		for _, p := range ch.Equal {
			for _, e := range p {
				if err := operand(e.Operand, "a check"); err != nil {
					return err
				}
				if e.Axis < 0 || e.Axis >= k.Operand(e.Operand).Rank {
					return bad("a check names axis %d of operand %d", e.Axis, e.Operand)
				}
			}
		}
		for _, i := range ch.Shown {
			if err := operand(i, "a check's message"); err != nil {
				return err
			}
		}
		if ch.ShowPair && len(ch.Equal) == 0 {
			return bad("a check shows a pair it does not have")
		}
	}
	return nil
}

// text prints the call (Kernel.String's body lines).
func (c *Call) text(k *Kernel) string {
	var sb strings.Builder
	for _, ch := range c.Checks {
		var eqs []string
		for _, p := range ch.Equal {
			eqs = append(eqs, fmt.Sprintf("%s.shape[%d] == %s.shape[%d]",
				k.OperandName(p[0].Operand), p[0].Axis, k.OperandName(p[1].Operand), p[1].Axis))
		}
		fmt.Fprintf(&sb, "  check %s\n", strings.Join(eqs, ", "))
	}
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.text(k)
	}
	fmt.Fprintf(&sb, "  %s(%s)", c.Func, strings.Join(args, ", "))
	var notes []string
	if len(c.InPlace) > 0 {
		notes = append(notes, "in place of "+k.operandNames(c.InPlace))
	}
	if len(c.Arena) > 0 {
		notes = append(notes, "arena for "+k.operandNames(c.Arena))
	}
	if c.Fails == NeverFails {
		notes = append(notes, "never fails")
	}
	if len(notes) > 0 {
		sb.WriteString(" " + strings.Join(notes, ", "))
	}
	sb.WriteString("\n")
	return sb.String()
}

// text prints an argument: in0, 3, *in2, [1, *in2], [in1, in2].
func (a Arg) text(k *Kernel) string {
	switch a.Kind {
	case ArgView:
		return k.OperandName(a.Operand)
	case ArgInt:
		return strconv.FormatInt(a.Int, 10)
	case ArgScalar:
		return "*" + k.OperandName(a.Operand)
	}
	items := make([]string, len(a.List))
	for i, e := range a.List {
		items[i] = e.text(k)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// operandNames is "in2 in3 out0".
func (k *Kernel) operandNames(ops []int) string {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = k.OperandName(o)
	}
	return strings.Join(names, " ")
}

var argKindNames = [...]string{"view", "integer", "scalar", "integer table", "view table", "flag table"}

func (k ArgKind) String() string {
	if int(k) < len(argKindNames) {
		return argKindNames[k]
	}
	return "ArgKind(" + strconv.Itoa(int(k)) + ")"
}
