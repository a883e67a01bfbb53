package control

import "theanogo/core/tensor"

// The evaluator's side of a loop that keeps only the last rows of an
// output (ScanInfo.Keep, set by core/compile's scan_save_mem): the history
// of rows is cut as the loop runs, so memory stays bounded by the rows
// kept, not by the number of steps.

// keepTail returns rows, cut to its last r rows once it holds 2r (r = 0:
// never cut). The cut copies the kept rows into a new slice, so the rows
// dropped are released; cutting at 2r keeps the work per step constant.
func keepTail(rows []*tensor.Array, r int) []*tensor.Array {
	if r == 0 || len(rows) < 2*r {
		return rows
	}
	return append([]*tensor.Array(nil), rows[len(rows)-r:]...)
}

// tail is the last k rows of rows (all of them when k = 0 or fewer).
func tail(rows []*tensor.Array, k int) []*tensor.Array {
	if k == 0 || len(rows) <= k {
		return rows
	}
	return rows[len(rows)-k:]
}
