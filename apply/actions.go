package apply

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/secret"
)

// ActionsToRun picks the action blocks this apply runs: every
// when = "every_apply" action, and each when = "create" action that depends
// on a resource the plan creates (or replaces).
func ActionsToRun(p *plan.Plan, actions []*config.Instance) []*config.Instance {
	created := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == plan.Create || c.Action == plan.Replace {
			created[c.Address] = true
		}
	}
	var out []*config.Instance
	for _, a := range actions {
		if a.When == "every_apply" {
			out = append(out, a)
			continue
		}
		for _, d := range a.DependsOn {
			if created[d] {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// post runs an action: one POST, never sent twice (the ARM client does not
// resend a POST that may have reached the server).
func (r *runner) post(ctx context.Context, n *node, timeout time.Duration) error {
	in, err := r.evaluated(n.change.Address)
	if err != nil {
		return err
	}
	req := arm.Request{Method: http.MethodPost, ID: in.ID, APIVersion: in.APIVersion, Timeout: timeout}
	if body, ok := config.ToJSONValue(in.Body).(map[string]any); ok && len(body) > 0 {
		if hasUnknown(body) {
			return fmt.Errorf("its body still has values that are not known after its dependencies were applied")
		}
		req.Body = body
	}
	resp, err := r.o.Client.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp != nil {
		r.learn(secret.Strings(in.ID, resp.Body)...)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if resp != nil && resp.Body != nil {
		r.outputs[in.Address] = resp.Body
	}
	r.res.Actions++
	return nil
}

// evaluated evaluates the data or action instance at address with the
// outputs known so far, and returns it with its ID known.
func (r *runner) evaluated(address string) (*config.Instance, error) {
	in, err := r.evaluate(address)
	if err != nil {
		return nil, err
	}
	if in.Deferred || in.ID == "" {
		return nil, fmt.Errorf("its id is still not known after what it depends on was applied")
	}
	return in, nil
}
