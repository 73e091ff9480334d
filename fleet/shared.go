package fleet

import (
	"context"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
)

// Shared is what the stacks of one fleet run share.
type Shared struct {
	// Pacers paces every stack's ARM client: one pacer per endpoint and
	// principal, and one bound on the fleet's requests in flight.
	Pacers *arm.PacerSet
	// Lists lists each collection once for the fleet.
	Lists *ListCache
}

// NewShared returns what a fleet shares, with at most parallelism
// requests in flight for the whole fleet (unbounded when not positive).
func NewShared(parallelism int) *Shared {
	return &Shared{Pacers: arm.NewPacerSet(parallelism), Lists: NewListCache()}
}

// ClientOptions returns o with the fleet's shared pacers: every stack's
// ARM client is built with them.
func (s *Shared) ClientOptions(o arm.ClientOptions) arm.ClientOptions {
	o.Pacers = s.Pacers
	return o
}

// Client is a stack's ARM client as the fleet uses it. *arm.Client is one.
type Client interface {
	plan.Reader
	plan.Lister
	// Principal names the client's endpoint and identity (see
	// arm.Client.Principal): lists are shared between clients that agree.
	Principal() string
}

// Reader returns the reader a stack plans with: its own client, whose
// lists go through the fleet's cache.
func (s *Shared) Reader(c Client) plan.Reader {
	return sharedReader{Client: c, lists: s.Lists}
}

// sharedReader is a stack's client with the fleet's list cache.
type sharedReader struct {
	Client
	lists *ListCache
}

func (r sharedReader) List(ctx context.Context, collection, apiVersion string, fn func(arm.Page) bool) error {
	return r.lists.List(ctx, r.Client, r.Principal(), collection, apiVersion, fn)
}
