package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// recordOutputs evaluates the output blocks with everything applied and
// keeps them in the state, sensitive ones as a salted hash.
func (r *runner) recordOutputs() error {
	if r.o.Config == nil {
		return nil
	}
	if len(r.o.Config.Outputs) == 0 {
		if len(r.o.State.Outputs) == 0 {
			return nil
		}
		// Every output block was removed: so are their records.
		r.mu.Lock()
		defer r.mu.Unlock()
		r.o.State.Outputs = map[string]*state.Output{}
		return r.save(state.OutputsChanged)
	}
	ev, diags := r.o.Config.EvaluateAll(r.outputs)
	if diags.HasErrors() {
		return fmt.Errorf("evaluating the outputs: %w", diags)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prior := r.o.State.Outputs
	r.o.State.Outputs = map[string]*state.Output{}
	for _, out := range ev.Outputs {
		if !out.Value.IsWhollyKnown() {
			// Never dropped without a word: the state keeps what it had.
			if p, ok := prior[out.Name]; ok {
				r.o.State.Outputs[out.Name] = p
			}
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: "output." + out.Name,
				Message: "its value is still not known after apply (it reads something apply did not create or read); the state keeps its earlier value, if any"})
			continue
		}
		sensitive := out.Sensitive || out.Value.ContainsMarked()
		// A sensitive output is kept as a hash; one that returns a whole
		// body (a listKeys answer) keeps the secrets in it as hashes.
		v := r.o.State.OutputValue(config.ToJSONValue(out.Value), sensitive)
		r.o.State.Outputs[out.Name] = &state.Output{Value: v, Sensitive: sensitive}
		r.res.Outputs = append(r.res.Outputs, out)
	}
	return r.save(state.OutputsChanged)
}

// liveID is the ID as ARM spells it, when the body carries the same ID.
func liveID(body map[string]any, id string) string {
	if s, ok := body["id"].(string); ok && armid.Equal(s, id) {
		return s
	}
	return id
}

// sensitive lists the paths of a resource whose values the state hashes.
func (r *runner) sensitive(address string) []string {
	var out []string
	if in, ok := r.insts[address]; ok {
		out = in.Sensitive
	}
	if late, ok := r.lateSensitive.Load(address); ok {
		out = append(out[:len(out):len(out)], late.([]string)...)
	}
	return out
}

