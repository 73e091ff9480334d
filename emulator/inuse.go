package emulator

import (
	"sort"
	"strings"
)

// InUseRule refuses to delete a resource while another resource uses it,
// as Network refuses to delete a subnet a network interface sits in.
type InUseRule struct {
	// Key is the name under which other bodies reference a resource of
	// the type: it is in use while an object {Key: {"id": its ID}} appears
	// anywhere in the stored body of a resource that is not itself being
	// deleted.
	Key string
	// Error is the refusal, from the resource's name and the ID of what
	// uses it (the nearest object around the reference that has an id,
	// such as a network interface's IP configuration). It is answered
	// with status 400.
	Error func(name, usedBy string) *ErrorDetail
}

// subnetInUse is Network's refusal to delete a subnet in use.
func subnetInUse(name, usedBy string) *ErrorDetail {
	return &ErrorDetail{Code: "InUseSubnetCannotBeDeleted", Message: "Subnet " + name + " is in use by " + usedBy +
		" and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."}
}

// inUse returns the refusal to delete the resources with the given IDs
// (together) when one of them is used by a resource outside the set, or
// nil. Callers hold the world lock.
func (s *Server) inUse(ids []string) *ErrorDetail {
	gone := map[string]bool{}
	var guarded []*Resource
	for _, id := range ids {
		gone[key(id)] = true
		if r, ok := s.world.get(id); ok && s.rule(r.Type).InUse != nil {
			guarded = append(guarded, r)
		}
	}
	if len(guarded) == 0 {
		return nil
	}
	sort.Slice(guarded, func(i, j int) bool { return key(guarded[i].ID) < key(guarded[j].ID) })
	users := make([]string, 0, len(s.world.resources))
	for k := range s.world.resources {
		if !gone[k] {
			users = append(users, k)
		}
	}
	sort.Strings(users)
	for _, g := range guarded {
		rule := s.rule(g.Type).InUse
		for _, k := range users {
			u := s.world.resources[k]
			if by, ok := referencedBy(u.Body, rule.Key, g.ID, u.ID); ok {
				name, _ := g.Body["name"].(string)
				if name == "" {
					name = g.ID[strings.LastIndex(g.ID, "/")+1:]
				}
				return rule.Error(name, by)
			}
		}
	}
	return nil
}

// referencedBy looks for {refKey: {"id": id}} in v and returns the ID of
// the nearest object around it that has one (enclosing, v's own at the
// top).
func referencedBy(v any, refKey, id, enclosing string) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		if own, ok := v["id"].(string); ok && own != "" {
			enclosing = own
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := v[k]
			if strings.EqualFold(k, refKey) {
				if ref, ok := e.(map[string]any); ok {
					if rid, ok := ref["id"].(string); ok && key(rid) == key(id) {
						return enclosing, true
					}
				}
			}
			if by, ok := referencedBy(e, refKey, id, enclosing); ok {
				return by, true
			}
		}
	case []any:
		for _, e := range v {
			if by, ok := referencedBy(e, refKey, id, enclosing); ok {
				return by, true
			}
		}
	}
	return "", false
}
