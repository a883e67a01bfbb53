package ops

import (
	"theanogo/core/graph"
	"theanogo/core/kir"
)

// callKernel is the kernel of a node that one runtime call computes: its
// inputs are read through their views (any layout), its outputs are
// freshly allocated (C-contiguous), and there is no index space of its
// own (the runtime function loops). The ops whose work lives in the
// runtime library (BLAS, softmax, arg-reductions, indexing, arange)
// lower through it:
//
//	kernel softmax(in0: float64[2], out0: float64[2] contiguous)
//	  tg_softmax(in0, out0, 0)
func callKernel(node *graph.Apply, name string, call *kir.Call) *kir.Kernel {
	k := &kir.Kernel{Name: name, Body: call}
	for _, in := range node.Inputs {
		k.Inputs = append(k.Inputs, kir.Operand{DType: in.Type.DType, Rank: in.Type.Ndim()})
	}
	for _, out := range node.Outputs {
		k.Outputs = append(k.Outputs, kir.Operand{DType: out.Type.DType, Rank: out.Type.Ndim(), Layout: kir.Contiguous})
	}
	return k
}

// viewArgs are the views of operands first, first+1, ..., last.
func viewArgs(first, last int) []kir.Arg {
	var args []kir.Arg
	for i := first; i <= last; i++ {
		args = append(args, kir.ViewArg(i))
	}
	return args
}

// staticOnes flags each length of the shapes that is statically 1 (a
// dimension that broadcasts), concatenated: the runtime's static1 tables.
func staticOnes(types ...graph.Type) kir.Arg {
	var flags []bool
	for _, t := range types {
		for _, l := range t.Shape {
			flags = append(flags, l == 1)
		}
	}
	return kir.FlagTable(flags...)
}

// boolInt is a C truth value.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
