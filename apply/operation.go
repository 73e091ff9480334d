package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/azapply/azapply/arm"
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
			err = timedOut(address, n.op, elapsed, timeout, err)
		} else {
			err = fmt.Errorf("%s: %s %s: %w", address, n.op.Verb(), n.id, err)
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventFailed, Op: n.op, Address: address, ID: n.id, Elapsed: elapsed, Error: err.Error()})
		return err
	}
	// Only writes count: a read or an action under a resource (its
	// listKeys) changes nothing that the resource's If-Match guards.
	switch n.op {
	case OpCreate, OpUpdate, OpDelete:
		r.noteWritten(n.id)
	}
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
	wait := replicationWait{delay: r.o.ConsistencyDelay}
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
			if werr := r.waitReplication(ctx, n, &wait, reason, err); werr != nil {
				return werr
			}
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

// once sends the operation n once, bounded by its timeout.
func (r *runner) once(ctx context.Context, n *node) error {
	timeout := r.timeout(n.change.Address, n.op)
	switch n.op {
	case OpCreate, OpUpdate:
		return r.write(ctx, n, timeout)
	case OpDelete:
		return r.delete(ctx, n, timeout)
	case OpRead:
		return r.read(ctx, n, timeout)
	case OpPost:
		return r.post(ctx, n, timeout)
	}
	return fmt.Errorf("apply has no operation %q", n.op)
}

// replicationWait is where perform stands in the window of a principal's
// replication: when its first wait began, and how long the next one is.
type replicationWait struct {
	start time.Time
	delay time.Duration
}

// waitReplication pauses before perform sends n again after ARM answered
// reason (err), or returns the error that ends the waits: the window is
// over, or the pause was interrupted.
func (r *runner) waitReplication(ctx context.Context, n *node, w *replicationWait, reason string, err error) error {
	if w.start.IsZero() {
		w.start = r.o.Now()
	}
	waited := r.o.Now().Sub(w.start)
	window := r.window(n.change.Address, ReplicationWindow)
	if waited+w.delay > window {
		return fmt.Errorf("%s, still after %s (its window is %s; a retry block's within lengthens it): %w", reason, seconds(waited), window, err)
	}
	r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWaiting, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: waited,
		Message: fmt.Sprintf("%s; trying again in %s (waited %s of at most %s)", reason, seconds(w.delay), seconds(waited), window)})
	if perr := r.pause(ctx, w.delay); perr != nil {
		return fmt.Errorf("%s; %w: %w", reason, perr, err)
	}
	w.delay = min(w.delay*2, maxSettleDelay)
	return nil
}
