package bodypath

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a path in any form String writes, and the forms users write
// in rules: dotted names, [N], [*], ["key"] and [field=value]. Its errors
// quote the path and say where it goes wrong, for the person who wrote it.
func Parse(s string) (Path, error) {
	if s == "" {
		return nil, fmt.Errorf("the path is empty")
	}
	var p Path
	expectName := true
	for i := 0; i < len(s); {
		switch s[i] {
		case '[':
			step, n, err := parseBracket(s, i)
			if err != nil {
				return nil, err
			}
			p = append(p, step)
			i, expectName = n, false
		case '.':
			if expectName {
				return nil, fmt.Errorf("%q: empty name at offset %d", s, i)
			}
			i, expectName = i+1, true
			if i == len(s) {
				return nil, fmt.Errorf("%q ends with a dot", s)
			}
		default:
			if !expectName {
				return nil, fmt.Errorf("%q: expected . or [ at offset %d", s, i)
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				if s[j] == ']' || s[j] == ' ' {
					return nil, fmt.Errorf("%q: unexpected %q at offset %d; quote keys with unusual characters as [\"key\"]", s, s[j], j)
				}
				j++
			}
			p = append(p, Step{Key: s[i:j]})
			i, expectName = j, false
		}
	}
	return p, nil
}

// parseBracket reads the bracketed step that starts at s[i] ('['): a
// quoted key, [*], [N] or [field=value]. It returns the step and the
// offset just after its ']'.
func parseBracket(s string, i int) (Step, int, error) {
	if strings.HasPrefix(s[i+1:], `"`) {
		// A quoted key may itself hold ']'.
		q, err := strconv.QuotedPrefix(s[i+1:])
		if err != nil {
			return Step{}, 0, fmt.Errorf("%q: the quoted key at offset %d is not closed", s, i)
		}
		j := i + 1 + len(q)
		if j >= len(s) || s[j] != ']' {
			return Step{}, 0, fmt.Errorf("%q: expected ] after the quoted key at offset %d", s, i)
		}
		key, _ := strconv.Unquote(q)
		return Step{Key: key}, j + 1, nil
	}
	end := strings.IndexByte(s[i:], ']')
	if end < 0 {
		return Step{}, 0, fmt.Errorf("%q: [ at offset %d is not closed", s, i)
	}
	inner := s[i+1 : i+end]
	next := i + end + 1
	if inner == "*" {
		return Step{Elem: true, All: true}, next, nil
	}
	if field, value, ok := strings.Cut(inner, "="); ok && plainKey.MatchString(field) {
		return Step{Elem: true, MatchField: field, MatchValue: value}, next, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil || n < 0 {
		return Step{}, 0, fmt.Errorf("%q: [%s] is not an array index: write [0], [1], ... or [*] for every element", s, inner)
	}
	return Step{Elem: true, Index: n}, next, nil
}
