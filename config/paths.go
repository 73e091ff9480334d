package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// A body path is written the way people read JSON: dotted names
// (properties.networkAcls.defaultAction), [N] or [*] for array elements,
// and ["key"] for keys that are not plain names (tags["hidden-link:/x"]).

// PathStep is one step of a parsed path: a key, an index, or every element.
// Plan and state walk bodies with these, so that they read paths (ignore
// changes, sensitive, ...) exactly as the configuration does.
type PathStep struct {
	Key   string
	Index int
	// IsIndex marks an [N] step; All marks [*].
	IsIndex, All bool
}

// ParsePath checks and splits a body path such as
// properties.rules[*].name or tags["hidden-link:/x"].
func ParsePath(s string) ([]PathStep, error) {
	if s == "" {
		return nil, fmt.Errorf("the path is empty")
	}
	var steps []PathStep
	i := 0
	expectName := true
	for i < len(s) {
		switch {
		case s[i] == '[':
			end := strings.IndexByte(s[i:], ']')
			if s[i+1:] != "" && s[i+1] == '"' {
				// A quoted key may itself hold ']'.
				q, err := strconv.QuotedPrefix(s[i+1:])
				if err != nil {
					return nil, fmt.Errorf("%q: the quoted key at offset %d is not closed", s, i)
				}
				key, _ := strconv.Unquote(q)
				j := i + 1 + len(q)
				if j >= len(s) || s[j] != ']' {
					return nil, fmt.Errorf("%q: expected ] after the quoted key at offset %d", s, i)
				}
				steps = append(steps, PathStep{Key: key})
				i = j + 1
				expectName = false
				continue
			}
			if end < 0 {
				return nil, fmt.Errorf("%q: [ at offset %d is not closed", s, i)
			}
			inner := s[i+1 : i+end]
			switch {
			case inner == "*":
				steps = append(steps, PathStep{All: true})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("%q: [%s] is not an array index: write [0], [1], ... or [*] for every element", s, inner)
				}
				steps = append(steps, PathStep{Index: n, IsIndex: true})
			}
			i += end + 1
			expectName = false
		case s[i] == '.':
			if expectName {
				return nil, fmt.Errorf("%q: empty name at offset %d", s, i)
			}
			i++
			expectName = true
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
			steps = append(steps, PathStep{Key: s[i:j]})
			i = j
			expectName = false
		}
	}
	return steps, nil
}

// evalPaths evaluates a list of body paths (ignore_changes, sensitive, ...).
func evalPaths(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	list, diags := evalStringList(a, ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, p := range list {
		if _, err := ParsePath(p); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid path in " + a.Name,
				Detail:   fmt.Sprintf("%s. Paths are dotted names into the body, like \"properties.networkAcls\" or \"properties.subnets[*].name\".", err),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	return list, diags
}

func evalStringList(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("%s must be a list of strings, like [\"properties.tags\"].", a.Name),
		Subject:  a.Expr.Range().Ptr(),
	}}
	if !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType()) {
		return nil, bad
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			return nil, bad
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

// formatPath writes steps back as a path, with [*] for every index.
func formatPath(steps []PathStep) string {
	var b strings.Builder
	for _, s := range steps {
		switch {
		case s.All, s.IsIndex:
			b.WriteString("[*]")
		case plainKey(s.Key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		default:
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		}
	}
	return b.String()
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r == '.' || r == '[' || r == ']' || r == '"' || r == ' ' {
			return false
		}
	}
	return true
}

// keySuffix is how an instance key is written after the block address.
func keySuffix(k cty.Value) (string, bool) {
	if !k.IsKnown() || k.IsNull() {
		return "", false
	}
	switch k.Type() {
	case cty.String:
		return "[" + strconv.Quote(k.AsString()) + "]", true
	case cty.Number:
		bf := k.AsBigFloat()
		if !bf.IsInt() {
			return "", false
		}
		i, _ := bf.Int64()
		return "[" + strconv.FormatInt(i, 10) + "]", true
	}
	return "", false
}
