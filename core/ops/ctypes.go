package ops

import "theanogo/core/dtype"

// CType says how generated C++ stores and computes with one dtype: the type
// of array elements, and the conversions between that storage and the type
// arithmetic happens in (only float16 differs: halves are stored as raw
// uint16_t bits and computed in float). Load and Store are templates around
// $0; the tg_ functions are in codegen/runtime/tg_scalar.h.
type CType struct {
	Storage string // the element type in memory
	Compute string // the type a value of this dtype computes in
	Load    string // Storage -> Compute
	Store   string // Compute -> Storage
}

// cTypes is the dtype -> C++ type table. A conversion between two dtypes is
// Load of the source, a C cast to the target's Compute type, then Store.
var cTypes = map[dtype.DType]CType{
	dtype.Bool:       {"bool", "bool", "$0", "$0"},                                          // C++ bool: 0 or 1
	dtype.Int8:       {"int8_t", "int8_t", "$0", "$0"},                                      // <cstdint>, two's complement
	dtype.Int16:      {"int16_t", "int16_t", "$0", "$0"},                                    // 16 bits
	dtype.Int32:      {"int32_t", "int32_t", "$0", "$0"},                                    // 32 bits
	dtype.Int64:      {"int64_t", "int64_t", "$0", "$0"},                                    // 64 bits
	dtype.Uint8:      {"uint8_t", "uint8_t", "$0", "$0"},                                    // unsigned, 8 bits
	dtype.Uint16:     {"uint16_t", "uint16_t", "$0", "$0"},                                  // unsigned, 16 bits
	dtype.Uint32:     {"uint32_t", "uint32_t", "$0", "$0"},                                  // unsigned, 32 bits
	dtype.Uint64:     {"uint64_t", "uint64_t", "$0", "$0"},                                  // unsigned, 64 bits
	dtype.Float16:    {"uint16_t", "float", "tg_half_to_float($0)", "tg_float_to_half($0)"}, // IEEE binary16 bits
	dtype.Float32:    {"float", "float", "$0", "$0"},                                        // IEEE binary32
	dtype.Float64:    {"double", "double", "$0", "$0"},                                      // IEEE binary64
	dtype.Complex64:  {"std::complex<float>", "std::complex<float>", "$0", "$0"},            // <complex>: (re, im) as numpy lays it out
	dtype.Complex128: {"std::complex<double>", "std::complex<double>", "$0", "$0"},          // <complex>, numpy's layout
}

// CTypeOf returns the C++ types of dtype d.
//
//	CTypeOf(dtype.Float16) == CType{"uint16_t", "float", "tg_half_to_float($0)", "tg_float_to_half($0)"}
func CTypeOf(d dtype.DType) CType { return cTypes[d] }
