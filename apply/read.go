package apply

import (
	"context"
	"time"

	"github.com/azapply/azapply/secret"
)

// read GETs a data source deferred to apply, once what it depends on is
// done, and makes its body data.NAME.output for what depends on it.
func (r *runner) read(ctx context.Context, n *node, timeout time.Duration) error {
	in, err := r.evaluated(n.change.Address)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := r.o.Client.Get(ctx, in.ID, in.APIVersion)
	if err != nil {
		return err
	}
	r.learn(secret.Strings(in.ID, resp.Body)...)
	r.mu.Lock()
	defer r.mu.Unlock()
	body := resp.Body
	if body == nil {
		body = map[string]any{}
	}
	r.outputs[in.Address] = body
	r.res.Read++
	return nil
}
