package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Server is the emulated ARM endpoint. It is safe for concurrent use.
type Server struct {
	opts  Options
	rules map[string]*TypeRule
	world *world
	obs   *observer
	thr   *throttler
	flt   *faultInjector
	cons  *consistency

	opMu       sync.Mutex
	operations []OperationRule

	regs registrations
	// deleted are the soft-deleted resources (softdelete.go), guarded by
	// the world's lock.
	deleted map[string]*deletedResource
}

// New returns an emulator with an empty world.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	s := &Server{
		opts:       opts,
		rules:      map[string]*TypeRule{},
		world:      newWorld(),
		obs:        newObserver(),
		flt:        newFaultInjector(opts.Faults),
		cons:       newConsistency(),
		operations: append([]OperationRule(nil), opts.Operations...),
		regs:       registrations{started: map[string]time.Time{}},
		deleted:    map[string]*deletedResource{},
	}
	if !opts.NoBuiltinRules {
		for typ, r := range builtinRules() {
			s.rules[strings.ToLower(typ)] = r
		}
	}
	if opts.Locks {
		s.rules[strings.ToLower(lockType)] = lockRule()
	}
	for typ, r := range opts.Rules {
		s.rules[strings.ToLower(typ)] = r
	}
	if opts.Throttle != nil {
		s.thr = newThrottler(*opts.Throttle, opts.Now)
	}
	return s
}

// SetOperations replaces the long-running-operation rules while the server
// runs; requests already in flight keep the rule they started with.
func (s *Server) SetOperations(rules ...OperationRule) {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.operations = append([]OperationRule(nil), rules...)
}

// operationFor picks the rule for a write of typ with method.
func (s *Server) operationFor(typ, method string) Operation {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	for _, r := range s.operations {
		if r.match(typ, method) {
			return r.Operation
		}
	}
	return Operation{Pattern: Sync}
}

// ServeHTTP answers one ARM request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusWriter{ResponseWriter: w}
	done := s.obs.begin(r, s.opts.Now())
	start := time.Now()
	defer func() {
		done(rec.status, rec.dropped)
		if s.opts.Logger != nil {
			s.opts.Logger.Debug("emulator request", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "dropped", rec.dropped, "duration", time.Since(start))
		}
	}()

	rec.Header().Set("x-ms-request-id", uuid.NewString())
	rec.Header().Set("x-ms-correlation-request-id", uuid.NewString())

	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		if !s.authorized(r) {
			writeUnauthorized(rec)
			return
		}
		s.admin(rec, r)
		return
	}
	if s.identityRoute(rec, r) {
		return
	}
	faulty := s.flt.applies(r)
	if faulty {
		if err := s.flt.delay(r.Context()); err != nil {
			return // the client went away while we waited
		}
	}
	if !s.authorized(r) {
		writeUnauthorized(rec)
		return
	}
	if !s.throttle(rec, r) {
		return
	}
	if faulty && s.flt.serverError(rec, func(w http.ResponseWriter) { s.setRetryAfter(w, s.retryAfter(time.Second)) }) {
		return
	}
	if faulty && s.flt.drop() {
		rec.dropped = true
		dropMidResponse(rec, r, s.route)
		return
	}
	s.route(rec, r)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	apiVersion := r.URL.Query().Get("api-version")
	if apiVersion == "" {
		writeError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	if opID, kind, ok := parseOperationPath(r.URL.Path); ok {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Operation status can only be read with GET.")
			return
		}
		s.pollOperation(w, r, opID, kind)
		return
	}
	if !s.apiVersionSupported(w, r, apiVersion) {
		return
	}
	if s.providerRoute(w, r) || s.softDeleteRoute(w, r) || s.validateRoute(w, r) {
		return
	}
	if scope, ok := isLockList(r.URL.Path); ok && r.Method == http.MethodGet {
		s.listLocks(w, scope)
		return
	}
	switch r.Method {
	case http.MethodGet:
		t, err := parseTarget(r.URL.Path)
		if err != nil {
			if c, ok := parseCollection(r.URL.Path); ok {
				s.list(w, r, c)
				return
			}
			writeError(w, http.StatusBadRequest, "InvalidResourceId", err.Error())
			return
		}
		s.get(w, r, t)
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		t, err := parseTarget(r.URL.Path)
		if err != nil {
			writeError(w, http.StatusBadRequest, "InvalidResourceId", err.Error())
			return
		}
		switch r.Method {
		case http.MethodPut:
			s.put(w, r, t)
		case http.MethodPatch:
			s.patch(w, r, t)
		default:
			s.delete(w, r, t)
		}
	case http.MethodPost:
		s.post(w, r)
	case http.MethodHead:
		t, err := parseTarget(r.URL.Path)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.head(w, t)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The method %s is not supported.", r.Method))
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

func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"`)
	writeError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or is not a valid Bearer token.")
}

// baseURL is the scheme and host polling URLs and nextLinks use.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimSuffix(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.URL.Scheme == "https" {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return scheme + "://" + host
}

// setRetryAfter writes the Retry-After headers for d (nothing when d is 0).
func (s *Server) setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d <= 0 {
		return
	}
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	if !s.opts.IntegerRetryAfter {
		w.Header().Set("retry-after-ms", fmt.Sprint(max(d.Milliseconds(), 1)))
	}
}

// retryAfter is the configured wait, or fallback when none is configured.
func (s *Server) retryAfter(fallback time.Duration) time.Duration {
	if s.opts.RetryAfter > 0 {
		return s.opts.RetryAfter
	}
	return fallback
}

// NormalizeLocation turns a display name such as "West US 2" into ARM's
// short form "westus2".
func NormalizeLocation(loc string) string {
	return strings.ToLower(strings.ReplaceAll(loc, " ", ""))
}
