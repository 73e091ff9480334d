package body

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/bodypath"
)

// lookup finds the value at path in a body. Elements matched by a field are
// found by that field, the others by position.
func lookup(v any, path bodypath.Path) (any, bool) {
	return keyIndexes(nil).lookup(v, path)
}

// keyIndexes remember, for each array of matched elements and match field,
// where each key is, so that matching n named elements (an application
// gateway's hundreds of rules) costs O(n) rather than O(n²). One diff keeps
// one; the bodies must not change while it is used. A nil keyIndexes scans.
type keyIndexes map[keyIndexID]map[string][]int

type keyIndexID struct {
	first *any
	n     int
	field string
}

// minIndexed is the shortest array worth a map: below it, a scan is faster.
const minIndexed = 16

// positions returns the positions of the elements of arr whose key is k,
// in order.
func (ix keyIndexes) positions(arr []any, field, k string) []int {
	if ix == nil || len(arr) < minIndexed {
		var out []int
		for j, e := range arr {
			if KeyOf(e, field) == k {
				out = append(out, j)
			}
		}
		return out
	}
	id := keyIndexID{first: &arr[0], n: len(arr), field: field}
	m, ok := ix[id]
	if !ok {
		m = make(map[string][]int, len(arr))
		for j, e := range arr {
			key := KeyOf(e, field)
			m[key] = append(m[key], j)
		}
		ix[id] = m
	}
	return m[k]
}

func (ix keyIndexes) lookup(v any, path bodypath.Path) (any, bool) {
	return bodypath.Lookup(v, path, ix.first)
}

// first is the position of the first element of arr whose key is k, or -1:
// how a lookup finds a [field=value] step.
func (ix keyIndexes) first(arr []any, field, k string) int {
	if at := ix.positions(arr, field, k); len(at) > 0 {
		return at[0]
	}
	return -1
}

// KeyOf returns the matching key of an array element: the field's value as a
// string, lower-cased for name and id (ARM compares them case-insensitively).
// It is "" when the element has no such scalar field.
func KeyOf(e any, field string) string {
	m, ok := e.(map[string]any)
	if !ok {
		return ""
	}
	v, ok := m[field]
	if !ok || v == nil {
		return ""
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case map[string]any, []any, Unknown:
		return ""
	default:
		s = fmt.Sprint(v)
		if n, ok := number(v); ok {
			s = n.Text('g', -1)
		}
	}
	if field == "name" || field == "id" || looksLikeID(s) {
		s = strings.ToLower(s)
	}
	return s
}
