package secret

import (
	"sort"
	"strings"

	"github.com/azapply/azapply/bodypath"
)

// Redact returns body with every string that Named finds in it replaced by
// replace(value), and whether it replaced any. Body is a JSON value as
// encoding/json decodes it (map[string]any, []any, string…); it is never
// changed: the maps and slices on the way to a secret are copied, the rest
// is shared with body.
func Redact(id string, body any, replace func(any) any) (any, bool) {
	return redact(id, body, make([]Step, 0, 16), replace)
}

func redact(id string, v any, path []Step, replace func(any) any) (any, bool) {
	switch v := v.(type) {
	case string:
		if Named(id, path) {
			return replace(v), true
		}
	case map[string]any:
		var out map[string]any
		for k, e := range v {
			if isTags(k) {
				continue
			}
			ne, changed := redact(id, e, append(path, Step{Key: k}), replace)
			if !changed {
				continue
			}
			if out == nil {
				out = make(map[string]any, len(v))
				for k2, e2 := range v {
					out[k2] = e2
				}
			}
			out[k] = ne
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range v {
			ne, changed := redact(id, e, append(path, Step{Elem: true}), replace)
			if !changed {
				continue
			}
			if out == nil {
				out = append([]any(nil), v...)
			}
			out[i] = ne
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// isTags: nothing under tags is a secret by its name, so the walk skips it.
func isTags(k string) bool { return strings.EqualFold(k, "tags") }

// Paths lists the paths of the strings Named finds in body, written
// properties.keys[*].value, for tests and for callers that keep paths.
func Paths(id string, body any) []string {
	var out []string
	var walk func(v any, path []Step)
	walk = func(v any, path []Step) {
		switch v := v.(type) {
		case string:
			if Named(id, path) {
				out = append(out, Format(path))
			}
		case map[string]any:
			for k, e := range v {
				if !isTags(k) {
					walk(e, append(path[:len(path):len(path)], Step{Key: k}))
				}
			}
		case []any:
			for _, e := range v {
				walk(e, append(path[:len(path):len(path)], Step{Elem: true}))
			}
		}
	}
	walk(body, nil)
	sort.Strings(out)
	return out
}

// Format writes a path as the configuration's sensitive list does:
// properties.keys[*].value, with ["key"] for keys that are not plain names
// (package bodypath's spelling, every element written [*]).
func Format(path []Step) string {
	p := make(bodypath.Path, len(path))
	for i, st := range path {
		if st.Elem {
			st = bodypath.Step{Elem: true, All: true}
		}
		p[i] = st
	}
	return p.String()
}

// Strings returns the strings that Named finds in body: the secrets a
// service returned, for cleaning text that may quote them.
func Strings(id string, body any) []string {
	var out []string
	Redact(id, body, func(v any) any {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
		return v
	})
	return out
}
