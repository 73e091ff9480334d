package apply

import (
	"context"
	"net/http"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/plan"
)

// delete sends the DELETE of n.id, waits until ARM no longer shows it,
// purges what a soft-deleting type leaves when asked to, and forgets it
// (and what its resource group's delete removed with it) in the state. A
// resource already gone is no error.
func (r *runner) delete(ctx context.Context, n *node, timeout time.Duration) error {
	c := n.change
	if plan.IsResourceGroup(n.id) {
		if err := r.checkGroup(ctx, n); err != nil {
			return err
		}
	}
	req := arm.Request{Method: http.MethodDelete, ID: n.id, APIVersion: c.APIVersion, Timeout: timeout}
	req.Progress = r.recordInFlight(c.Address, n.id, c.APIVersion, http.MethodDelete, nil)
	req.OnBusy = func(error) { r.locks.learn(n.id) }
	resp, err := r.o.Client.Do(ctx, req)
	if err != nil && !arm.IsNotFound(err) {
		r.operationEnded(c.Address, err)
		return err
	}
	if err == nil {
		if err := r.confirmDeleted(ctx, n, resp); err != nil {
			return err
		}
	}
	if err := r.purgeAfterDelete(ctx, c, n.id); err != nil {
		return err
	}
	return r.recordDeleted(n)
}

// recordDeleted forgets in the state the resource n deleted, and those
// its resource group's delete removed with it.
func (r *runner) recordDeleted(n *node) error {
	c := n.change
	r.mu.Lock()
	defer r.mu.Unlock()
	if armid.Equal(n.id, c.ID) || c.Action != plan.Replace {
		// The delete half of a replace at a new ID leaves the record to
		// the create of the new one.
		r.o.State.Remove(c.Address)
		delete(r.outputs, c.Address)
	}
	r.res.Destroyed++
	changed := []string{c.Address}
	for _, child := range r.deletedWith[c.Address] {
		if sr := r.o.State.Get(child.Address); sr != nil && !armid.IsUnder(sr.ID, n.id) {
			// Created again elsewhere already (a group replaced by
			// one at a new ID, deleted last): that record stays.
			continue
		}
		r.o.State.Remove(child.Address)
		delete(r.outputs, child.Address)
		r.res.Destroyed++
		changed = append(changed, child.Address)
	}
	return r.save(changed...)
}
