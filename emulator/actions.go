package emulator

import (
	"errors"
	"net/http"
	"strings"
)

var errNotAction = errors.New("not an action path")

// post answers POST {resourceId}/{action}.
func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimSuffix(r.URL.Path, "/")
	i := strings.LastIndex(p, "/")
	var t target
	err := errNotAction
	if i > 0 {
		t, err = parseTarget(p[:i])
	}
	action := p[i+1:]
	if err != nil {
		writeError(w, http.StatusNotFound, "NoRegisteredProviderFound", "The path '"+r.URL.Path+"' is not an action on a resource: expected {resourceId}/{action}.")
		return
	}
	req, ok := readBody(w, r, true)
	if !ok {
		return
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	res, ok := s.existing(w, t)
	if !ok || s.scopeLocked(w, r.Method, t) {
		return
	}
	run := func() (int, any, *ErrorDetail) {
		c := &ActionContext{ID: res.ID, Type: res.Type, Name: t.name, Resource: s.render(res), Request: req, Now: s.opts.Now().UTC(), res: res}
		fn := s.rule(t.typ).Actions[strings.ToLower(action)]
		if fn == nil {
			fn = genericAction(action)
		}
		return fn(c)
	}
	spec := s.operationFor(t.typ, http.MethodPost)
	if spec.Pattern == Sync {
		status, body, aerr := run()
		if aerr != nil {
			if status == 0 {
				status = http.StatusBadRequest
			}
			writeJSON(w, status, armError{Error: *aerr})
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		if body == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
		return
	}
	location, _ := res.Body["location"].(string)
	s.startOperation(w, r, t, spec, location, func(out Outcome) any {
		if out != Succeeded {
			return nil
		}
		_, body, _ := run()
		return body
	})
	w.WriteHeader(http.StatusAccepted)
}

// genericAction is what an action with no rule does: list*Keys returns two
// stable keys, regenerate*Key(s) rotates one and returns the keys, and
// anything else succeeds with no body.
func genericAction(action string) Action {
	a := strings.ToLower(action)
	switch {
	case strings.HasPrefix(a, "list") && strings.HasSuffix(a, "keys"):
		return listKeys
	case strings.HasPrefix(a, "regenerate") && (strings.HasSuffix(a, "key") || strings.HasSuffix(a, "keys")):
		return func(c *ActionContext) (int, any, *ErrorDetail) {
			name := "key1"
			for _, k := range []string{"keyName", "keyType", "name", "keyKind"} {
				if v, ok := c.Request[k].(string); ok && v != "" {
					name = strings.ToLower(v)
					break
				}
			}
			if name == "primary" {
				name = "key1"
			} else if name == "secondary" {
				name = "key2"
			}
			c.Regenerate(name)
			return listKeys(c)
		}
	}
	return func(*ActionContext) (int, any, *ErrorDetail) { return http.StatusOK, nil, nil }
}

func listKeys(c *ActionContext) (int, any, *ErrorDetail) {
	keys := []any{}
	for _, n := range []string{"key1", "key2"} {
		keys = append(keys, map[string]any{"keyName": n, "value": c.Key(n), "permissions": "FULL"})
	}
	return http.StatusOK, map[string]any{"keys": keys}, nil
}
