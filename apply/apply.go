package apply

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// Client is what apply needs of the ARM client.
type Client interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
	Put(ctx context.Context, id, apiVersion string, body any) (*arm.Response, error)
	Delete(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}

// Options are the inputs of Run.
type Options struct {
	Plan   *plan.Plan
	Config *config.Config
	Client Client
	State  *state.State
	// Save stores the state; it is called after every finished operation.
	Save func(*state.State) error
	// Out receives one progress line per started and finished operation.
	Out io.Writer
	// Now returns the time; time.Now when nil.
	Now func() time.Time
}

// Result counts what was done.
type Result struct {
	Added, Changed, Destroyed int
}

// Run applies the plan. On the first failure it stops, keeps the state of
// what finished, and returns the error.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &runner{o: o, outputs: map[string]any{}}
	for _, sr := range o.State.Resources {
		if sr.Output != nil {
			r.outputs[sr.Address] = sr.Output
		}
	}
	// Deletes first, in the order the plan gives them (deepest first); then
	// creates and updates in dependency order.
	for _, c := range o.Plan.Changes {
		var err error
		switch c.Action {
		case plan.Delete:
			err = r.delete(ctx, c.Address, c.ID, c.APIVersion)
		case plan.Replace:
			err = r.delete(ctx, c.Address, c.PriorID, c.APIVersion)
		case plan.Forget:
			o.State.Remove(c.Address)
			err = r.save()
		}
		if err != nil {
			return r.res, err
		}
	}
	for _, c := range o.Plan.Changes {
		switch c.Action {
		case plan.Create, plan.Update, plan.Replace:
			if err := r.put(ctx, c); err != nil {
				return r.res, err
			}
		}
	}
	return r.res, nil
}

type runner struct {
	o       Options
	outputs map[string]any
	res     Result
}

func (r *runner) save() error {
	if err := r.o.Save(r.o.State); err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	return nil
}

func (r *runner) delete(ctx context.Context, address, id, apiVersion string) error {
	start := r.o.Now()
	fmt.Fprintf(r.o.Out, "%s: Destroying... [id=%s]\n", address, id)
	if _, err := r.o.Client.Delete(ctx, id, apiVersion); err != nil {
		fmt.Fprintf(r.o.Out, "%s: Destruction failed: %v\n", address, err)
		return fmt.Errorf("%s: deleting %s: %w", address, id, err)
	}
	r.o.State.Remove(address)
	delete(r.outputs, address)
	r.res.Destroyed++
	fmt.Fprintf(r.o.Out, "%s: Destruction complete after %s\n", address, elapsed(r.o.Now().Sub(start)))
	return r.save()
}

func (r *runner) put(ctx context.Context, c *plan.Change) error {
	body, err := r.desiredBody(c.Address)
	if err != nil {
		return err
	}
	verb, done := "Creating", "Creation"
	if c.Action == plan.Update {
		verb, done = "Modifying", "Modifications"
	}
	start := r.o.Now()
	fmt.Fprintf(r.o.Out, "%s: %s...\n", c.Address, verb)
	if _, err := r.o.Client.Put(ctx, c.ID, c.APIVersion, body); err != nil {
		fmt.Fprintf(r.o.Out, "%s: %s failed: %v\n", c.Address, done, err)
		return fmt.Errorf("%s: PUT %s: %w", c.Address, c.ID, err)
	}
	live, err := r.o.Client.Get(ctx, c.ID, c.APIVersion)
	if err != nil {
		return fmt.Errorf("%s: reading back %s after the PUT: %w", c.Address, c.ID, err)
	}
	id := c.ID
	if s, ok := live.Body["id"].(string); ok && s != "" {
		id = s // keep ARM's casing
	}
	r.o.State.Set(&state.Resource{
		Address: c.Address, ID: id, APIVersion: c.APIVersion,
		LastApplied: body, Output: live.Body,
	})
	r.outputs[c.Address] = live.Body
	if c.Action == plan.Update {
		r.res.Changed++
	} else {
		r.res.Added++
	}
	fmt.Fprintf(r.o.Out, "%s: %s complete after %s [id=%s]\n", c.Address, done, elapsed(r.o.Now().Sub(start)), id)
	return r.save()
}

// desiredBody evaluates the configuration again with the outputs known so
// far, so that references to resources applied earlier in this run resolve.
func (r *runner) desiredBody(address string) (map[string]any, error) {
	insts, diags := r.o.Config.Evaluate(r.outputs)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: evaluating the configuration: %w", address, diags)
	}
	for _, in := range insts {
		if in.Address != address {
			continue
		}
		body, _ := config.ToJSONValue(in.Body).(map[string]any)
		if hasUnknown(body) {
			return nil, fmt.Errorf("%s: its body still has values that are not known after its dependencies were applied", address)
		}
		return body, nil
	}
	return nil, fmt.Errorf("%s is no longer in the configuration", address)
}

func hasUnknown(v any) bool {
	switch v := v.(type) {
	case config.Unknown:
		return true
	case map[string]any:
		for _, e := range v {
			if hasUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}

func elapsed(d time.Duration) string {
	return d.Round(time.Second).String()
}
