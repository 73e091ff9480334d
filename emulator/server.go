package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Token, when set, is the only bearer token accepted. When empty, any
	// non-empty bearer token is accepted.
	Token string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Server is the emulated ARM endpoint. It is safe for concurrent use.
type Server struct {
	opts  Options
	world *world

	statsMu  sync.Mutex
	requests map[string]int
}

// New returns an emulator with an empty world.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{opts: opts, world: newWorld(), requests: map[string]int{}}
}

// Requests returns how many requests the server has answered, by method.
func (s *Server) Requests() map[string]int {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// Transport returns an http.RoundTripper that serves every request in-process
// with this emulator, whatever host the URL names. It lets an https client
// (azcore refuses bearer tokens over plain http) reach the emulator with no
// socket and no certificate.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// ServeHTTP answers one ARM request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.statsMu.Lock()
	s.requests[r.Method]++
	s.statsMu.Unlock()

	w.Header().Set("x-ms-request-id", newID())
	w.Header().Set("x-ms-correlation-request-id", newID())

	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or is not a valid Bearer token.")
		return
	}
	apiVersion := r.URL.Query().Get("api-version")
	if apiVersion == "" {
		writeError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	t, err := parseTarget(r.URL.Path)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidResourceId", err.Error())
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.get(w, t)
	case http.MethodPut:
		s.put(w, r, t)
	case http.MethodDelete:
		s.delete(w, t)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The method %s is not supported on %s.", r.Method, t.id))
	}
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return false
	}
	return s.opts.Token == "" || tok == s.opts.Token
}

func (s *Server) get(w http.ResponseWriter, t target) {
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
		writeError(w, http.StatusNotFound, "ResourceNotFound", notFoundMessage(t))
		return
	}
	writeJSON(w, http.StatusOK, res.Body)
}

// missingScope reports the error ARM gives when the resource group or the
// parent of t does not exist. Callers hold the world lock.
func (s *Server) missingScope(t target) (code, message string, ok bool) {
	if t.resourceGroup != "" && t.typ != "Microsoft.Resources/resourceGroups" {
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

func notFoundMessage(t target) string {
	if t.typ == "Microsoft.Resources/resourceGroups" {
		return fmt.Sprintf("Resource group '%s' could not be found.", t.name)
	}
	return fmt.Sprintf("The Resource '%s/%s' under resource group '%s' was not found.", t.typ, t.name, t.resourceGroup)
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, t target) {
	if t.typ == "Microsoft.Resources/subscriptions" {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Subscriptions cannot be created with PUT.")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content could not be read: "+err.Error())
		return
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: the body must be a JSON object.")
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if code, msg, ok := s.missingScope(t); !ok {
		writeError(w, http.StatusNotFound, code, msg)
		return
	}
	if t.typ == "Microsoft.Resources/resourceGroups" {
		if loc, _ := body["location"].(string); loc == "" {
			writeError(w, http.StatusBadRequest, "LocationRequired", "The location property is required for this definition.")
			return
		}
	}
	old, existed := s.world.get(t.id)
	stored := s.serverBody(t, body, old)
	s.world.resources[key(t.id)] = &Resource{ID: t.id, Type: t.typ, Body: stored}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	w.Header().Set("ETag", stored["etag"].(string))
	writeJSON(w, status, stored)
}

// serverBody is what ARM stores for a PUT of body: the request without the
// read-only fields it may carry, plus the fields the server sets.
func (s *Server) serverBody(t target, body map[string]any, old *Resource) map[string]any {
	out := deepCopy(body).(map[string]any)
	for _, k := range []string{"id", "name", "type", "etag", "systemData"} {
		delete(out, k)
	}
	out["id"] = t.id
	out["name"] = t.name
	out["type"] = t.typ
	if loc, ok := out["location"].(string); ok {
		out["location"] = NormalizeLocation(loc)
	}
	props, _ := out["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props["provisioningState"] = "Succeeded"
	out["properties"] = props
	out["etag"] = `W/"` + newID() + `"`
	now := s.opts.Now().UTC().Format(time.RFC3339Nano)
	sys := map[string]any{
		"createdBy": "user@example.com", "createdByType": "User", "createdAt": now,
		"lastModifiedBy": "user@example.com", "lastModifiedByType": "User", "lastModifiedAt": now,
	}
	if old != nil {
		if prev, ok := old.Body["systemData"].(map[string]any); ok {
			sys["createdBy"], sys["createdAt"] = prev["createdBy"], prev["createdAt"]
		}
	}
	out["systemData"] = sys
	return out
}

func (s *Server) delete(w http.ResponseWriter, t target) {
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
	if _, ok := s.world.get(t.id); !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	for _, k := range s.world.under(t.id) {
		delete(s.world.resources, k)
	}
	delete(s.world.resources, key(t.id))
	w.WriteHeader(http.StatusOK)
}

// NormalizeLocation turns a display name such as "West US 2" into ARM's
// short form "westus2".
func NormalizeLocation(loc string) string {
	return strings.ToLower(strings.ReplaceAll(loc, " ", ""))
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
