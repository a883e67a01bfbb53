// Package dtype describes the element types of theanogo arrays: the NumPy
// dtypes, their names, sizes and kinds, and NumPy's promotion rules.
//
// Example:
//
//	dtype.Promote(dtype.Int32, dtype.Float32) // Float64, as numpy.result_type says
package dtype

import "fmt"

// DType is one NumPy element type. The zero value is Invalid.
type DType uint8

// The dtypes, in the order of NumPy's type hierarchy.
const (
	Invalid DType = iota
	Bool
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float16
	Float32
	Float64
	Complex64
	Complex128
)

// Kind groups dtypes the way NumPy's dtype.kind does ('b', 'i', 'u', 'f', 'c').
type Kind uint8

// The kinds, ordered so that a larger kind can hold a smaller one's values
// (apart from integer sizes, which Promote handles).
const (
	KindInvalid Kind = iota
	KindBool
	KindUint
	KindInt
	KindFloat
	KindComplex
)

// info is one row of the dtype table.
type info struct {
	name string
	size int // bytes per element
	kind Kind
}

// table holds each dtype's name, size and kind, indexed by DType.
var table = [...]info{
	Invalid:    {"invalid", 0, KindInvalid},
	Bool:       {"bool", 1, KindBool},
	Int8:       {"int8", 1, KindInt},
	Int16:      {"int16", 2, KindInt},
	Int32:      {"int32", 4, KindInt},
	Int64:      {"int64", 8, KindInt},
	Uint8:      {"uint8", 1, KindUint},
	Uint16:     {"uint16", 2, KindUint},
	Uint32:     {"uint32", 4, KindUint},
	Uint64:     {"uint64", 8, KindUint},
	Float16:    {"float16", 2, KindFloat},
	Float32:    {"float32", 4, KindFloat},
	Float64:    {"float64", 8, KindFloat},
	Complex64:  {"complex64", 8, KindComplex},
	Complex128: {"complex128", 16, KindComplex},
}

// All lists every valid dtype.
var All = []DType{Bool, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64,
	Float16, Float32, Float64, Complex64, Complex128}

// String returns NumPy's name for d, such as "float32".
func (d DType) String() string {
	if int(d) >= len(table) {
		return fmt.Sprintf("dtype(%d)", uint8(d))
	}
	return table[d].name
}

// Size is the number of bytes of one element.
func (d DType) Size() int { return table[d].size }

// Kind is d's NumPy kind.
func (d DType) Kind() Kind { return table[d].kind }

// Valid reports whether d is one of the defined dtypes.
func (d DType) Valid() bool { return d > Invalid && int(d) < len(table) }

// IsFloat reports whether d is a real floating-point type.
func (d DType) IsFloat() bool { return d.Kind() == KindFloat }

// IsComplex reports whether d is a complex type.
func (d DType) IsComplex() bool { return d.Kind() == KindComplex }

// IsInteger reports whether d is a signed or unsigned integer type (not bool).
func (d DType) IsInteger() bool { return d.Kind() == KindInt || d.Kind() == KindUint }

// IsDiscrete reports whether d is bool or an integer: a type with no gradient.
func (d DType) IsDiscrete() bool { return d.Kind() <= KindInt }

// aliases accepts the short spellings users write besides NumPy's names.
var aliases = map[string]DType{
	"float": Float64, "int": Int64, "complex": Complex128, "half": Float16,
	"single": Float32, "double": Float64, "bool_": Bool,
}

// Parse turns a dtype name ("float32", "int64", "bool") into a DType.
func Parse(name string) (DType, error) {
	for d := Bool; int(d) < len(table); d++ {
		if table[d].name == name {
			return d, nil
		}
	}
	if d, ok := aliases[name]; ok {
		return d, nil
	}
	return Invalid, fmt.Errorf("unknown dtype %q", name)
}
