package apply

import (
	"context"
	"log/slog"
	"sort"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/state"
)

// noteWritten records that the operation on id succeeded.
func (r *runner) noteWritten(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.written == nil {
		r.written = map[string]bool{}
	}
	r.written[armid.Key(id)] = true
}

// wroteUnder reports whether this run wrote a resource inside id.
func (r *runner) wroteUnder(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for w := range r.written {
		if armid.IsUnder(w, id) {
			return true
		}
	}
	return false
}

// rereadParents reads again each recorded parent of a child resource this
// run wrote, and records what it reads as the parent's output.
//
// ARM shows a parent's children in the parent's own body: a virtual network
// lists its subnets in properties.subnets, a security group its rules.
// Apply records the network's output when the network is written, before
// its subnets exist, so without this the next plan would report the subnets
// it created as drift on the network, changed outside azapply. One GET per
// such parent, at the end; a parent that cannot be read keeps its record
// (the next apply that writes under it tries again).
func (r *runner) rereadParents(ctx context.Context) {
	r.mu.Lock()
	parents := map[string]*state.Resource{}
	for id := range r.written {
		parent, _, ok := parentResource(id)
		if !ok {
			continue
		}
		if sr := r.o.State.FindID(parent.String()); sr != nil && sr.Output != nil && sr.InFlight == nil {
			parents[armid.Key(sr.ID)] = sr
		}
	}
	r.mu.Unlock()
	keys := make([]string, 0, len(parents))
	for k := range parents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sr := parents[k]
		// A read of its own, bounded by the parent's timeouts { read }.
		readCtx, cancel := context.WithTimeout(ctx, r.timeout(sr.Address, OpRead))
		live, err := r.o.Client.Get(readCtx, sr.ID, sr.APIVersion)
		cancel()
		if err != nil || live == nil || live.Body == nil {
			slog.Debug("could not read a parent again after writing its children", "address", sr.Address, "error", err)
			continue
		}
		r.mu.Lock()
		out, err := r.o.State.Redact(live.Body, r.sensitive(sr.Address))
		if cur := r.o.State.Get(sr.Address); err == nil && cur == sr {
			updated := *sr
			updated.Output = out
			r.o.State.Set(&updated)
			r.outputs[sr.Address] = live.Body
			if err := r.save(sr.Address); err != nil {
				slog.Warn("could not record a parent read again after writing its children", "address", sr.Address, "error", err)
			}
		}
		r.mu.Unlock()
	}
}
