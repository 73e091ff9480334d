package emulator

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// faultInjector draws, per request, whether to fail it. One seeded source
// behind a mutex keeps a run repeatable for a given order of requests.
type faultInjector struct {
	f   Faults
	mu  sync.Mutex
	rng *rand.Rand
}

func newFaultInjector(f Faults) *faultInjector {
	seed := uint64(f.Seed)
	return &faultInjector{f: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// applies reports whether the faults are meant for r.
func (fi *faultInjector) applies(r *http.Request) bool {
	if len(fi.f.Methods) > 0 && !slices.ContainsFunc(fi.f.Methods, func(m string) bool { return strings.EqualFold(m, r.Method) }) {
		return false
	}
	if len(fi.f.Types) == 0 {
		return true
	}
	typ := requestType(r)
	for _, t := range fi.f.Types {
		if (OperationRule{Type: t}).match(typ, r.Method) && typ != "" {
			return true
		}
	}
	return false
}

// requestType is the resource type a request addresses ("" when none).
func requestType(r *http.Request) string {
	p := r.URL.Path
	if r.Method == http.MethodPost {
		if i := strings.LastIndex(strings.TrimSuffix(p, "/"), "/"); i > 0 {
			p = p[:i]
		}
	}
	if t, err := parseTarget(p); err == nil {
		return t.typ
	}
	if c, ok := parseCollection(p); ok {
		return c.typ
	}
	return ""
}

// delay waits the configured latency, or until ctx ends.
func (fi *faultInjector) delay(ctx context.Context) error {
	if fi.f.Latency <= 0 {
		return nil
	}
	t := time.NewTimer(fi.f.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (fi *faultInjector) draw() float64 {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.rng.Float64()
}

// serverError answers a drawn fraction of requests 500 or 503, calling
// retryAfter to set the Retry-After headers first, and reports whether it
// did.
func (fi *faultInjector) serverError(w http.ResponseWriter, retryAfter func(http.ResponseWriter)) bool {
	if fi.f.ErrorRate <= 0 || fi.draw() >= fi.f.ErrorRate {
		return false
	}
	retryAfter(w)
	if fi.draw() < 0.5 {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Encountered internal server error. Diagnostic information: emulator fault injection.")
	} else {
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable (emulator fault injection). Please retry.")
	}
	return true
}

// drop reports whether this request's connection is to be dropped.
func (fi *faultInjector) drop() bool {
	return fi.f.DropRate > 0 && fi.draw() < fi.f.DropRate
}
