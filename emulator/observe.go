package emulator

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// LogEntry is one answered request.
type LogEntry struct {
	Method string
	// Path is the URL path, without the query.
	Path string
	// Query is the raw query string.
	Query string
	// Status is the HTTP status sent (0 when the connection was dropped
	// before any status was written).
	Status int
	// Dropped is true when a fault cut the response short.
	Dropped bool
	// Time is when the request arrived (by Options.Now); Duration how long
	// it took to answer (wall clock).
	Time     time.Time
	Duration time.Duration
	// AuxiliaryTokens counts the bearer tokens of the request's
	// x-ms-authorization-auxiliary header (cross-tenant requests); the
	// tokens themselves are never kept.
	AuxiliaryTokens int
}

// Counters summarise the requests answered so far.
type Counters struct {
	Total int
	// ByMethod counts requests by HTTP method.
	ByMethod map[string]int
	// ByStatus counts responses by status code.
	ByStatus map[int]int
	// ByMethodStatus counts by "METHOD STATUS", e.g. "PUT 201".
	ByMethodStatus map[string]int
	// Dropped counts responses cut short by a fault.
	Dropped int
	// InFlight is the number of requests being answered now; Peak the
	// most there have been at once.
	InFlight, Peak int
}

type observer struct {
	mu       sync.Mutex
	log      []LogEntry
	counters Counters
}

func newObserver() *observer {
	return &observer{counters: Counters{ByMethod: map[string]int{}, ByStatus: map[int]int{}, ByMethodStatus: map[string]int{}}}
}

// begin counts a request in; the returned function records its end.
func (o *observer) begin(r *http.Request, now time.Time) func(status int, dropped bool) {
	start := time.Now()
	o.mu.Lock()
	o.counters.InFlight++
	if o.counters.InFlight > o.counters.Peak {
		o.counters.Peak = o.counters.InFlight
	}
	o.mu.Unlock()
	return func(status int, dropped bool) {
		e := LogEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status,
			Dropped: dropped, Time: now, Duration: time.Since(start), AuxiliaryTokens: auxiliaryTokens(r)}
		o.mu.Lock()
		defer o.mu.Unlock()
		o.counters.InFlight--
		o.counters.Total++
		o.counters.ByMethod[e.Method]++
		o.counters.ByStatus[e.Status]++
		o.counters.ByMethodStatus[e.Method+" "+itoa(e.Status)]++
		if dropped {
			o.counters.Dropped++
		}
		o.log = append(o.log, e)
	}
}

// Requests returns how many requests the server has answered, by method.
func (s *Server) Requests() map[string]int {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	out := make(map[string]int, len(s.obs.counters.ByMethod))
	for k, v := range s.obs.counters.ByMethod {
		out[k] = v
	}
	return out
}

// RequestLog returns every request answered so far, in the order they
// finished.
func (s *Server) RequestLog() []LogEntry {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	return append([]LogEntry(nil), s.obs.log...)
}

// Counters returns a copy of the request counters.
func (s *Server) Counters() Counters {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	c := s.obs.counters
	c.ByMethod = copyMap(c.ByMethod)
	c.ByStatus = copyMap(c.ByStatus)
	c.ByMethodStatus = copyMap(c.ByMethodStatus)
	return c
}

// ResetObservations clears the request log and the counters (not the
// world), so a test can measure one phase.
func (s *Server) ResetObservations() {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	inFlight := s.obs.counters.InFlight
	s.obs.log = nil
	s.obs.counters = Counters{ByMethod: map[string]int{}, ByStatus: map[int]int{}, ByMethodStatus: map[string]int{}, InFlight: inFlight, Peak: inFlight}
}

func copyMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// auxiliaryTokens counts the "Bearer <token>" entries, comma-separated, of
// x-ms-authorization-auxiliary.
func auxiliaryTokens(r *http.Request) int {
	n := 0
	for _, part := range strings.Split(r.Header.Get("x-ms-authorization-auxiliary"), ",") {
		if tok, ok := strings.CutPrefix(strings.TrimSpace(part), "Bearer "); ok && strings.TrimSpace(tok) != "" {
			n++
		}
	}
	return n
}
