package graph

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
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

// MarshalJSON encodes the list as a JSON array of integers.
func (l IntList) MarshalJSON() ([]byte, error) { return json.Marshal(l.Ints()) }

// UnmarshalJSON decodes a JSON array of integers.
func (l *IntList) UnmarshalJSON(data []byte) error {
	var v []int
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*l = NewIntList(v...)
	return nil
}
