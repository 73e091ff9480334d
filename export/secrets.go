package export

import (
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/secret"
)

// joinPath writes path segments as a body path: members joined by dots,
// array elements as [i].
func joinPath(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// isMasked reports whether a live value is a mask the service shows in
// place of a secret it never returns (****, <redacted>).
func isMasked(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if len(s) >= 3 && strings.Trim(s, "*") == "" {
		return true
	}
	switch strings.ToLower(s) {
	case "<redacted>", "[redacted]", "redacted", "<hidden>", "<sensitive>":
		return true
	}
	return false
}

// omitMasked takes the masked values out of r.Body and returns a comment
// line for each, and for each value the type's service never returns.
func omitMasked(r *Resource) []string {
	var notes []string
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				p := append(path[:len(path):len(path)], k)
				if isMasked(e) {
					notes = append(notes, joinPath(p)+": the service masks it; set it here to manage it")
					continue
				}
				out[k] = walk(e, p)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = walk(e, append(path[:len(path):len(path)], "["+itoa(i)+"]"))
			}
			return out
		}
		return v
	}
	r.Body, _ = walk(r.Body, nil).(map[string]any)
	for _, p := range ruleFor(serviceWriteOnly, r.Type) {
		if !has(r.Live, p) {
			notes = append(notes, strings.Join(p, ".")+": the service never returns it; set it here to manage it")
		}
	}
	sortStrings(notes)
	return notes
}

// has reports whether body has a value at path (no wildcards).
func has(body map[string]any, path []string) bool {
	var v any = body
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[k]; !ok {
			return false
		}
	}
	return true
}

// secretNames hands out variable names, each once.
type secretNames struct{ taken map[string]bool }

// secretsOf lists the string values of r.Body that are secrets by their
// name and place (secret.Named, the rule every command uses), or that hold
// a secret known (known may be nil): each becomes a sensitive variable.
func secretsOf(r *Resource, names *secretNames, known func(string) bool) []Secret {
	var out []Secret
	var walk func(v any, path []string, steps []secret.Step)
	walk = func(v any, path []string, steps []secret.Step) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedMapKeys(v) {
				p := append(path[:len(path):len(path)], k)
				st := append(steps[:len(steps):len(steps)], secret.Step{Key: k})
				if s, ok := v[k].(string); ok && s != "" && (secret.Named(r.ID, st) || (known != nil && known(s))) {
					out = append(out, Secret{Variable: names.name(r.Name + "_" + k), Resource: "resource." + r.Name, Path: joinPath(p)})
					continue
				}
				walk(v[k], p, st)
			}
		case []any:
			for i, e := range v {
				p := append(path[:len(path):len(path)], "["+itoa(i)+"]")
				st := append(steps[:len(steps):len(steps)], secret.Step{Elem: true})
				// A string element (a container's args, a list of
				// connection strings) is a secret by its place or by
				// holding a known one, as a member is.
				if s, ok := e.(string); ok && s != "" && (secret.Named(r.ID, st) || (known != nil && known(s))) {
					name := r.Name
					if len(path) > 0 {
						name += "_" + path[len(path)-1]
					}
					out = append(out, Secret{Variable: names.name(name), Resource: "resource." + r.Name, Path: joinPath(p)})
					continue
				}
				walk(e, p, st)
			}
		}
	}
	walk(r.Body, nil, nil)
	return out
}

func (n *secretNames) name(s string) string {
	base := strings.ReplaceAll(identifier(s), "-", "_")
	cand := base
	for i := 2; n.taken[strings.ToLower(cand)]; i++ {
		cand = base + "_" + itoa(i)
	}
	n.taken[strings.ToLower(cand)] = true
	return cand
}

// withoutInlineChildren is r.Body without the arrays that hold inline
// copies of r's children exported on their own (an array whose elements
// all carry the ID of an exported resource under r), and without the id
// and type of the inline sub-resources that stay (a network interface's
// ipConfigurations): ARM builds them from the element's name.
func withoutInlineChildren(r *Resource, g *graph) map[string]any {
	out, _ := prune(r.Body, nil, func(path []string, key string) bool {
		return false
	}).(map[string]any)
	var walk func(m map[string]any, top bool)
	walk = func(m map[string]any, top bool) {
		if id, ok := m["id"].(string); ok && !top && armid.IsUnder(id, r.ID) {
			if _, exported := g.byID[armid.Key(id)]; !exported {
				delete(m, "id")
				delete(m, "type")
			}
		}
		for k, v := range m {
			switch v := v.(type) {
			case map[string]any:
				walk(v, false)
			case []any:
				if len(v) > 0 && allExportedChildren(v, r, g) {
					delete(m, k)
					continue
				}
				for _, e := range v {
					if em, ok := e.(map[string]any); ok {
						walk(em, false)
					}
				}
			}
		}
	}
	walk(out, true)
	return out
}

func allExportedChildren(arr []any, r *Resource, g *graph) bool {
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		id, _ := m["id"].(string)
		c, ok := g.byID[armid.Key(id)]
		if !ok || c == r || !armid.IsUnder(c.ID, r.ID) {
			return false
		}
	}
	return true
}
