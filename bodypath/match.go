package bodypath

import "strings"

// MatchPrefix reports whether the pattern pt matches the first len(pt)
// steps of the concrete path: path is the pattern's value or lies inside
// it. Keys compare case-insensitively, as ARM's property names do; [*]
// matches any element, [N] the element at position N (for an element
// matched by a field, its position in the declared array), and
// [field=value] an element the path names by that field and value
// (case-insensitively, as names and IDs compare).
func (pt Path) MatchPrefix(path Path) bool {
	if len(path) < len(pt) {
		return false
	}
	for i, ps := range pt {
		s := path[i]
		if ps.Elem != s.Elem {
			return false
		}
		if ps.Elem {
			if !elemMatches(ps, s) {
				return false
			}
			continue
		}
		if !strings.EqualFold(ps.Key, s.Key) {
			return false
		}
	}
	return true
}

// Match reports whether the pattern pt names exactly the concrete path.
func (pt Path) Match(path Path) bool {
	return len(path) == len(pt) && pt.MatchPrefix(path)
}

// elemMatches reports whether the pattern's element step ps names the
// concrete element step s.
func elemMatches(ps, s Step) bool {
	switch {
	case ps.All:
		return true
	case ps.MatchField != "":
		return strings.EqualFold(ps.MatchField, s.MatchField) && strings.EqualFold(ps.MatchValue, s.MatchValue)
	}
	return ps.Index == s.Index
}
