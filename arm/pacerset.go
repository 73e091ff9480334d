package arm

// This file lets several clients in one process share pacing: a fleet of
// stacks plans with one client each, and ARM counts all their requests in
// the same buckets (per subscription and principal), so each client's own
// estimate of a bucket would be wrong by what the others take.

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// PacerSet holds the pacers that clients built with it share, and bounds
// the requests they have in flight together.
//
// Clients given the same set (ClientOptions.Pacers) with the same endpoint
// and principal (ClientOptions.Principal) share one pacer: one estimate of
// each of ARM's buckets, which stay per subscription and operation kind. A
// 429 one of them receives pauses the others' requests of that kind too.
// The first client of an endpoint and principal sets the pacer's
// PacingOptions; those of later clients are not used.
//
// A PacerSet is safe for concurrent use. The zero value is not: use
// NewPacerSet.
type PacerSet struct {
	// inflight holds a token per request in flight; nil when unbounded.
	inflight chan struct{}

	mu     sync.Mutex
	pacers map[string]*pacer
}

// NewPacerSet returns an empty set. maxInFlight, when positive, bounds the
// requests in flight of all the set's clients together (each attempt,
// after it has waited for its pacer); zero or less leaves them unbounded.
func NewPacerSet(maxInFlight int) *PacerSet {
	s := &PacerSet{pacers: map[string]*pacer{}}
	if maxInFlight > 0 {
		s.inflight = make(chan struct{}, maxInFlight)
	}
	return s
}

// pacerFor returns the shared pacer of endpoint and principal, making it
// with opts the first time.
func (s *PacerSet) pacerFor(endpoint, principal string, opts PacingOptions) *pacer {
	key := strings.ToLower(strings.TrimSuffix(endpoint, "/")) + "|" + principal
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pacers[key]
	if p == nil {
		p = newPacer(opts)
		s.pacers[key] = p
	}
	return p
}

// Pacers returns how many pacers the set holds: one per endpoint and
// principal its clients used.
func (s *PacerSet) Pacers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pacers)
}

// Throttled returns how many 429 responses the set's clients received.
func (s *PacerSet) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.pacers {
		n += p.Throttled()
	}
	return n
}

// limit returns the policy that bounds the set's requests in flight, or
// nil when they are unbounded.
func (s *PacerSet) limit() policy.Policy {
	if s == nil || s.inflight == nil {
		return nil
	}
	return inflightPolicy{tokens: s.inflight}
}

// inflightPolicy holds one of a shared number of tokens while a request
// is sent and its response headers read.
type inflightPolicy struct {
	tokens chan struct{}
}

func (p inflightPolicy) Do(req *policy.Request) (*http.Response, error) {
	if err := acquire(req.Raw().Context(), p.tokens); err != nil {
		return nil, err
	}
	defer func() { <-p.tokens }()
	return req.Next()
}

func acquire(ctx context.Context, tokens chan struct{}) error {
	select {
	case tokens <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Principal returns who the client's requests are sent as, as the client
// was told (ClientOptions.Principal), with its endpoint: two clients with
// the same identity draw from the same ARM buckets and see the same
// resources.
func (c *Client) Principal() string {
	return strings.ToLower(c.endpoint.String()) + "|" + c.principal
}

// principalOf names the identity a Settings signs in as, without its
// secrets: the kind of credential, the tenant, the client or user.
func principalOf(s Settings) string {
	return strings.Join([]string{s.authKind(), strings.ToLower(s.TenantID), strings.ToLower(s.ClientID), strings.ToLower(s.Username)}, "/")
}
