package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// operation is one long-running operation: a write the server answered
// before it finished.
type operation struct {
	id           string
	method       string
	resourceID   string
	subscription string
	namespace    string
	location     string
	apiVersion   string
	spec         Operation
	polls        int
	start, end   time.Time
	done         bool
	// status is InProgress until the end, then the Outcome's name.
	status string
	// finish applies the outcome to the world; it runs once, under the
	// world lock, and returns a POST action's result.
	finish func(o Outcome) (result any)
	result any
}

const (
	opStatuses = "operationstatuses"
	opResults  = "operationresults"
)

// parseOperationPath recognises the polling URLs the server hands out:
// /subscriptions/{s}/providers/{ns}/locations/{loc}/operationStatuses/{id}
// (the Azure-AsyncOperation document) and .../operationResults/{id} (the
// Location URL).
func parseOperationPath(path string) (id, kind string, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 6 { // tenant level: /providers/{ns}/locations/{loc}/...
		segs = append([]string{"subscriptions", ""}, segs...)
	}
	if len(segs) != 8 || !strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "providers") ||
		!strings.EqualFold(segs[4], "locations") {
		return "", "", false
	}
	kind = strings.ToLower(segs[6])
	if kind != opStatuses && kind != opResults {
		return "", "", false
	}
	return segs[7], kind, true
}

// startOperation registers an unfinished operation on t and writes the
// polling headers its pattern calls for. Callers hold the world lock.
func (s *Server) startOperation(w http.ResponseWriter, r *http.Request, t target, spec Operation, location string,
	finish func(Outcome) any) *operation {
	o := &operation{
		id: uuid.NewString(), method: r.Method, resourceID: t.id, subscription: t.subscription,
		namespace: namespaceOf(t.typ), location: NormalizeLocation(location),
		apiVersion: r.URL.Query().Get("api-version"), spec: spec, start: s.opts.Now(),
		status: "InProgress", finish: finish,
	}
	if spec.RunningStatus != "" {
		o.status = spec.RunningStatus
	}
	if o.location == "" {
		o.location = "global"
	}
	s.pruneOperations()
	s.world.ops[o.id] = o
	s.world.pending[key(t.id)] = o
	base := s.baseURL(r)
	switch spec.Pattern {
	case AsyncOperation:
		w.Header().Set("Azure-AsyncOperation", base+o.url(opStatuses))
	case Location:
		w.Header().Set("Location", base+o.url(opResults))
	case AsyncOperationAndLocation:
		w.Header().Set("Azure-AsyncOperation", base+o.url(opStatuses))
		w.Header().Set("Location", base+o.url(opResults))
	case ProvisioningState:
		if r.Method == http.MethodDelete || r.Method == http.MethodPost {
			w.Header().Set("Location", base+o.url(opResults))
		}
	}
	s.setRetryAfter(w, s.opts.RetryAfter)
	return o
}

// maxOperations bounds the finished operations kept for late polls, so a
// long-running `emulator serve` does not grow without end.
const maxOperations = 10000

// pruneOperations forgets the oldest finished operations beyond
// maxOperations. Callers hold the world lock.
func (s *Server) pruneOperations() {
	if len(s.world.ops) < maxOperations {
		return
	}
	var done []*operation
	for _, o := range s.world.ops {
		if o.done {
			done = append(done, o)
		}
	}
	sort.Slice(done, func(i, j int) bool { return done[i].end.Before(done[j].end) })
	for _, o := range done[:len(done)/2] {
		delete(s.world.ops, o.id)
	}
}

func (o *operation) url(kind string) string {
	name := "operationStatuses"
	if kind == opResults {
		name = "operationResults"
	}
	scope := "/subscriptions/" + o.subscription
	if o.subscription == "" {
		scope = ""
	}
	return scope + "/providers/" + o.namespace + "/locations/" + o.location + "/" + name + "/" + o.id +
		"?api-version=" + url.QueryEscape(o.apiVersion)
}

