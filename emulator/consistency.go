package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Consistency models the windows of ARM's eventual consistency that break
// a client reading right after writing. Each is off at zero.
type Consistency struct {
	// ReadAfterCreate is how long after a resource is created a GET of it
	// still answers 404 ResourceNotFound, as an ARM region that has not yet
	// seen the write does.
	ReadAfterCreate time.Duration
	// LingeringDelete is how long after a DELETE completes a GET still
	// answers 200 with provisioningState Deleting, and a PUT of the same ID
	// answers 409 Conflict.
	LingeringDelete time.Duration
	// PrincipalDelay is how long a new principal takes to replicate: a
	// role assignment whose principalId is that of a resource created less
	// than this ago answers 400 PrincipalNotFound. With it on, a
	// user-assigned identity gets a principalId, clientId and tenantId on
	// creation, as Microsoft.ManagedIdentity gives them.
	PrincipalDelay time.Duration
}

// consistency is what the server remembers for those windows. Callers hold
// the world lock.
type consistency struct {
	created map[string]time.Time
	deleted map[string]lingering
	// principals maps a lower-cased principalId to when it was created.
	principals map[string]time.Time
}

type lingering struct {
	at   time.Time
	body map[string]any
}

func newConsistency() *consistency {
	return &consistency{created: map[string]time.Time{}, deleted: map[string]lingering{}, principals: map[string]time.Time{}}
}

const (
	identityType       = "microsoft.managedidentity/userassignedidentities"
	roleAssignmentType = "microsoft.authorization/roleassignments"
)

// noteCreate records a creation, and gives a new user-assigned identity
// its principal. Callers hold the world lock.
func (s *Server) noteCreate(t target, body map[string]any) {
	c := s.opts.Consistency
	if c == (Consistency{}) {
		return
	}
	now := s.opts.Now()
	k := key(t.id)
	delete(s.cons.deleted, k)
	if c.ReadAfterCreate > 0 {
		s.cons.created[k] = now
	}
	if c.PrincipalDelay > 0 && strings.EqualFold(t.typ, identityType) {
		props, _ := body["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			body["properties"] = props
		}
		for _, f := range []string{"principalId", "clientId"} {
			if _, ok := props[f].(string); !ok {
				props[f] = uuid.NewString()
			}
		}
		if _, ok := props["tenantId"].(string); !ok {
			props["tenantId"] = "00000000-0000-0000-0000-0000000000e1"
		}
		s.cons.principals[strings.ToLower(props["principalId"].(string))] = now
	}
}

// noteDelete records a finished DELETE of id, whose body GET keeps showing
// for LingeringDelete. Callers hold the world lock.
func (s *Server) noteDelete(id string, res *Resource) {
	if s.opts.Consistency.LingeringDelete <= 0 || res == nil {
		return
	}
	body := deepCopy(s.render(res)).(map[string]any)
	setProvisioningState(body, "Deleting")
	s.cons.deleted[key(id)] = lingering{at: s.opts.Now(), body: body}
	delete(s.cons.created, key(id))
}

// inconsistentGet answers a GET that one of the windows governs, and
// reports whether it did. Callers hold the world lock.
func (s *Server) inconsistentGet(w http.ResponseWriter, t target) bool {
	c := s.opts.Consistency
	if c == (Consistency{}) {
		return false
	}
	now := s.opts.Now()
	k := key(t.id)
	if at, ok := s.cons.created[k]; ok {
		if now.Sub(at) < c.ReadAfterCreate {
			if _, exists := s.world.get(t.id); exists {
				writeError(w, http.StatusNotFound, resourceNotFoundCode(t), notFoundMessage(t))
				return true
			}
		}
		delete(s.cons.created, k)
	}
	if l, ok := s.cons.deleted[k]; ok {
		if _, exists := s.world.get(t.id); !exists && now.Sub(l.at) < c.LingeringDelete {
			writeResource(w, http.StatusOK, l.body)
			return true
		}
		delete(s.cons.deleted, k)
	}
	return false
}

// inconsistentPut refuses a PUT that one of the windows governs, and
// reports whether it did. Callers hold the world lock.
func (s *Server) inconsistentPut(w http.ResponseWriter, t target, body map[string]any) bool {
	c := s.opts.Consistency
	if c == (Consistency{}) {
		return false
	}
	now := s.opts.Now()
	if l, ok := s.cons.deleted[key(t.id)]; ok {
		if _, exists := s.world.get(t.id); !exists && now.Sub(l.at) < c.LingeringDelete {
			writeError(w, http.StatusConflict, "Conflict",
				"The resource '"+t.id+"' is being deleted; a resource of the same name cannot be created until its deletion has finished.")
			return true
		}
	}
	if c.PrincipalDelay > 0 && strings.EqualFold(t.typ, roleAssignmentType) {
		props, _ := body["properties"].(map[string]any)
		pid, _ := props["principalId"].(string)
		if at, ok := s.cons.principals[strings.ToLower(pid)]; ok && now.Sub(at) < c.PrincipalDelay {
			writeError(w, http.StatusBadRequest, "PrincipalNotFound",
				"Principal "+strings.ReplaceAll(pid, "-", "")+" does not exist in the directory 00000000-0000-0000-0000-0000000000e1. Check that you have the correct principal ID. "+
					"If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.")
			return true
		}
	}
	return false
}

// hasRunItsTime reports whether o has run as long as it takes, polled or
// not: its MinDuration, and the polls a client honouring the Retry-After
// it was given would have made. It is the one rule by which an operation
// ends without being polled; dueByTime and busy say when it applies.
func (s *Server) hasRunItsTime(o *operation, now time.Time) bool {
	if o.done {
		return false
	}
	d := o.spec.MinDuration
	if ra := s.opts.RetryAfter; ra > 0 {
		d = max(d, time.Duration(o.spec.Polls+1)*ra)
	}
	return now.Sub(o.start) >= d
}

// dueByTime reports whether o ends by time when anything looks at its
// resource: only with Options.TimedOperations, as ARM's operations run
// whether or not anyone polls them.
func (s *Server) dueByTime(o *operation, now time.Time) bool {
	return s.opts.TimedOperations && s.hasRunItsTime(o, now)
}

// finishDue ends the operation pending on id if its time is up, so that a
// client that only reads the resource sees it finish. Callers hold the
// world lock.
func (s *Server) finishDue(id string) {
	if o, ok := s.world.pending[key(id)]; ok {
		if now := s.opts.Now(); s.dueByTime(o, now) {
			s.complete(o, now)
		}
	}
}

// finishDueAt ends the operations pending on the resource id and on every
// resource above it (its parent, its resource group) whose time is up, so
// that a list of a collection under a parent whose delete has run its
// time answers 404, as a GET of the parent would. Callers hold the world
// lock.
func (s *Server) finishDueAt(id string) {
	if !s.opts.TimedOperations {
		return
	}
	now, k := s.opts.Now(), key(id)
	for pk, o := range s.world.pending {
		if (k == pk || strings.HasPrefix(k, pk+"/")) && s.dueByTime(o, now) {
			s.complete(o, now)
		}
	}
}

// finishDueUnder ends every operation pending on a resource under prefix
// (a key ending in "/") whose time is up, so that a list of a collection
// shows what a GET of each member would. Callers hold the world lock.
func (s *Server) finishDueUnder(prefix string) {
	if !s.opts.TimedOperations {
		return
	}
	now := s.opts.Now()
	for k, o := range s.world.pending {
		if strings.HasPrefix(k, prefix) && s.dueByTime(o, now) {
			s.complete(o, now) // deleting k from pending while ranging is safe
		}
	}
}
