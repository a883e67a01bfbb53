package ops

import (
	"fmt"
	"sort"

	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// The op registry is the one place a structured op declares itself to the
// rest of the library, next to its type rule, shape, gradient, evaluation
// and lowering (kir.Lowerable), in the op's own file:
//
//	func init() {
//		Register(Registration{
//			Name: "cumsum", Op: CumOp{},
//			Build: func(b *graph.Builder, p Params, in []*graph.Variable) (*graph.Variable, error) {...},
//			Examples: []Example{...},
//		})
//	}
//
// The C ABI's op table (pyapi/optable) applies a registered op by its name,
// pickling (pyapi/serialize.go) encodes its parameters field by field, the
// C++ generator lowers it through its kernel (codegen/cxx/lower_kir.go), and
// the generic tests compile every Example and compare the compiled kernel
// with the evaluator (tests_go/cxx_registered_test.go). A new op is thus its
// file, its test file, a one-line Python wrapper and its Python test.

// Params reads an op's construction parameters by key: the C ABI's decoded
// JSON object (pyapi/optable.Params) implements it. Each getter returns def
// (or ok == false) when the key is absent or null, and an error naming the
// key when the value has the wrong kind.
type Params interface {
	Int(key string, def int) (int, error)
	Ints(key string) (vals []int, ok bool, err error)
	Bool(key string, def bool) (bool, error)
	String(key string, def string) (string, error)
	DType(key string, def dtype.DType) (dtype.DType, error)
	// Items reads a basic index's items (inc_subtensor's); nil when absent.
	Items(key string) ([]IndexItem, error)
}

// Registration is one op's entry in the registry.
type Registration struct {
	// Name is the name the C ABI applies the op by ("cumsum"); Python's
	// wrapper passes it to apply_op.
	Name string
	// Op is a zero value of the op's type: pickling encodes and decodes
	// values of this type field by field, so its fields are exported,
	// comparable and JSON-encodable.
	Op graph.Op
	// Build checks the inputs and parameters and applies the op (its typed
	// constructor), returning a TypeError/ValueError that names the op and
	// the input types; it never panics on user input. Nil for an op that
	// only rewrites and gradients build (gemm, softmax_grad): it has no
	// name at the C ABI, and the registration gives its codec and examples.
	Build func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error)
	// Examples are applications of the op that the generic tests compile
	// with the C++ backend and compare with the evaluator on random values.
	Examples []Example
}

// Example is one application of a registered op for the generic tests:
// inputs of these types (a -1 length is drawn at random, 0 included) and
// the op applied to them with fixed parameters.
type Example struct {
	Inputs []graph.Type
	Apply  func(b *graph.Builder, inputs []*graph.Variable) (*graph.Variable, error)
}

// registry holds every registered op by name; filled by init functions.
var registry = map[string]Registration{}

// Register adds an op to the registry. It is called from init functions
// and panics on a programming error (a duplicate name, a missing field).
func Register(r Registration) {
	if r.Name == "" || r.Op == nil {
		panic(fmt.Sprintf("ops.Register: incomplete registration %+v", r))
	}
	if _, dup := registry[r.Name]; dup {
		panic("ops.Register: two ops named " + r.Name)
	}
	registry[r.Name] = r
}

// Registered lists the registered ops, sorted by name.
func Registered() []Registration {
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