// advance counts one poll of o and ends it when its polls and time are up.
// Callers hold the world lock.
func (s *Server) advance(o *operation) {
	if o.done {
		return
	}
	now := s.opts.Now()
	if (o.polls >= o.spec.Polls && now.Sub(o.start) >= o.spec.MinDuration) || s.dueByTime(o, now) {
		s.complete(o, now)
		return
	}
	o.polls++
}

func (s *Server) complete(o *operation, now time.Time) {
	o.done, o.end, o.status = true, now, o.spec.Outcome.String()
	if p := s.world.pending[key(o.resourceID)]; p == o {
		delete(s.world.pending, key(o.resourceID))
	}
	o.result = o.finish(o.spec.Outcome)
}

// operationError is the error a failed or canceled operation reports.
func (o *operation) operationError() *ErrorDetail {
	if o.spec.Error != nil {
		e := *o.spec.Error
		return &e
	}
	if o.spec.Outcome == Canceled {
		return &ErrorDetail{Code: "OperationCanceled", Message: "The operation was canceled."}
	}
	return &ErrorDetail{Code: "InternalOperationError", Message: "The operation on '" + o.resourceID + "' failed (emulated failure)."}
}

// pollOperation answers a GET on a polling URL.
func (s *Server) pollOperation(w http.ResponseWriter, r *http.Request, id, kind string) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	o, ok := s.world.ops[id]
	if !ok || !strings.EqualFold(o.subscription, subscriptionOf(r.URL.Path)) {
		writeError(w, http.StatusNotFound, "OperationNotFound", "The operation '"+id+"' was not found. Operations do not survive an emulator restart.")
		return
	}
	s.advance(o)
	if kind == opStatuses {
		doc := map[string]any{
			"id":        r.URL.Path,
			"name":      o.id,
			"status":    o.status,
			"startTime": o.start.UTC().Format(time.RFC3339Nano),
		}
		if o.done {
			doc["endTime"] = o.end.UTC().Format(time.RFC3339Nano)
			doc["percentComplete"] = 100
			switch o.spec.Outcome {
			case Succeeded:
				if o.result != nil {
					doc["properties"] = o.result
				}
			default:
				doc["error"] = o.operationError()
			}
		} else {
			s.setRetryAfter(w, s.opts.RetryAfter)
		}
		writeJSON(w, http.StatusOK, doc)
		return
	}
	// The Location URL: 202 while running, then what a synchronous call
	// would have answered.
	if !o.done {
		w.Header().Set("Location", s.baseURL(r)+o.url(opResults))
		s.setRetryAfter(w, s.opts.RetryAfter)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if o.spec.Outcome != Succeeded {
		writeJSON(w, http.StatusBadRequest, armError{Error: *o.operationError()})
		return
	}
	switch o.method {
	case http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		if o.result == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, o.result)
	default:
		res, ok := s.world.get(o.resourceID)
		if !ok {
			writeError(w, http.StatusNotFound, "ResourceNotFound", "The resource '"+o.resourceID+"' no longer exists.")
			return
		}
		writeResource(w, http.StatusOK, s.render(res))
	}
}

// busy answers 409 when another operation on the resource is unfinished.
// Callers hold the world lock.
func (s *Server) busy(w http.ResponseWriter, id string) bool {
	o, ok := s.world.pending[key(id)]
	if !ok || o.done {
		return false
	}
	// ARM's operations run whether or not anyone polls them: one whose
	// client lost its polling URL (a dropped response) ends when a client
	// polling at the Retry-After it was given would have seen it end, even
	// without TimedOperations, so that the resend is not refused forever.
	if now := s.opts.Now(); (s.opts.TimedOperations || s.opts.RetryAfter > 0) && s.hasRunItsTime(o, now) {
		s.complete(o, now)
		return false
	}
	writeError(w, http.StatusConflict, "AnotherOperationInProgress",
		"Another operation ("+o.method+") on the resource '"+id+"' is in progress. Retry when it has finished.")
	return true
}

// namespaceOf is the resource provider namespace of a type.
func namespaceOf(typ string) string {
	ns, _, _ := strings.Cut(typ, "/")
	return ns
}
