package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Management locks (Microsoft.Authorization/locks) are extension resources
// at any scope: /subscriptions/{s}, a resource group, or a resource. With
// Options.Locks they are enforced as ARM enforces them: a CanNotDelete lock
// refuses the DELETE of its scope, of anything under it, and of anything
// that contains it (a resource group holding a locked resource); a
// ReadOnly lock also refuses PUT, PATCH and POST at or under its scope.
// Locks themselves are never refused.

const (
	lockType      = "Microsoft.Authorization/locks"
	locksSegment  = "/providers/microsoft.authorization/locks"
	lockCanNotDel = "CanNotDelete"
	lockReadOnly  = "ReadOnly"
)

// lockRule validates a lock's level, as ARM does.
func lockRule() *TypeRule {
	return &TypeRule{
		ProvisioningState: "-",
		NoETag:            true,
		Validate: func(c *ComputeContext) *ErrorDetail {
			switch lvl := c.String("properties.level"); {
			case strings.EqualFold(lvl, lockCanNotDel), strings.EqualFold(lvl, lockReadOnly):
			default:
				return &ErrorDetail{Code: "LockLevelInvalid", Message: fmt.Sprintf("The lock level '%s' is invalid: use CanNotDelete or ReadOnly.", lvl)}
			}
			return nil
		},
	}
}

// isLockList reports whether path is a list of the locks at a scope:
// {scope}/providers/Microsoft.Authorization/locks.
func isLockList(path string) (scope string, ok bool) {
	p := strings.TrimSuffix(path, "/")
	if !strings.HasSuffix(strings.ToLower(p), locksSegment) {
		return "", false
	}
	return p[:len(p)-len(locksSegment)], true
}

// lockScope is the scope a lock's ID hangs from.
func lockScope(id string) string {
	if i := strings.LastIndex(strings.ToLower(id), locksSegment+"/"); i >= 0 {
		return id[:i]
	}
	return id
}

// atOrUnder reports whether id is scope or lies under it.
func atOrUnder(id, scope string) bool {
	k, s := key(id), key(scope)
	return k == s || strings.HasPrefix(k, s+"/")
}

// locksAt returns the locks at scope, above it and under it, sorted by ID.
// Callers hold the world lock.
func (s *Server) locksAt(scope string) []*Resource {
	var out []*Resource
	for _, r := range s.world.resources {
		if !strings.EqualFold(r.Type, lockType) {
			continue
		}
		ls := lockScope(r.ID)
		if atOrUnder(scope, ls) || atOrUnder(ls, scope) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].ID) < key(out[j].ID) })
	return out
}

// listLocks answers GET {scope}/providers/Microsoft.Authorization/locks
// with the locks that apply at the scope (at it or above) and those under
// it, as ARM's lists at a resource group include its resources' locks.
func (s *Server) listLocks(w http.ResponseWriter, scope string) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	items := []any{}
	for _, r := range s.locksAt(scope) {
		items = append(items, s.render(r))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": items})
}

// scopeLocked answers 409 ScopeLocked, with ARM's message, when a lock
// refuses method on t, and reports whether it did. Callers hold the world
// lock.
func (s *Server) scopeLocked(w http.ResponseWriter, method string, t target) bool {
	if !s.opts.Locks || strings.EqualFold(t.typ, lockType) {
		return false
	}
	var scopes []string
	seen := map[string]bool{}
	for _, r := range s.locksAt(t.id) {
		ls := lockScope(r.ID)
		level, _ := getPath(r.Body, "properties.level")
		blocks := false
		switch method {
		case http.MethodDelete:
			blocks = true // either level, at, above or under the target
		default:
			lvl, _ := level.(string)
			blocks = strings.EqualFold(lvl, lockReadOnly) && atOrUnder(t.id, ls)
		}
		if blocks && !seen[key(ls)] {
			seen[key(ls)] = true
			scopes = append(scopes, "'"+ls+"'")
		}
	}
	if len(scopes) == 0 {
		return false
	}
	op := "write"
	if method == http.MethodDelete {
		op = "delete"
	} else if method == http.MethodPost {
		op = "action"
	}
	writeError(w, http.StatusConflict, "ScopeLocked", fmt.Sprintf(
		"The scope '%s' cannot perform %s operation because following scope(s) are locked: %s. Please remove the lock and try again.",
		t.id, op, strings.Join(scopes, ",")))
	return true
}
