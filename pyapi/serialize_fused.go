package main

import (
	"encoding/json"
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// fusedParams are a fused op's parameters on the wire: the expression as
// kir's encoding (rows by name, constants exactly), the map's rank, and
// for a fused reduction the reduction's row, axes and keepdims:
//
//	{"expr":[{"op":"input","dtype":"float64"},{"op":"apply","row":"exp","args":[0]}],"ndim":2,
//	 "kind":"sum","axes":2,"keepdims":false}
//
// Decoding rebuilds the interned expression, so the loaded op is == to
// the pickled one.
type fusedParams struct {
	Expr     []kir.Encoded `json:"expr"`
	Ndim     int           `json:"ndim"`
	Kind     string        `json:"kind,omitempty"`
	Axes     graph.AxisSet `json:"axes,omitempty"`
	KeepDims bool          `json:"keepdims,omitempty"`
}

func init() {
	opCodecs[opTypeName(ops.FusedOp{})] = opCodec{
		encode: func(op graph.Op) (any, error) {
			f := op.(ops.FusedOp)
			if f.Expr == nil {
				return nil, fmt.Errorf("composite without an expression")
			}
			return fusedParams{Expr: kir.Encode(f.Expr), Ndim: f.Ndim}, nil
		},
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			p, e, err := decodeFused(params)
			if err != nil {
				return nil, err
			}
			return b.Apply(ops.FusedOp{Expr: e, Ndim: p.Ndim}, ins...)
		},
	}
	opCodecs[opTypeName(ops.FusedReduceOp{})] = opCodec{
		encode: func(op graph.Op) (any, error) {
			f := op.(ops.FusedReduceOp)
			if f.Expr == nil {
				return nil, fmt.Errorf("composite_reduce without an expression")
			}
			return fusedParams{Expr: kir.Encode(f.Expr), Ndim: f.Ndim, Kind: f.Kind, Axes: f.Axes, KeepDims: f.KeepDims}, nil
		},
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			p, e, err := decodeFused(params)
			if err != nil {
				return nil, err
			}
			return b.Apply(ops.FusedReduceOp{Expr: e, Ndim: p.Ndim, Kind: p.Kind, Axes: p.Axes, KeepDims: p.KeepDims}, ins...)
		},
	}
}

func decodeFused(params json.RawMessage) (fusedParams, *kir.Expr, error) {
	var p fusedParams
	if err := json.Unmarshal(params, &p); err != nil {
		return p, nil, err
	}
	e, err := kir.Decode(p.Expr, ops.ScalarRow)
	return p, e, err
}
