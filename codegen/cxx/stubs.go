package cxx

import (
	"fmt"

	"theanogo/core/graph"
)

func notYet(e *Emitter, n *graph.Apply) error {
	return fmt.Errorf("cxx: %s: lowering not written yet", graph.OpString(n.Op))
}

var (
	lowerElemwise   = notYet
	lowerFused      = notYet
	lowerCast       = notYet
	lowerCopy       = notYet
	lowerDimShuffle = notYet
	lowerSubtensor  = notYet
	lowerShape      = notYet
	lowerMakeVector = notYet
)

func elementwiseInPlace(n *graph.Apply, i int) bool { return false }
