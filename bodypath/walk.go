package bodypath

import (
	"fmt"
	"strings"
)

// A Finder returns the position of the element of arr that a
// [field=value] step selects, or -1. The diff passes its own, which knows
// how ARM compares names and IDs and keeps an index of long arrays.
type Finder func(arr []any, field, value string) int

// exactField finds the first element whose field, a string, is value.
func exactField(arr []any, field, value string) int {
	for i, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m[field]; ok && fmt.Sprint(v) == value {
				return i
			}
		}
	}
	return -1
}

// Lookup finds the value at the concrete path p in a JSON body v (maps,
// slices and scalars as encoding/json decodes them). Elements selected by
// a field are found by find (nil: the first whose field reads as the
// value), the others by position. A [*] step names no one value: Lookup
// does not find it.
func Lookup(v any, p Path, find Finder) (any, bool) {
	if find == nil {
		find = exactField
	}
	for _, s := range p {
		if !s.Elem {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.Key]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok || s.All {
			return nil, false
		}
		if s.MatchField == "" {
			if s.Index >= len(arr) {
				return nil, false
			}
			v = arr[s.Index]
			continue
		}
		j := find(arr, s.MatchField, s.MatchValue)
		if j < 0 {
			return nil, false
		}
		v = arr[j]
	}
	return v, true
}

// Replace replaces, in place, every value of v that the pattern pt names
// with f of it. Keys are matched case-insensitively, as ARM reads them and
// as Match does, so a path declared as properties.customsetting names the
// customSetting the service returns; [*]
// names every element, [N] one, [field=value] the elements whose field
// reads as the value, case-insensitively. Values absent from v are skipped. An empty pattern
// names v itself, which Replace cannot change in place: it does nothing.
func Replace(v any, pt Path, f func(any) any) {
	if len(pt) == 0 {
		return
	}
	s, last := pt[0], len(pt) == 1
	if !s.Elem {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, e := range m {
			if !strings.EqualFold(k, s.Key) {
				continue
			}
			if last {
				m[k] = f(e)
			} else {
				Replace(e, pt[1:], f)
			}
		}
		return
	}
	a, ok := v.([]any)
	if !ok {
		return
	}
	for i := range a {
		if !stepSelects(s, a, i) {
			continue
		}
		if last {
			a[i] = f(a[i])
			continue
		}
		Replace(a[i], pt[1:], f)
	}
}

// stepSelects reports whether the element step s names arr[i].
func stepSelects(s Step, arr []any, i int) bool {
	switch {
	case s.All:
		return true
	case s.MatchField != "":
		m, ok := arr[i].(map[string]any)
		if !ok {
			return false
		}
		v, ok := m[s.MatchField]
		return ok && strings.EqualFold(fmt.Sprint(v), s.MatchValue)
	}
	return i == s.Index
}
