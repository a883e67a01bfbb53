package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"

	"theanogo/core/control"
	"theanogo/core/graph"
)

// scanRequest is tg_scan's JSON: the pieces theanogo.scan collected, as
// variable handles (0: absent).
type scanRequest struct {
	Sequences []struct {
		Outer int64   `json:"outer"`
		Taps  []int   `json:"taps"`
		Inner []int64 `json:"inner"`
	} `json:"sequences"`
	Outputs []struct {
		Initial int64   `json:"initial"`
		Taps    []int   `json:"taps"`
		Inner   []int64 `json:"inner"`
		Step    int64   `json:"step"`
	} `json:"outputs"`
	NonSequences []int64    `json:"non_sequences"`
	Updates      [][2]int64 `json:"updates"`
	Until        int64      `json:"until"`
	NSteps       int64      `json:"n_steps"`
	GoBackwards  bool       `json:"go_backwards"`
	Truncate     int        `json:"truncate_gradient"`
	Strict       bool       `json:"strict"`
	Name         string     `json:"name"`
}

// scanReply is tg_scan's answer: one output handle per outputs_info entry
// and the new value of each shared variable the request updates, in order.
type scanReply struct {
	Outputs []int64 `json:"outputs"`
	Updates []int64 `json:"updates"`
}

// optVariable resolves a handle that may be 0 (absent).
func optVariable(h int64) (*graph.Variable, error) {
	if h == 0 {
		return nil, nil
	}
	return variable(h)
}

// tg_scan builds a scan loop (control.BuildScan) from the JSON request and
// returns the JSON reply; source is the user's line, given to the nodes built.
//
//export tg_scan
func tg_scan(request *C.char, source *C.char, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		var req scanRequest
		if err := json.Unmarshal([]byte(C.GoString(request)), &req); err != nil {
			return graph.ValueErrorf("scan: bad request: %v", err)
		}
		spec := control.ScanSpec{GoBackwards: req.GoBackwards, Truncate: req.Truncate, Strict: req.Strict, Name: req.Name}
		var err error
		for _, s := range req.Sequences {
			sq := control.SequenceSpec{Taps: s.Taps}
			if sq.Outer, err = variable(s.Outer); err != nil {
				return err
			}
			if sq.Inner, err = variables(s.Inner); err != nil {
				return err
			}
			spec.Sequences = append(spec.Sequences, sq)
		}
		for _, o := range req.Outputs {
			os := control.OutputSpec{Taps: o.Taps}
			if os.Initial, err = optVariable(o.Initial); err != nil {
				return err
			}
			if os.Inner, err = variables(o.Inner); err != nil {
				return err
			}
			if os.Step, err = optVariable(o.Step); err != nil {
				return err
			}
			spec.Outputs = append(spec.Outputs, os)
		}
		if spec.NonSequences, err = variables(req.NonSequences); err != nil {
			return err
		}
		for _, u := range req.Updates {
			pair, err := variables(u[:])
			if err != nil {
				return err
			}
			spec.Updates = append(spec.Updates, [2]*graph.Variable{pair[0], pair[1]})
		}
		if spec.Until, err = optVariable(req.Until); err != nil {
			return err
		}
		if spec.NSteps, err = optVariable(req.NSteps); err != nil {
			return err
		}
		since := sess.builder.LastID()
		res, err := control.BuildScan(sess.builder, spec)
		if err != nil {
			return err
		}
		all := append([]*graph.Variable{}, res.Outputs...)
		for _, u := range res.Updates {
			all = append(all, u[1])
		}
		graph.Stamp(all, since, C.GoString(source))
		var reply scanReply
		for _, v := range res.Outputs {
			reply.Outputs = append(reply.Outputs, sess.handles.put(v))
		}
		for _, u := range res.Updates {
			reply.Updates = append(reply.Updates, sess.handles.put(u[1]))
		}
		text, err := json.Marshal(reply)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
