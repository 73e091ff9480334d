// Package armid parses and compares Azure Resource Manager resource IDs. It
// has no HTTP in it, so that the configuration language can use it to find
// ARM containment between declared resources.
package armid

import (
	"fmt"
	"strings"
)

// ID is a parsed ARM resource ID.
type ID struct {
	raw  string
	segs []string
}

// Parse checks that s has the shape of an ARM resource ID: a leading slash,
// /subscriptions/{id} first, no empty segments, and no query string.
func Parse(s string) (ID, error) {
	if s == "" {
		return ID{}, fmt.Errorf("the resource ID is empty")
	}
	if strings.Contains(s, "://") {
		return ID{}, fmt.Errorf("%q is a URL, not a resource ID: give the path only, starting with /subscriptions/", s)
	}
	if !strings.HasPrefix(s, "/") {
		return ID{}, fmt.Errorf("%q does not start with \"/\": a resource ID looks like /subscriptions/{id}/resourceGroups/{name}/...", s)
	}
	if strings.ContainsAny(s, "?#") {
		return ID{}, fmt.Errorf("%q contains a query or fragment: a resource ID is a path only (the api-version goes in api_version)", s)
	}
	trimmed := strings.TrimSuffix(s, "/")
	segs := strings.Split(trimmed[1:], "/")
	for i, seg := range segs {
		if seg == "" {
			return ID{}, fmt.Errorf("%q has an empty segment at position %d", s, i+1)
		}
		if seg == "." || seg == ".." {
			return ID{}, fmt.Errorf("%q contains a %q segment: resource IDs have no relative parts", s, seg)
		}
		if strings.TrimSpace(seg) != seg || strings.ContainsAny(seg, " \t\n") {
			return ID{}, fmt.Errorf("%q contains white space in segment %q", s, seg)
		}
	}
	if !strings.EqualFold(segs[0], "subscriptions") && !strings.EqualFold(segs[0], "providers") {
		return ID{}, fmt.Errorf("%q does not start with /subscriptions/{id} or /providers/", s)
	}
	if len(segs)%2 != 0 {
		return ID{}, fmt.Errorf("%q has an odd number of segments (%d): every type segment needs a name after it", s, len(segs))
	}
	return ID{raw: trimmed, segs: segs}, nil
}

// String returns the ID as it was written (without a trailing slash).
func (id ID) String() string { return id.raw }

// Equal compares two IDs case-insensitively, as ARM does.
func Equal(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// IsUnder reports whether child lies strictly inside parent: parent is a
// prefix of child on a segment boundary, compared case-insensitively.
func IsUnder(child, parent string) bool {
	c := strings.ToLower(strings.TrimSuffix(child, "/"))
	p := strings.ToLower(strings.TrimSuffix(parent, "/"))
	return len(c) > len(p)+1 && strings.HasPrefix(c, p) && c[len(p)] == '/'
}
