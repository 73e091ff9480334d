package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

const resourceGroupType = "Microsoft.Resources/resourceGroups"

func (s *Server) get(w http.ResponseWriter, r *http.Request, t target) {
	if t.typ == "Microsoft.Resources/subscriptions" {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": "/subscriptions/" + t.subscription, "subscriptionId": t.subscription,
			"displayName": "Emulated subscription", "state": "Enabled",
		})
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if code, msg, ok := s.missingScope(t); !ok {
		writeError(w, http.StatusNotFound, code, msg)
		return
	}
	res, ok := s.world.get(t.id)
	if !ok {
		writeError(w, http.StatusNotFound, resourceNotFoundCode(t), notFoundMessage(t))
		return
	}
	if o, ok := s.world.pending[key(t.id)]; ok && o.spec.Pattern == ProvisioningState &&
		(o.method == http.MethodPut || o.method == http.MethodPatch) {
		s.advance(o) // the client polls the resource itself
		if !o.done {
			s.setRetryAfter(w, s.opts.RetryAfter)
		}
		if res, ok = s.world.get(t.id); !ok {
			writeError(w, http.StatusNotFound, resourceNotFoundCode(t), notFoundMessage(t))
			return
		}
	}
	writeResource(w, http.StatusOK, s.render(res))
}

// missingScope reports the error ARM gives when the resource group or the
// parent of t does not exist. Callers hold the world lock.
func (s *Server) missingScope(t target) (code, message string, ok bool) {
	if t.resourceGroup != "" && t.typ != resourceGroupType {
		rgID := "/subscriptions/" + t.subscription + "/resourceGroups/" + t.resourceGroup
		if _, found := s.world.get(rgID); !found {
			return "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", t.resourceGroup), false
		}
	}
	if t.parent == "" || strings.Count(t.parent, "/") <= 2 {
		return "", "", true // the subscription: always there
	}
	if _, found := s.world.get(t.parent); !found {
		if t.parentIsScope && strings.EqualFold(key(t.parent), key("/subscriptions/"+t.subscription+"/resourceGroups/"+t.resourceGroup)) {
			return "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", t.resourceGroup), false
		}
		return "ParentResourceNotFound", fmt.Sprintf("Can not perform requested operation on nested resource. Parent resource '%s' not found.", t.parent), false
	}
	return "", "", true
}

func resourceNotFoundCode(t target) string {
	if t.typ == resourceGroupType {
		return "ResourceGroupNotFound"
	}
	return "ResourceNotFound"
}

func notFoundMessage(t target) string {
	if t.typ == resourceGroupType {
		return fmt.Sprintf("Resource group '%s' could not be found.", t.name)
	}
	return fmt.Sprintf("The Resource '%s/%s' under resource group '%s' was not found.", t.typ, t.name, t.resourceGroup)
}

