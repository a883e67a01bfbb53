package ops_test

import "theanogo/core/tensor"

// shift adds c to every element of a float64 array.
func shift(a *tensor.Array, c float64) *tensor.Array {
	v := a.Float64s()
	for i := range v {
		v[i] += c
	}
	return tensor.FromFloat64s(a.DType, a.Shape, v)
}