// recordInFlight returns the progress callback that records an accepted
// long-running operation in the state (with what was sent, sensitive values
// hashed), so that a rerun after a crash resumes waiting on it instead of
// sending it again.
func (r *runner) recordInFlight(address, id, apiVersion, method string, sent map[string]any) func(arm.Progress) {
	return func(p arm.Progress) {
		if p.ResumeToken == "" {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if sr := r.o.State.Get(address); sr != nil && sr.InFlight != nil &&
			sr.InFlight.Method == method && sr.InFlight.ResumeToken == p.ResumeToken {
			// Recorded when polling started; a poll that leaves the
			// operation running changes nothing a rerun needs, and a save
			// per poll costs a whole state write.
			return
		}
		redacted, err := r.o.State.Redact(sent, r.sensitive(address))
		if err != nil {
			redacted = nil
		}
		r.o.State.StartOperation(address, id, apiVersion, state.Operation{
			Method: method, PollingURL: pollingURL(p.ResumeToken), Started: r.o.Now().Add(-p.Elapsed),
			ResumeToken: p.ResumeToken, Sent: redacted,
		})
		// Not waited for: the intent recorded before the create was sent
		// (or, for a write to a resource the state has, its record)
		// already keeps the promise that a crash loses nothing but the
		// operations in flight; the resume token only spares the rerun a
		// read. It goes with the next commit, within lazySave.
		r.saveSoon(address)
	}
}

// recordIntent records, before a create is sent, that it is about to be:
// an operation in flight with no resume token yet. Without it, a crash
// between ARM's answer and the next state write leaves a resource that
// exists in Azure and that no state knows, which the rerun's plan must
// refuse to adopt silently. With it, the rerun reads the resource back
// (see ResumeInFlight) and the crash loses nothing. A resource the state
// records already needs no intent: its address is known.
func (r *runner) recordIntent(address, id, apiVersion, method string, sent map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.State.Get(address) != nil || method != http.MethodPut {
		return nil
	}
	redacted, err := r.o.State.Redact(sent, r.sensitive(address))
	if err != nil {
		return err
	}
	r.o.State.StartOperation(address, id, apiVersion, state.Operation{Method: method, Started: r.o.Now(), Sent: redacted})
	return r.save(address)
}

// settleFailedCreate makes the state match Azure after a create that ARM
// answered with an error: a resource that exists (most providers leave one
// in provisioningState Failed when its operation fails) stays recorded,
// with no last-applied body, so that the next plan sends it again instead
// of refusing to adopt it; one that does not exist (the request was
// refused) is forgotten, intent and all. An error that is no answer from
// ARM (interrupted, network) leaves the record to the next run.
func (r *runner) settleFailedCreate(ctx context.Context, c *plan.Change, err error) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return
	}
	live, gerr := r.o.Client.Get(ctx, c.ID, c.APIVersion)
	r.mu.Lock()
	defer r.mu.Unlock()
	sr := r.o.State.Get(c.Address)
	switch {
	case arm.IsNotFound(gerr):
		if sr != nil && sr.LastApplied == nil && sr.Output == nil {
			r.o.State.Remove(c.Address)
			_ = r.save(c.Address)
		}
	case gerr == nil && sr == nil:
		r.o.State.Set(&state.Resource{Address: c.Address, ID: liveID(live.Body, c.ID), APIVersion: c.APIVersion})
		_ = r.save(c.Address)
	}
}

// operationEnded clears the operation in flight of a resource whose
// operation reached an end (failed or canceled in Azure). One that was only
// abandoned (timeout, interrupt) stays recorded: it goes on in Azure, and
// the next apply resumes waiting on it.
func (r *runner) operationEnded(address string, err error) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.o.State.Get(address); sr != nil && sr.InFlight != nil {
		// ARM accepted it, so the resource exists even when its operation
		// failed (in provisioningState Failed): keep it, and the next plan
		// sends it again.
		r.o.State.FinishOperation(address)
		_ = r.save(address)
	}
}

// pollingURL digs the polling URL out of an azcore resume token, for the
// people who read the state; the token itself is what resuming uses.
func pollingURL(token string) string {
	var t map[string]any
	if json.Unmarshal([]byte(token), &t) != nil {
		return ""
	}
	for _, k := range []string{"asyncURL", "opLocURL", "locURL", "origURL", "pollURL"} {
		if u, ok := t[k].(string); ok && u != "" {
			return u
		}
	}
	return ""
}

// recorded is what the state records of the resource at address, nil when
// nothing.
func (r *runner) recorded(address string) *state.Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.o.State.Get(address)
}

func (r *runner) recordedID(address string, n *node) string {
	if n.op == OpDelete {
		return n.id
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.o.State.Get(address); sr != nil {
		return sr.ID
	}
	return n.id
}

// recordWritten records what a write sent and what ARM answered: the
// state keeps a salted hash of every sensitive value, never the value;
// dependants in this run get the clear output.
func (r *runner) recordWritten(n *node, desired, live map[string]any) error {
	c := n.change
	id := liveID(live, c.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.o.State.RecordApplied(c.Address, id, c.APIVersion, desired, live, r.sensitive(c.Address)); err != nil {
		return err
	}
	r.outputs[c.Address] = live
	if c.Desired != nil && hasUnknown(c.Desired) {
		// The plan's body with values unknown then: the body sent, which
		// the state now records, replaces it, and nothing reads it again.
		c.Desired = nil
	}
	if n.op == OpUpdate {
		r.res.Changed++
	} else {
		r.res.Added++
	}
	return r.save(c.Address)
}
