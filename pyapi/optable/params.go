package optable

import (
	"encoding/json"
	"fmt"

	"theanogo/core/dtype"
)

// Params are an op's construction parameters as the C ABI passes them: a
// decoded JSON object such as {"axis": [0, 1], "keepdims": true}.
type Params map[string]any

// ParseParams decodes a JSON object ("" or "null" is no parameters).
func ParseParams(text string) (Params, error) {
	p := Params{}
	if text == "" || text == "null" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, fmt.Errorf("bad op parameters %q: %v", text, err)
	}
	return p, nil
}

// Has reports whether key is present and not null.
func (p Params) Has(key string) bool { return p[key] != nil }

// Int returns an integer parameter, or def when it is absent.
func (p Params) Int(key string, def int) (int, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, fmt.Errorf("parameter %s must be an integer, got %v", key, v)
	}
	return int(f), nil
}

// Ints returns a list-of-integers parameter (a single integer is a list of
// one); ok is false when the key is absent or null.
func (p Params) Ints(key string) (vals []int, ok bool, err error) {
	v := p[key]
	if v == nil {
		return nil, false, nil
	}
	if f, isNum := v.(float64); isNum {
		v = []any{f}
	}
	list, isList := v.([]any)
	if !isList {
		return nil, true, fmt.Errorf("parameter %s must be a list of integers, got %v", key, v)
	}
	for _, e := range list {
		f, isNum := e.(float64)
		if !isNum || f != float64(int(f)) {
			return nil, true, fmt.Errorf("parameter %s must be a list of integers, got %v", key, v)
		}
		vals = append(vals, int(f))
	}
	return vals, true, nil
}

// Bool returns a boolean parameter, or def when it is absent.
func (p Params) Bool(key string, def bool) (bool, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("parameter %s must be a boolean, got %v", key, v)
	}
	return b, nil
}

// String returns a string parameter, or def when it is absent.
func (p Params) String(key string, def string) (string, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("parameter %s must be a string, got %v", key, v)
	}
	return s, nil
}

// DType returns a dtype-name parameter, or def when it is absent.
func (p Params) DType(key string, def dtype.DType) (dtype.DType, error) {
	s, err := p.String(key, "")
	if err != nil || s == "" {
		return def, err
	}
	return dtype.Parse(s)
}
