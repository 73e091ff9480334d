package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/plan"
)

// write creates or updates a resource: it sends the request the plan
// showed, with the values known now, reads the resource back, and records
// what it sent and what ARM answered.
func (r *runner) write(ctx context.Context, n *node, timeout time.Duration) error {
	c := n.change
	desired, req, err := r.writeRequest(n, timeout)
	if err != nil {
		return err
	}
	if err := r.recordIntent(c.Address, c.ID, c.APIVersion, req.Method, desired); err != nil {
		return err
	}
	live, err := r.send(ctx, n, req)
	if err != nil {
		return r.writeFailed(ctx, n, err)
	}
	// A long-running write ends with a GET of the resource already: read
	// it again only when the answer is not such a read.
	if live == nil || !live.ReadAfterOperation || live.Body == nil {
		if live, err = r.readBack(ctx, n); err != nil {
			return fmt.Errorf("reading it back after the write: %w", err)
		}
	}
	r.warnKeptDifferently(c.Address, c.APIVersion, desired, live.Body)
	return r.recordWritten(n, desired, live.Body)
}

// writeRequest builds the request of a write and returns it with the
// declared body, the one the state records as last applied.
func (r *runner) writeRequest(n *node, timeout time.Duration) (map[string]any, arm.Request, error) {
	c := n.change
	desired, err := r.desiredBody(c)
	if err != nil {
		return nil, arm.Request{}, err
	}
	// The request the plan showed: for an update, built from the live body
	// the plan read (read, merge, write), with the values known now.
	planned, err := c.RequestFor(desired, r.recorded(c.Address))
	if err != nil {
		return nil, arm.Request{}, err
	}
	req := arm.Request{Method: planned.Method, ID: c.ID, APIVersion: c.APIVersion, Body: planned.Body, Timeout: timeout}
	if n.op == OpUpdate {
		// Only if nobody changed it since the plan read it. A child this
		// run already wrote (a subnet deleted before its network's update)
		// moved the ETag itself: the request leaves that child out, and
		// the ETag the plan read no longer tells anything.
		if !r.wroteUnder(c.ID) {
			req.IfMatch, _ = c.Live["etag"].(string)
		}
	}
	// The state records the declared body as the last applied one, as
	// kubectl's last-applied configuration: what the configuration asked
	// for, not the live values the merge carried along.
	req.Progress = r.recordInFlight(c.Address, c.ID, c.APIVersion, req.Method, desired)
	// The client resends a write its parent is busy for; from the first
	// such answer on, writes under that parent wait for each other.
	req.OnBusy = func(error) { r.locks.learn(c.ID) }
	return desired, req, nil
}

// send sends a write, registering its resource provider when allowed and
// recovering or purging a soft-deleted resource that holds the name of one
// it creates. A nil response with no error asks for a read back.
func (r *runner) send(ctx context.Context, n *node, req arm.Request) (*arm.Response, error) {
	c := n.change
	live, err := r.registerWrite(ctx, c.Address, req)
	if t := plan.SoftDeleteOf(c.ID); err != nil && n.op == OpCreate && t != nil && t.IsConflict(err) {
		live, err = r.softDeletedCreate(ctx, c, t, req, err)
	}
	if err != nil && n.op == OpCreate && finalReadNotFound(err) {
		// The operation succeeded, but the GET that ends it found nothing
		// yet: the caller reads it back within its window.
		return nil, nil
	}
	return live, err
}

// writeFailed makes the state match Azure after a write ARM refused or
// failed, and says what the user can do about it.
func (r *runner) writeFailed(ctx context.Context, n *node, err error) error {
	c := n.change
	r.operationEnded(c.Address, err)
	if n.op == OpCreate {
		r.settleFailedCreate(ctx, c, err)
	}
	if arm.IsPreconditionFailed(err) {
		return fmt.Errorf("it changed in Azure after the plan read it (its ETag no longer matches), so azapply did not overwrite it: run plan again and review the new plan: %w", err)
	}
	if n.op == OpUpdate {
		return r.learnRefusal(c, err)
	}
	return err
}

// warnKeptDifferently reports, once, each declared value the service
// answered differently right after the write.
func (r *runner) warnKeptDifferently(address, apiVersion string, sent, answered map[string]any) {
	rules := body.Rules{}
	if in, ok := r.insts[address]; ok {
		rules = body.Rules{IgnoreChanges: in.IgnoreChanges, Sensitive: in.Sensitive, ArrayKeys: in.ArrayKeys, Unordered: in.Unordered, ID: in.ID}
	}
	kept, err := body.KeptDifferently(sent, answered, rules)
	if err != nil {
		return
	}
	for _, pc := range kept {
		if pc.NotReturned {
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
				"the service did not return %s (azapply sent %s): %s; later plans list it under \"Values the service keeps differently\"",
				pc.Path, plan.FormatValue(pc.After, pc.Sensitive), plan.NotReturnedHint(apiVersion))})
			continue
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
			"the service keeps %s as %s (azapply sent %s); later plans list it under \"Values the service keeps differently\" until the configuration or the live value changes",
			pc.Path, plan.FormatValue(pc.Before, pc.Sensitive), plan.FormatValue(pc.After, pc.Sensitive))})
	}
}
