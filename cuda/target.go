package cuda

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// cudaTarget is the CUDA side of kir.Render: the C types of ops.CTypeOf
// (float16 stored as uint16_t bits and computed in float, through the
// header's tg_half_to_float and tg_float_to_half), exact literals, the
// rows' own C templates (tg_scalar.h and the std:: math functions, which
// tg_std.h maps onto NVRTC's), and the flat index of a map's point.
type cudaTarget struct {
	index bool // the loops provide the flat index (maps: f)
}

var _ kir.Target = cudaTarget{}

func (cudaTarget) Storage(dt dtype.DType) string { return ops.CTypeOf(dt).Storage }

func (cudaTarget) Compute(dt dtype.DType) string { return ops.CTypeOf(dt).Compute }

func (cudaTarget) Load(dt dtype.DType, x string) string { return fill(ops.CTypeOf(dt).Load, x) }

func (cudaTarget) Store(dt dtype.DType, x string) string { return fill(ops.CTypeOf(dt).Store, x) }

// fill puts x into a load or store template ("tg_half_to_float($0)").
func fill(template, x string) string { return strings.ReplaceAll(template, "$0", x) }

// Literal writes c exactly: floats as C++17 hexadecimal literals (their
// bits when not finite), float16 as its bits, integers with their type.
func (cudaTarget) Literal(c kir.Const) string {
	switch dt := c.DType(); dt {
	case dtype.Bool:
		if c.Int64() != 0 {
			return "true"
		}
		return "false"
	case dtype.Float64:
		v := c.Float64()
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return fmt.Sprintf("__longlong_as_double(0x%xLL)", math.Float64bits(v))
		}
		return strconv.FormatFloat(v, 'x', -1, 64)
	case dtype.Float32:
		v := float32(c.Float64())
		if math.IsInf(float64(v), 0) || v != v {
			return fmt.Sprintf("__int_as_float(0x%x)", math.Float32bits(v))
		}
		return "float(" + strconv.FormatFloat(float64(v), 'x', -1, 32) + ")"
	case dtype.Float16:
		return fmt.Sprintf("uint16_t(0x%x)", tensor.Float64ToHalf(c.Float64()))
	case dtype.Uint64:
		return fmt.Sprintf("uint64_t(%dULL)", c.Uint64())
	case dtype.Int64:
		if c.Int64() == math.MinInt64 {
			return "INT64_MIN"
		}
		return fmt.Sprintf("int64_t(%dLL)", c.Int64())
	default:
		return fmt.Sprintf("%s(%dLL)", ops.CTypeOf(dt).Storage, c.Int64())
	}
}

// Template is the row's own C template.
func (cudaTarget) Template(row kir.Row, _ dtype.DType) string { return row.CTemplate() }

// Index is the flat position of a map's point: the grid-stride variable.
func (t cudaTarget) Index() (string, error) {
	if !t.index {
		return "", fmt.Errorf("the flat element index is available in maps only")
	}
	return "f", nil
}
