package emulator

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// pendingWrite is what the server will store for a PUT or PATCH: the resource's
// body and, for each array its type keeps as child resources, the writes
// of those children. A path is present in kids only when the request had
// the array (an empty slice then deletes every child).
type pendingWrite struct {
	t    target
	body map[string]any
	kids map[string][]*pendingWrite
	// leave are the paths of arrays a PUT left out whose children stay
	// (TypeRule.KeepOmittedFrom).
	leave map[string]bool
}

// serverBody is what the server stores for a write of body: the request
// without the read-only fields it may carry, the type's defaults under it,
// its computed and generic read-only fields, and the writes of the
// children the request's arrays carry. old is the stored body before the
// write (nil on create). A request that sets a read-only value to
// something the service does not hold is refused (see readOnlyConflict).
func (s *Server) serverBody(t target, body, old map[string]any) (*pendingWrite, *ErrorDetail) {
	var parent map[string]any
	if t.parent != "" {
		if p, ok := s.world.get(t.parent); ok {
			parent = p.Body
		}
	}
	return s.compute(t, body, old, parent)
}

// compute is serverBody with the enclosing resource's body given: the
// stored one for a write of the resource itself, the one being written
// when the children come inline in their parent's request.
func (s *Server) compute(t target, body, old, parent map[string]any) (*pendingWrite, *ErrorDetail) {
	rule := s.rule(t.typ)
	out := deepCopy(body).(map[string]any)
	for _, k := range []string{"id", "name", "type", "etag", "systemData"} {
		delete(out, k)
	}
	if props, ok := out["properties"].(map[string]any); ok {
		delete(props, "provisioningState")
	}
	arrays := map[string][]any{}
	for path := range rule.Children {
		v, ok := getPath(out, path)
		if !ok {
			continue
		}
		arr, isArr := v.([]any)
		if !isArr && v != nil {
			return nil, &ErrorDetail{Code: "InvalidRequestFormat", Message: fmt.Sprintf("%s must be an array.", path)}
		}
		for i, e := range arr {
			m, _ := e.(map[string]any)
			if name, _ := m["name"].(string); name == "" {
				return nil, &ErrorDetail{Code: "InvalidRequestFormat", Message: fmt.Sprintf("%s[%d] has no name: each element needs one.", path, i)}
			}
		}
		arrays[path] = arr
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
		ResourceGroup: t.resourceGroup, Body: out, Old: old, Parent: parent, Now: now}
	if err := s.immutableChange(t, out, old); err != nil {
		return nil, err
	}
	if rule.Validate != nil {
		if err := rule.Validate(cc); err != nil {
			return nil, err
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
		out["etag"] = `W/"` + uuid.NewString() + `"`
	}
	if !rule.NoSystemData {
		out["systemData"] = systemData(old, now, "user@example.com")
	}
	if err := readOnlyConflict(body, old, out, cc.readOnly); err != nil {
		return nil, err
	}
	w := &pendingWrite{t: t, body: out, kids: map[string][]*pendingWrite{}}
	for path, arr := range arrays {
		seg := rule.Children[path]
		w.kids[path] = []*pendingWrite{}
		for i, e := range arr {
			elem := e.(map[string]any)
			name := elem["name"].(string)
			ct := target{id: t.id + "/" + seg + "/" + name, subscription: t.subscription, resourceGroup: t.resourceGroup,
				typ: t.typ + "/" + seg, name: name, parent: t.id}
			var oldChild map[string]any
			if c, ok := s.world.get(ct.id); ok {
				oldChild = c.Body
			}
			cw, err := s.compute(ct, elem, oldChild, out)
			if err != nil {
				return nil, &ErrorDetail{Code: err.Code, Message: fmt.Sprintf("%s[%d] (%s): %s", path, i, name, err.Message)}
			}
			w.kids[path] = append(w.kids[path], cw)
		}
	}
	return w, nil
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

// leaveOmitted marks the arrays this PUT left out whose children stay, as
// the type's KeepOmittedFrom says for apiVersion.
func (w *pendingWrite) leaveOmitted(rule *TypeRule, apiVersion string) {
	for path, from := range rule.KeepOmittedFrom {
		if _, present := w.kids[path]; !present && apiVersion >= from {
			if w.leave == nil {
				w.leave = map[string]bool{}
			}
			w.leave[path] = true
		}
	}
}

// withBody returns w with another body for the resource itself (the
// interim body of an operation that has not finished), children kept.
func (w *pendingWrite) withBody(body map[string]any) *pendingWrite {
	return &pendingWrite{t: w.t, body: body, kids: w.kids, leave: w.leave}
}

// store writes a resource and, for the arrays its type keeps as child
// resources, the children: on PUT an absent array deletes them all, on
// PATCH it leaves them alone. Callers hold the world lock and have checked
// with dropped and inUse that nothing removed is in use.
func (s *Server) store(w *pendingWrite, put bool) *Resource {
	t := w.t
	res := &Resource{ID: t.id, Type: t.typ, Body: w.body}
	if old, ok := s.world.get(t.id); ok {
		res.KeyGenerations = old.KeyGenerations
	}
	s.world.resources[key(t.id)] = res
	for path, seg := range s.rule(t.typ).Children {
		kids, present := w.kids[path]
		if !present && (!put || w.leave[path]) {
			continue
		}
		keep := map[string]bool{}
		for _, cw := range kids {
			s.store(cw, true)
			keep[key(cw.t.id)] = true
		}
		for _, c := range s.directChildren(t.id, seg) {
			if !keep[key(c.ID)] {
				s.remove(c.ID)
			}
		}
	}
	return res
}

// dropped lists the IDs of the child resources that storing w would
// delete (children the request's arrays no longer carry, every child of
// an array a PUT left out), with what is under them. Callers hold the
// world lock.
func (s *Server) dropped(w *pendingWrite, put bool) []string {
	var out []string
	for path, seg := range s.rule(w.t.typ).Children {
		kids, present := w.kids[path]
		if !present && (!put || w.leave[path]) {
			continue
		}
		keep := map[string]*pendingWrite{}
		for _, cw := range kids {
			keep[key(cw.t.id)] = cw
		}
		for _, c := range s.directChildren(w.t.id, seg) {
			cw, kept := keep[key(c.ID)]
			if !kept {
				out = append(out, c.ID)
				for _, k := range s.world.under(c.ID) {
					out = append(out, s.world.resources[k].ID)
				}
				continue
			}
			out = append(out, s.dropped(cw, true)...)
		}
	}
	return out
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