// readBody decodes a JSON object body; an empty body is nil when optional.
func readBody(w http.ResponseWriter, r *http.Request, optional bool) (map[string]any, bool) {
	var raw []byte
	var err error
	if r.Body != nil {
		raw, err = io.ReadAll(io.LimitReader(r.Body, 8<<20))
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content could not be read: "+err.Error())
		return nil, false
	}
	if optional && len(strings.TrimSpace(string(raw))) == 0 {
		return nil, true
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: the body must be a JSON object.")
		return nil, false
	}
	return body, true
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, t target) {
	if t.typ == "Microsoft.Resources/subscriptions" {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Subscriptions cannot be created with PUT.")
		return
	}
	body, ok := readBody(w, r, false)
	if !ok {
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if code, msg, ok := s.missingScope(t); !ok {
		writeError(w, http.StatusNotFound, code, msg)
		return
	}
	if t.typ == resourceGroupType {
		if loc, _ := body["location"].(string); loc == "" {
			writeError(w, http.StatusBadRequest, "LocationRequired", "The location property is required for this definition.")
			return
		}
	}
	old, existed := s.world.get(t.id)
	if s.busy(w, t.id) || !precondition(w, r, old) {
		return
	}
	var oldBody map[string]any
	if existed {
		oldBody = old.Body
	}
	stored, kids, err := s.serverBody(t, body, oldBody)
	if err != nil {
		writeJSON(w, validationStatus(err), armError{Error: *err})
		return
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	spec := s.operationFor(t.typ, http.MethodPut)
	if spec.Pattern == Sync {
		res := s.store(t, stored, kids, true)
		writeResource(w, status, s.render(res))
		return
	}
	interim := deepCopy(stored).(map[string]any)
	state := "Creating"
	if existed {
		state = "Updating"
	}
	setProvisioningState(interim, state)
	res := s.store(t, interim, kids, true)
	s.startWrite(w, r, t, spec, stored, status, res)
}

// startWrite starts the operation of an asynchronous PUT or PATCH whose
// finished body is final, and answers as its pattern says.
func (s *Server) startWrite(w http.ResponseWriter, r *http.Request, t target, spec Operation, final map[string]any, status int, res *Resource) {
	location, _ := final["location"].(string)
	s.startOperation(w, r, t, spec, location, func(out Outcome) any {
		cur, ok := s.world.get(t.id)
		if !ok {
			return nil
		}
		if out == Succeeded {
			cur.Body = final
		} else {
			setProvisioningState(cur.Body, out.String())
		}
		return nil
	})
	switch {
	case spec.Pattern == Location,
		r.Method == http.MethodPatch && spec.Pattern == AsyncOperationAndLocation:
		w.WriteHeader(http.StatusAccepted)
	default:
		writeResource(w, status, s.render(res))
	}
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, t target) {
	patch, ok := readBody(w, r, false)
	if !ok {
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if code, msg, ok := s.missingScope(t); !ok {
		writeError(w, http.StatusNotFound, code, msg)
		return
	}
	old, existed := s.world.get(t.id)
	if !existed {
		writeError(w, http.StatusNotFound, resourceNotFoundCode(t), notFoundMessage(t))
		return
	}
	if s.busy(w, t.id) || !precondition(w, r, old) {
		return
	}
	if loc, ok := patch["location"].(string); ok {
		if cur, _ := old.Body["location"].(string); NormalizeLocation(cur) != NormalizeLocation(loc) {
			writeError(w, http.StatusBadRequest, "LocationNotUpdatable", fmt.Sprintf("The location of '%s' cannot be changed from '%s' to '%s'.", t.id, cur, loc))
			return
		}
	}
	merged := mergePatch(deepCopy(old.Body).(map[string]any), patch)
	if tags, ok := patch["tags"].(map[string]any); ok {
		// ARM replaces the whole tags map on PATCH.
		merged["tags"] = mergePatch(map[string]any{}, tags)
	}
	stored, kids, err := s.serverBody(t, merged, old.Body)
	if err != nil {
		writeJSON(w, validationStatus(err), armError{Error: *err})
		return
	}
	spec := s.operationFor(t.typ, http.MethodPatch)
	if spec.Pattern == Sync {
		res := s.store(t, stored, kids, false)
		writeResource(w, http.StatusOK, s.render(res))
		return
	}
	interim := deepCopy(stored).(map[string]any)
	setProvisioningState(interim, "Updating")
	res := s.store(t, interim, kids, false)
	s.startWrite(w, r, t, spec, stored, http.StatusOK, res)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, t target) {
	if t.typ == "Microsoft.Resources/subscriptions" {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Subscriptions cannot be deleted.")
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if code, msg, ok := s.missingScope(t); !ok {
		if code == "ResourceGroupNotFound" {
			// ARM answers 204 for a resource whose group is already gone.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeError(w, http.StatusNotFound, code, msg)
		return
	}
	res, ok := s.world.get(t.id)
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if s.busy(w, t.id) || !precondition(w, r, res) {
		return
	}
	spec := s.operationFor(t.typ, http.MethodDelete)
	if spec.Pattern == Sync {
		s.remove(t.id)
		w.WriteHeader(http.StatusOK)
		return
	}
	setProvisioningState(res.Body, "Deleting")
	location, _ := res.Body["location"].(string)
	s.startOperation(w, r, t, spec, location, func(out Outcome) any {
		if out == Succeeded {
			s.remove(t.id)
		} else if cur, ok := s.world.get(t.id); ok {
			setProvisioningState(cur.Body, out.String())
		}
		return nil
	})
	w.WriteHeader(http.StatusAccepted)
}

// remove deletes id and everything under it (a resource group's
// resources, a resource's children and extension resources). Callers hold
// the world lock.
func (s *Server) remove(id string) {
	for _, k := range append(s.world.under(id), key(id)) {
		delete(s.world.resources, k)
		delete(s.world.pending, k)
	}
}

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
	var out []*Resource
	for k, r := range s.world.resources {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].ID) < key(out[j].ID) })
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

// writeResource answers with a resource body and its ETag header.
func writeResource(w http.ResponseWriter, status int, body map[string]any) {
	if etag, ok := body["etag"].(string); ok && etag != "" {
		w.Header().Set("ETag", etag)
	}
	writeJSON(w, status, body)
}

// precondition checks If-Match and If-None-Match against the stored
// resource (nil when absent) and answers 412 when they do not hold.
func precondition(w http.ResponseWriter, r *http.Request, res *Resource) bool {
	var etag string
	if res != nil {
		etag, _ = res.Body["etag"].(string)
	}
	if inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm != "" {
		if res != nil && (inm == "*" || etagListHas(inm, etag)) {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource already exists and the request said If-None-Match: "+inm+".")
			return false
		}
	}
	if im := strings.TrimSpace(r.Header.Get("If-Match")); im != "" {
		if res == nil {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource does not exist and the request said If-Match: "+im+".")
			return false
		}
		if im != "*" && !etagListHas(im, etag) {
			writeError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"The resource's ETag is "+etag+", not the "+im+" the request's If-Match asked for: it changed since it was read.")
			return false
		}
	}
	return true
}

func etagListHas(list, etag string) bool {
	if etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, e := range strings.Split(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(e), "W/") == want {
			return true
		}
	}
	return false
}

// mergePatch applies an RFC 7396 JSON merge patch to target and returns it.
func mergePatch(target map[string]any, patch map[string]any) map[string]any {
	for k, pv := range patch {
		if pv == nil {
			delete(target, k)
			continue
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			target[k] = deepCopy(pv)
			continue
		}
		tm, ok := target[k].(map[string]any)
		if !ok {
			tm = map[string]any{}
		}
		target[k] = mergePatch(tm, pm)
	}
	return target
}

// validationStatus is the status a refused write is answered with.
func validationStatus(e *ErrorDetail) int {
	if strings.HasSuffix(e.Code, "NotPermitted") || strings.HasSuffix(e.Code, "Conflict") {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
