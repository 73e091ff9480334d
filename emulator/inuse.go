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
// nil. It reads every other stored body once. Callers hold the world lock.
func (s *Server) inUse(ids []string) *ErrorDetail {
	gone := map[string]bool{}
	var guarded []*Resource
	refKeys := map[string]bool{}
	for _, id := range ids {
		gone[key(id)] = true
		if r, ok := s.world.get(id); ok {
			if rule := s.rule(r.Type).InUse; rule != nil {
				guarded = append(guarded, r)
				refKeys[strings.ToLower(rule.Key)] = true
			}
		}
	}
	if len(guarded) == 0 {
		return nil
	}
	// The user of each referenced ID: the least resource key, then the
	// least enclosing ID, so that the answer does not depend on map order.
	type use struct{ user, by string }
	used := map[string]use{}
	for k, u := range s.world.resources {
		if gone[k] {
			continue
		}
		references(u.Body, refKeys, u.ID, func(ref string, by string) {
			if prev, ok := used[ref]; !ok || k < prev.user || (k == prev.user && by < prev.by) {
				used[ref] = use{user: k, by: by}
			}
		})
	}
	sort.Slice(guarded, func(i, j int) bool { return key(guarded[i].ID) < key(guarded[j].ID) })
	for _, g := range guarded {
		rule := s.rule(g.Type).InUse
		if u, ok := used[strings.ToLower(rule.Key)+"|"+key(g.ID)]; ok {
			name, _ := g.Body["name"].(string)
			if name == "" {
				name = g.ID[strings.LastIndex(g.ID, "/")+1:]
			}
			return rule.Error(name, u.by)
		}
	}
	return nil
}

// references calls found(refKey|key(id), enclosing) for every object
// {refKey: {"id": id}} in v whose refKey (in lower case) is in refKeys;
// enclosing is the ID of the nearest object around it that has one (v's
// own at the top, else the one given).
func references(v any, refKeys map[string]bool, enclosing string, found func(ref, by string)) {
	switch v := v.(type) {
	case map[string]any:
		if own, ok := v["id"].(string); ok && own != "" {
			enclosing = own
		}
		for k, e := range v {
			if ref, ok := e.(map[string]any); ok && refKeys[strings.ToLower(k)] {
				if rid, ok := ref["id"].(string); ok && rid != "" {
					found(strings.ToLower(k)+"|"+key(rid), enclosing)
				}
			}
			references(e, refKeys, enclosing, found)
		}
	case []any:
		for _, e := range v {
			references(e, refKeys, enclosing, found)
		}
	}
}
