package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/plan"
)

// run performs one operation with its timeout, progress reports and the
// per-parent serialization ARM needs.
func (r *runner) run(ctx context.Context, n *node, held func()) error {
	address := n.change.Address
	timeout := r.timeout(address, n.op)
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := r.o.Now()
	r.o.Reporter.Report(Event{Time: start, Kind: EventStart, Op: n.op, Address: address, ID: n.id})
	stop := r.ticker(n, start)
	err := r.perform(opCtx, n, held)
	stop()
	elapsed := r.o.Now().Sub(start)
	if err != nil {
		if errors.Is(opCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("%s: gave up waiting after %s (its timeouts { %s = ... } allow %s); the operation may still be running in Azure — check it, then run apply again: %w",
				address, seconds(elapsed), timeoutName(n.op), timeout, err)
		} else {
			err = fmt.Errorf("%s: %s %s: %w", address, opVerb(n.op), n.id, err)
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventFailed, Op: n.op, Address: address, ID: n.id, Elapsed: elapsed, Error: err.Error()})
		return err
	}
	r.noteWritten(n.id)
	r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventComplete, Op: n.op, Address: address, ID: r.recordedID(address, n), Elapsed: elapsed})
	return nil
}

// ticker reports every ProgressInterval that n is still running. stop
// returns only once the ticker's goroutine has ended, so that no "still
// running" line can follow the operation's last line.
func (r *runner) ticker(n *node, start time.Time) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	t := time.NewTicker(r.o.ProgressInterval)
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-t.C:
				select {
				case <-done:
					return
				default:
				}
				r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventProgress, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: r.o.Now().Sub(start)})
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
		<-exited
	}
}

// perform sends the operation, retrying it under the parent's lock when
// the parent answers that another operation is in progress. held, when
// set, releases the parent's lock already taken for the first attempt.
func (r *runner) perform(ctx context.Context, n *node, held func()) error {
	var settleStart time.Time
	settleDelay := r.o.ConsistencyDelay
	for attempt := 0; ; attempt++ {
		// The first attempt runs under the lock the scheduler took.
		release := held
		if held = nil; release == nil {
			release = r.locks.acquire(n.id)
		}
		opCtx := ctx
		if r.locks.serializes(n.id) {
			// One of a chain ARM runs one at a time: each of its reads
			// (polls above all) waiting behind unrelated ones delays the
			// whole chain, so they go first.
			opCtx = arm.WithPriority(ctx)
		}
		err := r.once(opCtx, n)
		release()
		if err == nil {
			return nil
		}
		if reason, ok := r.replicationError(n.change.Address, err); ok {
			// A principal created moments ago, not yet replicated: resend
			// within the window.
			if settleStart.IsZero() {
				settleStart = r.o.Now()
			}
			waited := r.o.Now().Sub(settleStart)
			window := r.window(n.change.Address, ReplicationWindow)
			if waited+settleDelay > window {
				return fmt.Errorf("%s, still after %s (its window is %s; a retry block's within lengthens it): %w", reason, seconds(waited), window, err)
			}
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWaiting, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: waited,
				Message: fmt.Sprintf("%s; trying again in %s (waited %s of at most %s)", reason, seconds(settleDelay), seconds(waited), window)})
			if perr := r.pause(ctx, settleDelay); perr != nil {
				return fmt.Errorf("%s; %w: %w", reason, perr, err)
			}
			settleDelay = min(settleDelay*2, maxSettleDelay)
			continue
		}
		if !isParentBusy(err) {
			return err
		}
		// The parent serializes its children: from now on writes under it
		// wait for each other; this one tries again after a pause.
		r.locks.learn(n.id)
		if perr := r.pause(ctx, time.Duration(1<<min(attempt, 5))*time.Second); perr != nil {
			return fmt.Errorf("%w (the parent was still busy with another operation; %w)", err, perr)
		}
	}
}

func (r *runner) once(ctx context.Context, n *node) error {
	c := n.change
	timeout := r.timeout(c.Address, n.op)
	switch n.op {
	case OpRead:
		return r.read(ctx, n, timeout)
	case OpPost:
		return r.post(ctx, n, timeout)
	}
	if n.op == OpDelete {
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
		r.mu.Lock()
		defer r.mu.Unlock()
		if armid.Equal(n.id, c.ID) || c.Action != plan.Replace {
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
	desired, err := r.desiredBody(c)
	if err != nil {
		return err
	}
	// The request the plan showed: for an update, built from the live body
	// the plan read (read, merge, write), with the values known now.
	planned, err := c.RequestFor(desired, r.recorded(c.Address))
	if err != nil {
		return err
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
	if err := r.recordIntent(c.Address, c.ID, c.APIVersion, req.Method, desired); err != nil {
		return err
	}
	live, err := r.registerWrite(ctx, c.Address, req)
	if t := plan.SoftDeleteOf(c.ID); err != nil && n.op == OpCreate && t != nil && t.IsConflict(err) {
		live, err = r.softDeletedCreate(ctx, c, t, req, err)
	}
	if err != nil && n.op == OpCreate && finalReadNotFound(err) {
		// The operation succeeded, but the GET that ends it found nothing
		// yet: read it back within the window below.
		live, err = nil, nil
	}
	if err != nil {
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
	// A long-running write ends with a GET of the resource already: read
	// it again only when the answer is not such a read.
	if live == nil || !live.ReadAfterOperation || live.Body == nil {
		if live, err = r.readBack(ctx, n); err != nil {
			return fmt.Errorf("reading it back after the write: %w", err)
		}
	}
	id := liveID(live.Body, c.ID)
	r.warnKeptDifferently(c.Address, c.APIVersion, desired, live.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	// The state keeps a salted hash of every sensitive value, never the
	// value; dependants in this run get the clear output.
	if err := r.o.State.RecordApplied(c.Address, id, c.APIVersion, desired, live.Body, r.sensitive(c.Address)); err != nil {
		return err
	}
	r.outputs[c.Address] = live.Body
	if n.op == OpUpdate {
		r.res.Changed++
	} else {
		r.res.Added++
	}
	return r.save(c.Address)
}

func (r *runner) timeout(address string, op Op) time.Duration {
	in, ok := r.insts[address]
	if !ok {
		return DefaultTimeout
	}
	var d time.Duration
	switch op {
	case OpCreate:
		d = in.Timeouts.Create
	case OpUpdate:
		d = in.Timeouts.Update
	case OpDelete:
		d = in.Timeouts.Delete
	}
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

func timeoutName(op Op) string {
	return map[Op]string{OpCreate: "create", OpUpdate: "update", OpDelete: "delete"}[op]
}

func opVerb(op Op) string {
	return map[Op]string{OpCreate: "creating", OpUpdate: "updating", OpDelete: "deleting"}[op]
}
