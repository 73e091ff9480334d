package emulator

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// serverBody is what the server stores for a write of body: the request
// without the read-only fields it may carry, the type's defaults under it,
// its computed and generic read-only fields. The arrays the type keeps as
// child resources are returned apart, by path, present only when body had
// them.
func (s *Server) serverBody(t target, body, old map[string]any) (map[string]any, map[string][]any, *ErrorDetail) {
	rule := s.rule(t.typ)
	out := deepCopy(body).(map[string]any)
	for _, k := range []string{"id", "name", "type", "etag", "systemData"} {
		delete(out, k)
	}
	if props, ok := out["properties"].(map[string]any); ok {
		delete(props, "provisioningState")
	}
	kids := map[string][]any{}
	for path := range rule.Children {
		v, ok := getPath(out, path)
		if !ok {
			continue
		}
		arr, isArr := v.([]any)
		if !isArr && v != nil {
			return nil, nil, &ErrorDetail{Code: "InvalidRequestFormat", Message: fmt.Sprintf("%s must be an array.", path)}
		}
		for i, e := range arr {
			m, _ := e.(map[string]any)
			if name, _ := m["name"].(string); name == "" {
				return nil, nil, &ErrorDetail{Code: "InvalidRequestFormat", Message: fmt.Sprintf("%s[%d] has no name: each element needs one.", path, i)}
			}
		}
		kids[path] = arr
		deletePath(out, path)
	}
	mergeUnder(out, rule.Defaults)
	rule.applyShape(out)
	if loc, ok := out["location"].(string); ok && !rule.KeepLocation {
		out["location"] = NormalizeLocation(loc)
	}
	now := s.opts.Now().UTC()
	out["id"] = t.id
	out["name"] = t.name
	out["type"] = t.typ
	cc := &ComputeContext{ID: t.id, Name: t.name, Type: t.typ, Subscription: t.subscription,
		ResourceGroup: t.resourceGroup, Body: out, Old: old, Now: now}
	if t.parent != "" {
		if p, ok := s.world.get(t.parent); ok {
			cc.Parent = p.Body
		}
	}
	if err := s.immutableChange(t, out, old); err != nil {
		return nil, nil, err
	}
	if rule.Validate != nil {
		if err := rule.Validate(cc); err != nil {
			return nil, nil, err
		}
	}
	if rule.Compute != nil {
		rule.Compute(cc)
	}
	switch rule.ProvisioningState {
	case "-":
	case "":
		setProvisioningState(out, "Succeeded")
	default:
		setProvisioningState(out, rule.ProvisioningState)
	}
	if !rule.NoETag {
		out["etag"] = `W/"` + newID() + `"`
	}
	if !rule.NoSystemData {
		out["systemData"] = systemData(old, now, "user@example.com")
	}
	return out, kids, nil
}

func systemData(old map[string]any, now time.Time, by string) map[string]any {
	ts := now.Format(time.RFC3339Nano)
	sys := map[string]any{
		"createdBy": by, "createdByType": "User", "createdAt": ts,
		"lastModifiedBy": by, "lastModifiedByType": "User", "lastModifiedAt": ts,
	}
	if prev, ok := old["systemData"].(map[string]any); ok {
		for _, k := range []string{"createdBy", "createdByType", "createdAt"} {
			if v, ok := prev[k]; ok {
				sys[k] = v
			}
		}
	}
	return sys
}

func setProvisioningState(body map[string]any, state string) {
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		body["properties"] = props
	}
	props["provisioningState"] = state
}

// store writes a resource and, for the arrays its type keeps as child
// resources, the children: on PUT an absent array deletes them all, on
// PATCH it leaves them alone. Callers hold the world lock.
func (s *Server) store(t target, body map[string]any, kids map[string][]any, put bool) *Resource {
	res := &Resource{ID: t.id, Type: t.typ, Body: body}
	if old, ok := s.world.get(t.id); ok {
		res.KeyGenerations = old.KeyGenerations
	}
	s.world.resources[key(t.id)] = res
	for path, seg := range s.rule(t.typ).Children {
		arr, present := kids[path]
		if !present && !put {
			continue
		}
		keep := map[string]bool{}
		for _, e := range arr {
			elem := deepCopy(e).(map[string]any)
			name, _ := elem["name"].(string)
			ct := target{id: t.id + "/" + seg + "/" + name, subscription: t.subscription, resourceGroup: t.resourceGroup,
				typ: t.typ + "/" + seg, name: name, parent: t.id}
			var oldBody map[string]any
			if old, ok := s.world.get(ct.id); ok {
				oldBody = old.Body
			}
			cb, ckids, err := s.serverBody(ct, elem, oldBody)
			if err != nil {
				continue // validated with the parent
			}
			s.store(ct, cb, ckids, true)
			keep[key(ct.id)] = true
		}
		for _, c := range s.directChildren(t.id, seg) {
			if !keep[key(c.ID)] {
				s.remove(c.ID)
			}
		}
	}
	return res
}

// directChildren lists the child resources of id of one type segment,
// sorted by name. Callers hold the world lock.
func (s *Server) directChildren(id, seg string) []*Resource {
	prefix := key(id) + "/" + strings.ToLower(seg) + "/"
	var keys []string
	for k := range s.world.resources {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]*Resource, len(keys))
	for i, k := range keys {
		out[i] = s.world.resources[k]
	}
	return out
}

// render is the body a GET returns for res: its stored body with the
// arrays built from child resources. Callers hold the world lock.
func (s *Server) render(res *Resource) map[string]any {
	out := deepCopy(res.Body).(map[string]any)
	for path, seg := range s.rule(res.Type).Children {
		arr := []any{}
		for _, c := range s.directChildren(res.ID, seg) {
			cb := s.render(c)
			elem := map[string]any{"name": cb["name"], "id": cb["id"], "type": cb["type"]}
			if e, ok := cb["etag"]; ok {
				elem["etag"] = e
			}
			if p, ok := cb["properties"]; ok {
				elem["properties"] = p
			}
			arr = append(arr, elem)
		}
		setPath(out, path, arr)
	}
	return out
}
