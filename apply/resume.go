package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// ResumeInFlight waits for the operations an earlier apply started and did
// not see finish (it crashed, or was interrupted twice): their resume tokens
// are in the state. Each one that succeeds is recorded as if that apply had
// finished it; one that failed is cleared, so that the plan that follows
// sends it again. Nothing is sent again here: only polls and a read back.
func ResumeInFlight(ctx context.Context, o Options) error {
	o = o.withDefaults()
	sensitive := map[string][]string{}
	for _, in := range o.Instances {
		sensitive[in.Address] = in.Sensitive
	}
	var errs []error
	for _, sr := range o.State.InFlight() {
		var err error
		if sr.InFlight.ResumeToken == "" {
			err = resumeIntent(ctx, o, sr, sensitive[sr.Address])
		} else {
			err = resumeOperation(ctx, o, sr, sensitive[sr.Address])
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if o.Save != nil {
			if err := o.Save(o.State, sr.Address); err != nil {
				return fmt.Errorf("saving the state: %w", err)
			}
		}
	}
	return errors.Join(errs...)
}

// resumeOperation waits for the operation in flight of sr from its resume
// token and records how it ended. An error leaves the record as it was.
func resumeOperation(ctx context.Context, o Options, sr *state.Resource, sensitive []string) error {
	op := *sr.InFlight
	kind := OpUpdate
	switch {
	case op.Method == http.MethodDelete:
		kind = OpDelete
	case sr.LastApplied == nil:
		kind = OpCreate
	}
	start := o.Now()
	o.Reporter.Report(Event{Time: start, Kind: EventProgress, Op: kind, Address: sr.Address, ID: sr.ID,
		Elapsed: start.Sub(op.Started), Message: "resuming the wait for an operation an earlier run started"})
	_, err := o.Client.Resume(ctx, op.ResumeToken, arm.WaitOptions{})
	if err != nil {
		var ae *arm.Error
		if !errors.As(err, &ae) {
			// Not an answer from ARM (interrupted, network): keep it.
			return fmt.Errorf("%s: waiting for the operation an earlier run started: %w", sr.Address, err)
		}
		o.Reporter.Report(Event{Time: o.Now(), Kind: EventFailed, Op: kind, Address: sr.Address, ID: sr.ID, Elapsed: o.Now().Sub(op.Started), Error: err.Error()})
		// The resource exists in a Failed state: the plan re-applies it.
		o.State.FinishOperation(sr.Address)
		return nil
	}
	if kind == OpDelete {
		// As after a fresh delete, it is gone only when its GET answers
		// 404 (within its window): until then a create of the same ID
		// would fail with 409.
		n := &node{change: &plan.Change{Address: sr.Address, ID: sr.ID, APIVersion: sr.APIVersion}, op: OpDelete, id: sr.ID}
		if err := newRunner(o).confirmDeleted(ctx, n, nil); err != nil {
			return fmt.Errorf("%s: the delete an earlier run started: %w", sr.Address, err)
		}
		o.State.Remove(sr.Address)
		o.Reporter.Report(Event{Time: o.Now(), Kind: EventComplete, Op: kind, Address: sr.Address, ID: sr.ID, Elapsed: o.Now().Sub(op.Started)})
		return nil
	}
	live, err := o.Client.Get(ctx, sr.ID, sr.APIVersion)
	if err != nil {
		return fmt.Errorf("%s: reading it back after its operation finished: %w", sr.Address, err)
	}
	if err := o.State.RecordApplied(sr.Address, liveID(live.Body, sr.ID), sr.APIVersion, op.Sent, live.Body, sensitive); err != nil {
		return err
	}
	o.Reporter.Report(Event{Time: o.Now(), Kind: EventComplete, Op: kind, Address: sr.Address, ID: sr.ID, Elapsed: o.Now().Sub(op.Started)})
	return nil
}

// resumeIntent settles a create that an earlier run was about to send, or
// sent without seeing ARM accept it: if the resource exists, it is recorded
// as applied with the body that was sent (a PUT is idempotent, and the plan
// that follows compares it with the configuration as usual); if it does
// not, the request never landed and the state forgets it, so that the plan
// creates it.
func resumeIntent(ctx context.Context, o Options, sr *state.Resource, sensitive []string) error {
	op := *sr.InFlight
	if op.Method != http.MethodPut || sr.LastApplied != nil {
		o.State.FinishOperation(sr.Address)
		return nil
	}
	live, err := o.Client.Get(ctx, sr.ID, sr.APIVersion)
	if arm.IsNotFound(err) {
		o.State.Remove(sr.Address)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: reading it to see whether the create an earlier run sent landed: %w", sr.Address, err)
	}
	if err := o.State.RecordApplied(sr.Address, liveID(live.Body, sr.ID), sr.APIVersion, op.Sent, live.Body, sensitive); err != nil {
		return err
	}
	o.Reporter.Report(Event{Time: o.Now(), Kind: EventComplete, Op: OpCreate, Address: sr.Address, ID: sr.ID,
		Elapsed: o.Now().Sub(op.Started), Message: "an earlier run created it; recorded now"})
	return nil
}
