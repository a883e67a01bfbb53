package main

import (
	"encoding/json"
	"fmt"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// scanParams are a scan's parameters on the wire: its ScanInfo, the step
// graph included, as a serialized graph of its own (innerGraph), so that
// a pickled function holding scan (with updates, nested scans, until)
// compiles again in another process:
//
//	{"name":"rnn","nseqs":1,"taps":[[-1]],"nnitsot":0,"nnonseqs":2,"until":false,"truncate":-1,
//	 "inner":{"inputs":[{"kind":"input","dtype":"float64","shape":[-1],"name":"x_t"},...],
//	          "graph":{...},"bind":[0,1,3]}}
type scanParams struct {
	Name     string     `json:"name,omitempty"`
	NSeqs    int        `json:"nseqs"`
	Taps     [][]int    `json:"taps"`
	NNitSot  int        `json:"nnitsot"`
	NNonSeqs int        `json:"nnonseqs"`
	Until    bool       `json:"until"`
	Truncate int        `json:"truncate"`
	Inner    innerGraph `json:"inner"`
}

// innerGraph is an inner function graph on the wire: its placeholders
// (types and names, in order, used or not), the graph of its outputs, and
// for each free input the serialized graph numbers, the placeholder it
// stands for (bind[k] indexes Inputs).
type innerGraph struct {
	Inputs []serialVar  `json:"inputs"`
	Graph  *serialGraph `json:"graph"`
	Bind   []int        `json:"bind"`
}

func init() {
	opCodecs[opTypeName(control.Scan{})] = opCodec{
		encode: func(op graph.Op) (any, error) {
			s := op.(control.Scan).Info
			inner, err := dumpInner(s.Inner)
			if err != nil {
				return nil, err
			}
			return scanParams{Name: s.Name, NSeqs: s.NSeqs, Taps: s.Taps, NNitSot: s.NNitSot, NNonSeqs: s.NNonSeqs,
				Until: s.Until, Truncate: s.Truncate, Inner: inner}, nil
		},
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			var p scanParams
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, err
			}
			g, err := loadInner(b, p.Inner)
			if err != nil {
				return nil, err
			}
			info := &control.ScanInfo{Name: p.Name, NSeqs: p.NSeqs, Taps: p.Taps, NNitSot: p.NNitSot, NNonSeqs: p.NNonSeqs,
				Until: p.Until, Truncate: p.Truncate, Inner: g}
			return b.Apply(control.Scan{Info: info}, ins...)
		},
	}
}

// dumpInner serializes inner graph g (its roots are its placeholders and
// constants: no shared variable).
func dumpInner(g *control.Graph) (innerGraph, error) {
	sg, shared, free, err := dumpGraph(g.Outputs)
	if err != nil {
		return innerGraph{}, err
	}
	if len(shared) > 0 {
		return innerGraph{}, fmt.Errorf("an inner graph reads shared variable %v", shared[0])
	}
	pos := map[*graph.Variable]int{}
	ig := innerGraph{Graph: sg}
	for i, p := range g.Inputs {
		pos[p] = i
		ig.Inputs = append(ig.Inputs, serialVar{Kind: "input", DType: p.Type.DType.String(), Shape: p.Type.Shape, Name: p.Name})
	}
	for _, v := range free {
		i, ok := pos[v]
		if !ok {
			return innerGraph{}, fmt.Errorf("an inner graph reads %v, which is not one of its inputs", v)
		}
		ig.Bind = append(ig.Bind, i)
	}
	return ig, nil
}

// loadInner rebuilds an inner graph with new placeholders.
func loadInner(b *graph.Builder, ig innerGraph) (*control.Graph, error) {
	if ig.Graph == nil {
		return nil, fmt.Errorf("the inner graph is missing")
	}
	placeholders := make([]*graph.Variable, len(ig.Inputs))
	for i, sv := range ig.Inputs {
		dt, err := dtype.Parse(sv.DType)
		if err != nil {
			return nil, err
		}
		placeholders[i] = b.Input(graph.NewType(dt, sv.Shape...), sv.Name)
	}
	free := make([]*graph.Variable, len(ig.Bind))
	for k, i := range ig.Bind {
		if i < 0 || i >= len(placeholders) {
			return nil, fmt.Errorf("inner graph input %d binds placeholder %d of %d", k, i, len(placeholders))
		}
		free[k] = placeholders[i]
	}
	outs, err := loadGraph(b, ig.Graph, nil, free)
	if err != nil {
		return nil, err
	}
	return control.NewGraph(placeholders, outs)
}
