package ops

import "theanogo/core/tensor"

// float64Loops are plain loops for the commonest binary rows on float64:
// the evaluator runs them instead of calling the row's F64 once per element
// (an indirect call that costs more than the arithmetic). Each takes the
// output and the operands with their steps: 1 (same shape as the output)
// or 0 (a single element), and keeps the three cases apart so that the
// compiler drops the bounds checks from the loops.
var float64Loops = map[string]func(out, x, y []float64, sx, sy int){
	"add": func(out, x, y []float64, sx, sy int) { // x + y
		switch {
		case sx == 1 && sy == 1:
			x, y = x[:len(out)], y[:len(out)]
			for k := range out {
				out[k] = x[k] + y[k]
			}
		case sx == 1 && sy == 0:
			x, c := x[:len(out)], y[0]
			for k := range out {
				out[k] = x[k] + c
			}
		case sx == 0 && sy == 1:
			c, y := x[0], y[:len(out)]
			for k := range out {
				out[k] = c + y[k]
			}
		default:
			for k := range out {
				out[k] = x[k*sx] + y[k*sy]
			}
		}
	},
	"sub": func(out, x, y []float64, sx, sy int) { // x - y
		switch {
		case sx == 1 && sy == 1:
			x, y = x[:len(out)], y[:len(out)]
			for k := range out {
				out[k] = x[k] - y[k]
			}
		case sx == 1 && sy == 0:
			x, c := x[:len(out)], y[0]
			for k := range out {
				out[k] = x[k] - c
			}
		case sx == 0 && sy == 1:
			c, y := x[0], y[:len(out)]
			for k := range out {
				out[k] = c - y[k]
			}
		default:
			for k := range out {
				out[k] = x[k*sx] - y[k*sy]
			}
		}
	},
	"mul": func(out, x, y []float64, sx, sy int) { // x * y
		switch {
		case sx == 1 && sy == 1:
			x, y = x[:len(out)], y[:len(out)]
			for k := range out {
				out[k] = x[k] * y[k]
			}
		case sx == 1 && sy == 0:
			x, c := x[:len(out)], y[0]
			for k := range out {
				out[k] = x[k] * c
			}
		case sx == 0 && sy == 1:
			c, y := x[0], y[:len(out)]
			for k := range out {
				out[k] = c * y[k]
			}
		default:
			for k := range out {
				out[k] = x[k*sx] * y[k*sy]
			}
		}
	},
	"true_div": func(out, x, y []float64, sx, sy int) { // x / y
		switch {
		case sx == 1 && sy == 1:
			x, y = x[:len(out)], y[:len(out)]
			for k := range out {
				out[k] = x[k] / y[k]
			}
		case sx == 1 && sy == 0:
			x, c := x[:len(out)], y[0]
			for k := range out {
				out[k] = x[k] / c
			}
		case sx == 0 && sy == 1:
			c, y := x[0], y[:len(out)]
			for k := range out {
				out[k] = c / y[k]
			}
		default:
			for k := range out {
				out[k] = x[k*sx] / y[k*sy]
			}
		}
	},
}

// loopFloat64 runs s over two direct operands with its plain loop, when s
// has one; ok is false otherwise.
func loopFloat64(s *ScalarOp, n int, args []operand[float64]) (out []float64, ok bool) {
	loop := float64Loops[s.Name]
	if loop == nil || len(args) != 2 || args[0].index != nil || args[1].index != nil {
		return nil, false
	}
	out = tensor.Make[float64](n) // a *tensor.SizeError panic, not an abort, when n cannot fit
	if n > 0 {
		loop(out, args[0].data, args[1].data, args[0].step, args[1].step)
	}
	return out, true
}
