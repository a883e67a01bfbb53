package graph

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// IntList is an immutable list of ints that is comparable with ==: the
// form in which an op keeps a list parameter (a dimshuffle pattern, an
// encoded index), so that the op stays a comparable value. It is backed by
// a string holding each element as 8 little-endian bytes; a Go string
// compares by content, and nobody can modify it after construction.
//
//	NewIntList(1, -1, 0) == NewIntList(1, -1, 0) // true
//	NewIntList(1, -1, 0).Ints()                   // []int{1, -1, 0}, a fresh copy
type IntList struct {
	data string
}

// NewIntList returns the list of the given values (copied).
func NewIntList(values ...int) IntList {
	buf := make([]byte, 8*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(int64(v)))
	}
	return IntList{data: string(buf)}
}

// Len is the number of elements.
func (l IntList) Len() int { return len(l.data) / 8 }

// At returns element i.
func (l IntList) At(i int) int {
	return int(int64(binary.LittleEndian.Uint64([]byte(l.data[8*i : 8*i+8]))))
}

// Ints returns the elements as a new slice (non-nil, possibly empty).
func (l IntList) Ints() []int {
	out := make([]int, l.Len())
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// String prints the elements as a Go []int prints: "[1 -1 0]".
func (l IntList) String() string { return fmt.Sprint(l.Ints()) }

// MarshalText encodes the list as its elements separated by commas
// ("1,-1,0"), the form serialized graphs keep (encoding.TextMarshaler).
func (l IntList) MarshalText() ([]byte, error) { return formatInts(l.Ints()), nil }

// UnmarshalText decodes what MarshalText encodes.
func (l *IntList) UnmarshalText(text []byte) error {
	v, err := parseInts(text)
	if err != nil {
		return err
	}
	*l = NewIntList(v...)
	return nil
}

// formatInts writes values separated by commas.
func formatInts(values []int) []byte {
	var out []byte
	for i, v := range values {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, int64(v), 10)
	}
	return out
}

// parseInts reads what formatInts writes ("" is no values).
func parseInts(text []byte) ([]int, error) {
	if len(text) == 0 {
		return []int{}, nil
	}
	parts := strings.Split(string(text), ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("bad integer list %q: %v", text, err)
		}
		out[i] = v
	}
	return out, nil
}
