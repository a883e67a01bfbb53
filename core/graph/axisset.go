package graph

import (
	"fmt"
	"math/bits"
)

// MaxAxes is the highest rank an AxisSet can describe (numpy allows 64).
const MaxAxes = 64

// AxisSet is a set of dimensions of a tensor of rank at most MaxAxes, as a
// bitmask: bit d is set when dimension d is in the set. It is what a
// reduction keeps of its axes; unlike a []int it is comparable, so an op
// holding one can be compared with == (and used as a map key), and it is
// sorted and free of duplicates by construction.
//
//	NewAxisSet(2, 0).Axes() == []int{0, 2}; NewAxisSet(2, 0).String() == "[0 2]"
type AxisSet uint64

// NewAxisSet returns the set of the given axes, each in [0, MaxAxes).
// It panics on an axis out of that range: callers check user axes first
// (ops.NormalizeAxes does).
func NewAxisSet(axes ...int) AxisSet {
	var s AxisSet
	for _, a := range axes {
		if a < 0 || a >= MaxAxes {
			panic(fmt.Sprintf("graph.NewAxisSet: axis %d out of [0, %d)", a, MaxAxes))
		}
		s |= 1 << uint(a)
	}
	return s
}

// Has reports whether axis d is in the set.
func (s AxisSet) Has(d int) bool { return d >= 0 && d < MaxAxes && s&(1<<uint(d)) != 0 }

// Len is the number of axes in the set.
func (s AxisSet) Len() int { return bits.OnesCount64(uint64(s)) }

// Axes lists the axes in increasing order (an empty, non-nil slice for none).
func (s AxisSet) Axes() []int {
	out := make([]int, 0, s.Len())
	for d := 0; d < MaxAxes; d++ {
		if s.Has(d) {
			out = append(out, d)
		}
	}
	return out
}

// String prints the axes as a Go []int prints: "[0 2]".
func (s AxisSet) String() string { return fmt.Sprint(s.Axes()) }

// MarshalText encodes the set as its axes separated by commas ("0,2"), the
// form serialized graphs keep (encoding.TextMarshaler).
func (s AxisSet) MarshalText() ([]byte, error) { return formatInts(s.Axes()), nil }

// UnmarshalText decodes what MarshalText encodes.
func (s *AxisSet) UnmarshalText(text []byte) error {
	axes, err := parseInts(text)
	if err != nil {
		return err
	}
	for _, a := range axes {
		if a < 0 || a >= MaxAxes {
			return fmt.Errorf("axis %d out of [0, %d)", a, MaxAxes)
		}
	}
	*s = NewAxisSet(axes...)
	return nil
}
