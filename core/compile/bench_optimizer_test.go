package compile_test

// Optimizer speed (BENCHMARKS.md section 4: "a 10,000-node graph rewritten
// in under 200 ms"; the MLP training step compiles in under 20 ms warm).
// Run, from the repository root:
//
//	go test ./core/compile -run '^$' -bench BenchmarkOptimizer -benchtime 10x
//
// or bench/optimizer_speed.py, which runs it and prints the figures.
// "optimize" is the passes alone (FunctionGraph built, mode's passes run);
// "compile" is compile.Compile: the same plus the backend's preparation and
// the shape program.

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/rewrite"
)

// bigGraph builds a graph of about n nodes over four float64 matrices: a
// random mixture of elementwise ops, dots and row sums broadcast back,
// most ops reading recent results, with about one application in six built
// a second time on the same inputs (a common subexpression for merge) and
// fresh constants equal to earlier ones. The outputs are the results no
// other node reads.
func bigGraph(tb testing.TB, b *graph.Builder, n int) compile.FunctionSpec {
	rng := rand.New(rand.NewPCG(1, 2))
	e := ops.NewExpr(b)
	var inputs, pool []*graph.Variable
	for _, name := range []string{"a", "b", "c", "d"} {
		v := b.Input(graph.NewType(dtype.Float64, -1, -1), name)
		inputs = append(inputs, v)
		pool = append(pool, v)
	}
	pick := func() *graph.Variable { // recent results, mostly
		k := len(pool) - 1 - int(rng.ExpFloat64()*8)
		if k < 0 {
			k = rng.IntN(len(pool))
		}
		return pool[k]
	}
	type application struct {
		op   string
		args []*graph.Variable
	}
	var built []application
	binary := []string{"add", "mul", "sub", "maximum"}
	unary := []string{"tanh", "neg", "sigmoid", "exp", "abs"}
	nodes := 0
	for nodes < n {
		var v *graph.Variable
		switch r := rng.IntN(100); {
		case r < 40:
			a := application{binary[rng.IntN(len(binary))], []*graph.Variable{pick(), pick()}}
			built = append(built, a)
			v, nodes = e.Call(a.op, a.args...), nodes+1
		case r < 60:
			a := application{unary[rng.IntN(len(unary))], []*graph.Variable{pick()}}
			built = append(built, a)
			v, nodes = e.Call(a.op, a.args...), nodes+1
		case r < 70:
			v, nodes = e.Dot(pick(), pick()), nodes+1
		case r < 80: // x + sum(y, axis=1)[:, None]
			s := e.DimShuffle(e.Sum(pick(), []int{1}, false), []int{0, ops.Broadcast})
			v, nodes = e.Add(pick(), s), nodes+3
		case r < 95: // an application built again
			a := built[rng.IntN(len(built))]
			v, nodes = e.Call(a.op, a.args...), nodes+1
		default: // times a fresh constant 2 (dimshuffled to a matrix)
			v, nodes = e.Mul(pick(), e.ConstOf(2, dtype.Float64)), nodes+2
		}
		pool = append(pool, v)
	}
	if e.Err != nil {
		tb.Fatal(e.Err)
	}
	read := map[*graph.Variable]bool{}
	for _, node := range graph.Toposort(pool) {
		for _, in := range node.Inputs {
			read[in] = true
		}
	}
	var outputs []*graph.Variable
	for _, v := range pool[len(inputs):] {
		if !read[v] {
			outputs = append(outputs, v)
		}
	}
	return compile.FunctionSpec{Inputs: inputs, Outputs: outputs, OnUnusedInput: "ignore"}
}

// mlpTrainingSpec is the 784-500-10 MLP's SGD step in float32
// (opstest.MLPTrainingStep).
func mlpTrainingSpec(tb testing.TB, b *graph.Builder) compile.FunctionSpec {
	m := opstest.MLPTrainingStep(tb, b, dtype.Float32)
	return compile.FunctionSpec{Inputs: m.Inputs, Outputs: []*graph.Variable{m.Cost}, Updates: m.Updates}
}

// BenchmarkOptimizer times FAST_RUN's passes (optimize) and the whole
// compile.Compile (compile) on the 10,000-node graph and on the MLP
// training step. The metrics: nodes before and after optimization.
func BenchmarkOptimizer(bm *testing.B) {
	for _, g := range []struct {
		name  string
		build func(testing.TB, *graph.Builder) compile.FunctionSpec
	}{
		{"10k-nodes", func(tb testing.TB, b *graph.Builder) compile.FunctionSpec { return bigGraph(tb, b, 10000) }},
		{"mlp", mlpTrainingSpec},
	} {
		b := graph.NewBuilder()
		spec := g.build(bm, b)
		before := len(graph.Toposort(append(append([]*graph.Variable{}, spec.Outputs...), updateValues(spec)...)))
		bm.Run(g.name+"/optimize", func(bm *testing.B) {
			var after int
			for bm.Loop() {
				fg, err := compile.Optimize(b, spec)
				if err != nil {
					bm.Fatal(err)
				}
				after = len(fg.Toposort())
			}
			bm.ReportMetric(float64(before), "nodes")
			bm.ReportMetric(float64(after), "nodes-after")
		})
		bm.Run(g.name+"/optimize-with-test-rules", func(bm *testing.B) {
			defer compile.SetTestRules(benchRules...)()
			var after int
			for bm.Loop() {
				fg, err := compile.Optimize(b, spec)
				if err != nil {
					bm.Fatal(err)
				}
				after = len(fg.Toposort())
			}
			bm.ReportMetric(float64(after), "nodes-after")
		})
		bm.Run(g.name+"/compile", func(bm *testing.B) {
			for bm.Loop() {
				if _, err := compile.Compile(b, spec); err != nil {
					bm.Fatal(err)
				}
			}
			bm.ReportMetric(float64(before), "nodes")
		})
	}
}

// benchRules stand for the rule families while they are being written:
// in each rule pass, a rule on every elementwise root that matches nothing
// (the cost of offering nodes to rules), and in canonicalize one that
// fires on about one node in twenty (x*c -> x+x for a constant c == 2,
// whose new nodes are offered again in the next sweep).
var benchRules = func() []*rewrite.Rule {
	var rules []*rewrite.Rule
	roots := []string{"add", "mul", "sub", "maximum", "tanh", "neg", "sigmoid", "exp", "abs", "DotOp", "SumOp", "DimShuffleOp"}
	for _, tag := range []string{"canonicalize", "stabilize", "specialize"} {
		rules = append(rules, &rewrite.Rule{Name: "bench_nothing_" + tag, Tags: []string{tag}, Roots: roots,
			Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) { return nil, nil }})
	}
	rules = append(rules, &rewrite.Rule{Name: "bench_mul2", Tags: []string{"canonicalize"}, Roots: []string{"mul"},
		Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
			if c, ok := rewrite.ConstantValue(n.Inputs[1]); ok && c == 2 && n.Inputs[0].Type.Equal(n.Outputs[0].Type) {
				v, err := ops.Scalar(b, "add", n.Inputs[0], n.Inputs[0])
				return []*graph.Variable{v}, err
			}
			return nil, nil
		}})
	return rules
}()

func updateValues(spec compile.FunctionSpec) []*graph.Variable {
	var vs []*graph.Variable
	for _, u := range spec.Updates {
		vs = append(vs, u[1])
	}
	return vs
}
