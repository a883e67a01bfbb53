// Package kir is the kernel IR's scalar level: a typed expression DAG that
// says what one element of an elementwise map computes from the elements
// of its inputs. The fusion pass (core/compile) builds it, the Go evaluator
// (core/ops: FusedOp, FusedReduceOp) runs it block by block, and the C++
// and CUDA printers render it as one C statement per node (Render).
//
// An expression is a node (*Expr) and everything it reads: inputs of the
// fused node (Input), constants (Constant), rows of the scalar table
// applied to arguments (Apply), casts (Cast) and the flat element index
// (Index). Every node has a dtype, fixed when it is built by the same rule
// as the Elemwise or CastOp node it stands for, so the DAG is typed once
// and every reader agrees on the dtype of every value.
//
// Nodes are interned (hash-consed): building the same node twice returns
// the same pointer, so equal expressions compare with ==, an op holding
// one stays comparable, and a value read twice (y in exp(y) * sin(y)) is
// one node. Every walk (Schedule, String, Render, the evaluator's plan)
// visits each node once, in the topological order of Schedule: its cost is
// the number of nodes, never the size of the tree the DAG unfolds to (2^60
// leaves for 60 levels each reading the previous value twice).
//
// The printed form names a value read more than once and binds it before
// the expression that reads it:
//
//	y := kir.Apply(add, kir.Input(0, dtype.Float64), kir.Constant(kir.FloatConst(dtype.Float64, 1)))
//	kir.Apply(mul, kir.Apply(exp, y), kir.Apply(sin, y)).String()
//	  == "t0 = i0 + 1; exp(t0) * sin(t0)"
package kir
