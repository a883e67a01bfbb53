package testsgo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Softmax, log-softmax and softmax's gradient lowered to the runtime
// (codegen/runtime/tg_nnet.c), against the Go evaluator.

// scaled multiplies every element of a by k.
func scaled(a *tensor.Array, k float64) *tensor.Array {
	v := a.Float64s()
	for i := range v {
		v[i] *= k
	}
	return tensor.FromFloat64s(a.DType, a.Shape, v)
}

// TestCxxSoftmax: softmax and log-softmax of vectors and matrices of each
// float dtype, contiguous and transposed, with empty and single-element
// rows, ordinary logits and extreme ones (|x| up to 3e4, where an
// unshifted exp overflows), and rows holding -inf, +inf or NaN.
func TestCxxSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, d := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Float16} {
		for _, shape := range [][]int{{7}, {1}, {0}, {4, 5}, {3, 1}, {0, 4}, {4, 0}, {600, 10}, {50, 2000}} {
			t.Run(fmt.Sprint(d, shape), func(t *testing.T) {
				b := graph.NewBuilder()
				x := b.Input(graph.NewType(d, staticOnes(shape)...), "x")
				var outputs []*graph.Variable
				srcs := []*graph.Variable{x}
				if len(shape) == 2 {
					xt, err := ops.Transpose(b, x, nil)
					if err != nil {
						t.Fatal(err)
					}
					srcs = append(srcs, xt)
				}
				for _, src := range srcs {
					sm, err := ops.Softmax(b, src)
					if err != nil {
						t.Fatal(err)
					}
					lsm, err := ops.LogSoftmax(b, src)
					if err != nil {
						t.Fatal(err)
					}
					outputs = append(outputs, sm, lsm)
				}
				for _, k := range []float64{1, 1e4} {
					if d == dtype.Float16 && k > 1 {
						k = 1e4 / 2 // within float16's range
					}
					c := checkCxx(t, b, outputs, []*graph.Variable{x}, []*tensor.Array{scaled(randomArray(rng, d, shape...), k)})
					requireLowered(t, c, ops.SoftmaxOp{})
				}
			})
		}
	}
	// infinities and NaN in rows
	inf, nan := math.Inf(1), math.NaN()
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	sm, _ := ops.Softmax(b, x)
	lsm, _ := ops.LogSoftmax(b, x)
	rows := tensor.FromFloat64s(dtype.Float64, []int{5, 3}, []float64{
		-inf, 0, 1,
		-inf, -inf, -inf,
		inf, 0, 1,
		nan, 0, 1,
		1e308, -1e308, 0,
	})
	checkCxx(t, b, []*graph.Variable{sm, lsm}, []*graph.Variable{x}, []*tensor.Array{rows})
}

// TestCxxSoftmaxGrad: the gradient of softmax as one softmax_grad node
// (what grad builds), and its shape check.
func TestCxxSoftmaxGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, d := range []dtype.DType{dtype.Float32, dtype.Float64} {
		for _, shape := range [][]int{{6}, {4, 5}, {0, 3}, {600, 10}, {20, 3000}} {
			b := graph.NewBuilder()
			gz := b.Input(graph.NewType(d, staticOnes(shape)...), "gz")
			x := b.Input(graph.NewType(d, staticOnes(shape)...), "x")
			s, err := ops.Softmax(b, x)
			if err != nil {
				t.Fatal(err)
			}
			g, err := ops.SoftmaxGrad(b, gz, s)
			if err != nil {
				t.Fatal(err)
			}
			outputs := []*graph.Variable{g}
			if len(shape) == 2 { // a transposed gradient: strided rows
				gt, _ := ops.Transpose(b, gz, nil)
				st, _ := ops.Transpose(b, s, nil)
				g2, err := ops.SoftmaxGrad(b, gt, st)
				if err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, g2)
			}
			c := checkCxx(t, b, outputs, []*graph.Variable{gz, x},
				[]*tensor.Array{randomArray(rng, d, shape...), randomArray(rng, d, shape...)})
			requireLowered(t, c, ops.SoftmaxGradOp{})
		}
	}
	// gz and the softmax disagree in shape at run time: ValueError
	b := graph.NewBuilder()
	gz := b.Input(graph.NewType(dtype.Float64, -1, -1), "gz")
	s := b.Input(graph.NewType(dtype.Float64, -1, -1), "s")
	g, err := ops.SoftmaxGrad(b, gz, s)
	if err != nil {
		t.Fatal(err)
	}
	checkCxx(t, b, []*graph.Variable{g}, []*graph.Variable{gz, s},
		[]*tensor.Array{randomArray(rng, dtype.Float64, 3, 4), randomArray(rng, dtype.Float64, 3, 5)})
}
