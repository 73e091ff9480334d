package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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
	s.finishDue(t.id)
	if s.inconsistentGet(w, t) {
		return
	}
	res, ok := s.existing(w, t)
	if !ok {
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

// head answers HEAD as ARM does for existence checks: 204 for a resource
// group that exists (200 for other resources), 404 otherwise, no body.
func (s *Server) head(w http.ResponseWriter, t target) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	_, _, scopeOK := s.missingScope(t)
	if _, ok := s.world.get(t.id); !ok || !scopeOK {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if t.typ == resourceGroupType {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusOK)
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
	if t.typ == resourceGroupType || s.rule(t.typ).RequireLocation {
		if loc, _ := body["location"].(string); loc == "" {
			writeError(w, http.StatusBadRequest, "LocationRequired", "The location property is required for this definition.")
			return
		}
	}
	old, existed := s.world.get(t.id)
	if s.groupBeingDeleted(w, t) || s.inconsistentPut(w, t, body) || s.busy(w, t.id) || s.scopeLocked(w, r.Method, t) || s.unregistered(w, t) || s.deniedByPolicy(w, t, body) || !precondition(w, r, old) || !locationKept(w, t, old, body) || !tagsValid(w, body) {
		return
	}
	// ARM checks locks, registration and policy before the service sees
	// the request: a recover of a soft-deleted resource meets them too.
	if !existed {
		if body, ok = s.softDeletedCreate(w, t, body); !ok {
			return
		}
	}
	var oldBody map[string]any
	if existed {
		oldBody = old.Body
	}
	wr, err := s.serverBody(t, body, oldBody)
	if err != nil {
		writeJSON(w, validationStatus(err), armError{Error: *err})
		return
	}
	wr.leaveOmitted(s.rule(t.typ), r.URL.Query().Get("api-version"))
	if err := s.inUse(s.dropped(wr, true)); err != nil {
		writeJSON(w, http.StatusBadRequest, armError{Error: *err})
		return
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	} else {
		s.noteCreate(t, wr.body)
	}
	spec := s.operationFor(t.typ, http.MethodPut)
	if spec.Pattern == Sync {
		res := s.store(wr, true)
		writeResource(w, status, s.render(res))
		return
	}
	if spec.HideUntilDone && !existed {
		s.startHiddenCreate(w, r, spec, wr)
		return
	}
	interim := deepCopy(wr.body).(map[string]any)
	state := "Creating"
	if existed {
		state = "Updating"
	}
	setProvisioningState(interim, state)
	res := s.store(wr.withBody(interim), true)
	s.startWrite(w, r, t, spec, wr.body, status, res)
}

// startHiddenCreate starts a creation whose resource appears only when it
// succeeds, and answers 202 with the pattern's polling headers.
func (s *Server) startHiddenCreate(w http.ResponseWriter, r *http.Request, spec Operation, final *pendingWrite) {
	location, _ := final.body["location"].(string)
	s.startOperation(w, r, final.t, spec, location, func(out Outcome) any {
		if out == Succeeded {
			s.store(final, true)
		}
		return nil
	})
	w.WriteHeader(http.StatusAccepted)
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
	old, existed := s.existing(w, t)
	if !existed {
		return
	}
	if s.groupBeingDeleted(w, t) || s.busy(w, t.id) || s.scopeLocked(w, r.Method, t) || !precondition(w, r, old) {
		return
	}
	if loc, ok := patch["location"].(string); ok {
		if cur, _ := old.Body["location"].(string); NormalizeLocation(cur) != NormalizeLocation(loc) {
			writeError(w, http.StatusBadRequest, "LocationNotUpdatable", fmt.Sprintf("The location of '%s' cannot be changed from '%s' to '%s'.", t.id, cur, loc))
			return
		}
	}
	if !tagsValid(w, patch) || s.deniedByPolicy(w, t, old.Body) {
		return
	}
	merged := mergePatch(deepCopy(old.Body).(map[string]any), patch)
	if tags, ok := patch["tags"].(map[string]any); ok {
		// ARM replaces the whole tags map on PATCH.
		merged["tags"] = mergePatch(map[string]any{}, tags)
	}
	wr, err := s.serverBody(t, merged, old.Body)
	if err != nil {
		writeJSON(w, validationStatus(err), armError{Error: *err})
		return
	}
	if err := s.inUse(s.dropped(wr, false)); err != nil {
		writeJSON(w, http.StatusBadRequest, armError{Error: *err})
		return
	}
	spec := s.operationFor(t.typ, http.MethodPatch)
	if spec.Pattern == Sync {
		res := s.store(wr, false)
		writeResource(w, http.StatusOK, s.render(res))
		return
	}
	interim := deepCopy(wr.body).(map[string]any)
	setProvisioningState(interim, "Updating")
	res := s.store(wr.withBody(interim), false)
	s.startWrite(w, r, t, spec, wr.body, http.StatusOK, res)
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
	if s.busy(w, t.id) || s.scopeLocked(w, r.Method, t) || !precondition(w, r, res) {
		return
	}
	if err := s.inUse(append(s.world.under(t.id), t.id)); err != nil {
		writeJSON(w, http.StatusBadRequest, armError{Error: *err})
		return
	}
	spec := s.operationFor(t.typ, http.MethodDelete)
	if spec.Pattern == Sync {
		s.noteDelete(t.id, res)
		s.remove(t.id)
		w.WriteHeader(http.StatusOK)
		return
	}
	setProvisioningState(res.Body, "Deleting")
	location, _ := res.Body["location"].(string)
	s.startOperation(w, r, t, spec, location, func(out Outcome) any {
		if out == Succeeded {
			if cur, ok := s.world.get(t.id); ok {
				s.noteDelete(t.id, cur)
			}
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
		s.keepDeleted(k)
		delete(s.world.resources, k)
		delete(s.world.pending, k)
	}
}

// existing returns the resource t names, or answers 404 (its scope or the
// resource is missing) and returns false. Callers hold the world lock.
func (s *Server) existing(w http.ResponseWriter, t target) (*Resource, bool) {
	if code, msg, ok := s.missingScope(t); !ok {
		writeError(w, http.StatusNotFound, code, msg)
		return nil, false
	}
	res, ok := s.world.get(t.id)
	if !ok {
		writeError(w, http.StatusNotFound, resourceNotFoundCode(t), notFoundMessage(t))
		return nil, false
	}
	return res, true
}
