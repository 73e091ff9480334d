package apply

import (
	"fmt"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// outputOf is the output of an instance applied (or read) so far, for an
// evaluation.
func (r *runner) outputOf(address string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.outputs[address]
	return o, ok
}

// evaluate evaluates the instance at address with the outputs known now:
// what it refers to only, not the whole configuration, so that N bodies
// with values known only after apply cost N small evaluations.
func (r *runner) evaluate(address string) (*config.Instance, error) {
	if r.eval == nil {
		return nil, fmt.Errorf("no configuration was given to evaluate it")
	}
	in, diags := r.eval.Instance(address, r.outputOf)
	if diags.HasErrors() {
		return nil, fmt.Errorf("evaluating it with what is applied so far: %w", diags)
	}
	r.learn(config.SensitiveStrings(in.Body)...)
	if len(in.Sensitive) > 0 {
		r.lateSensitive.Store(address, in.Sensitive)
	}
	return in, nil
}

// learn passes secrets the run came to know to Options.Learn, one call
// at a time.
func (r *runner) learn(secrets ...string) {
	if r.o.Learn != nil && len(secrets) > 0 {
		r.learnMu.Lock()
		defer r.learnMu.Unlock()
		r.o.Learn(secrets...)
	}
}

// desiredBody returns the body to send: the planned one when it was fully
// known, else the resource evaluated again with the outputs of the
// resources applied so far.
func (r *runner) desiredBody(c *plan.Change) (map[string]any, error) {
	if c.Desired != nil && !hasUnknown(c.Desired) {
		return c.Desired, nil
	}
	if r.eval == nil {
		return nil, fmt.Errorf("its body has values known only after apply, and no configuration was given to evaluate them")
	}
	in, err := r.evaluate(c.Address)
	if err != nil {
		return nil, err
	}
	body, _ := config.ToJSONValue(in.Body).(map[string]any)
	if hasUnknown(body) {
		return nil, fmt.Errorf("its body still has values that are not known after its dependencies were applied")
	}
	return body, nil
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
