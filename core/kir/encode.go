package kir

import (
	"fmt"
	"math"
	"strconv"

	"theanogo/core/dtype"
)

// Encoded is one node of an expression's encoding, which pickling a
// compiled function carries (pyapi writes it as JSON): the expression's
// schedule, one Encoded per node, arguments by position in the list, rows
// by name, constants exactly:
//
//	[{"op":"input","dtype":"float64"},{"op":"const","dtype":"float64","value":"2"},
//	 {"op":"apply","row":"mul","args":[0,1]},{"op":"apply","row":"exp","args":[2]}]
//
// Decoding rebuilds the nodes with the constructors, so it checks the
// dtype rules again and returns the interned pointer: the decoded
// expression is == to the encoded one.
type Encoded struct {
	Op    string `json:"op"` // input, const, apply, cast, index
	DType string `json:"dtype,omitempty"`
	Input int    `json:"input,omitempty"`
	Value string `json:"value,omitempty"` // exact: a float64 or complex128 in shortest form, an integer in decimal
	Row   string `json:"row,omitempty"`
	Args  []int  `json:"args,omitempty"`
}

var opNames = map[Op]string{OpInput: "input", OpConst: "const", OpApply: "apply", OpCast: "cast", OpIndex: "index"}

// Encode is the encoding of e (see Encoded).
func Encode(e *Expr) []Encoded {
	order := e.Schedule()
	pos := make(map[*Expr]int, len(order))
	list := make([]Encoded, len(order))
	for k, n := range order {
		pos[n] = k
		x := Encoded{Op: opNames[n.op], Input: n.input}
		if n.op != OpApply && n.op != OpIndex {
			x.DType = n.dt.String()
		}
		if n.op == OpApply {
			x.Row = n.row.RowName()
		}
		if n.op == OpConst {
			x.Value = exactText(n.c)
		}
		for _, a := range n.args {
			x.Args = append(x.Args, pos[a])
		}
		list[k] = x
	}
	return list
}

// exactText is a constant's value, exactly, in the domain it is held in.
func exactText(c Const) string {
	switch dt := c.dt; {
	case dt.IsFloat():
		return strconv.FormatFloat(c.Float64(), 'g', -1, 64)
	case dt.IsComplex():
		return strconv.FormatComplex(c.Complex128(), 'g', -1, 128)
	case dt == dtype.Uint64:
		return strconv.FormatUint(c.Uint64(), 10)
	}
	return strconv.FormatInt(c.Int64(), 10)
}

// Decode rebuilds the expression Encode wrote, finding rows by name.
func Decode(list []Encoded, rows Rows) (*Expr, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("kir: an empty expression")
	}
	nodes := make([]*Expr, len(list))
	for k, x := range list {
		args := make([]*Expr, len(x.Args))
		for i, a := range x.Args {
			if a < 0 || a >= k {
				return nil, fmt.Errorf("kir: node %d reads node %d", k, a)
			}
			args[i] = nodes[a]
		}
		n, err := decodeNode(x, args, rows)
		if err != nil {
			return nil, fmt.Errorf("kir: node %d: %v", k, err)
		}
		nodes[k] = n
	}
	return nodes[len(nodes)-1], nil
}

func decodeNode(x Encoded, args []*Expr, rows Rows) (*Expr, error) {
	var dt dtype.DType
	if x.Op != "apply" && x.Op != "index" {
		var err error
		if dt, err = dtype.Parse(x.DType); err != nil {
			return nil, err
		}
	}
	if want := map[string]int{"input": 0, "const": 0, "index": 0, "cast": 1}[x.Op]; x.Op != "apply" && len(args) != want {
		return nil, fmt.Errorf("%s with %d arguments", x.Op, len(args))
	}
	switch x.Op {
	case "input":
		if x.Input < 0 {
			return nil, fmt.Errorf("input %d", x.Input)
		}
		return Input(x.Input, dt), nil
	case "const":
		c, err := parseExact(dt, x.Value)
		return Constant(c), err
	case "index":
		return Index(), nil
	case "cast":
		return Cast(args[0], dt), nil
	case "apply":
		row, ok := rows(x.Row)
		if !ok {
			return nil, fmt.Errorf("no scalar row is called %q", x.Row)
		}
		return Apply(row, args...)
	}
	return nil, fmt.Errorf("unknown node %q", x.Op)
}

func parseExact(dt dtype.DType, text string) (Const, error) {
	switch {
	case dt.IsFloat():
		v, err := strconv.ParseFloat(text, 64)
		if err == nil && roundFloat(dt, v) != v && !math.IsNaN(v) {
			err = fmt.Errorf("%s is not a %v", text, dt)
		}
		return FloatConst(dt, v), err
	case dt.IsComplex():
		v, err := strconv.ParseComplex(text, 128)
		return ComplexConst(dt, v), err
	case dt == dtype.Uint64:
		v, err := strconv.ParseUint(text, 10, 64)
		return Uint64Const(v), err
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err == nil && IntConst(dt, v).Int64() != v {
		err = fmt.Errorf("%s is not a %v", text, dt)
	}
	return IntConst(dt, v), err
}
