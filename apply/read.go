package apply

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
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
	resp, err := ReadData(ctx, r.o.Client, in, timeout)
	if err != nil {
		return err
	}
	r.learn(secret.Strings(in.ID, resp.Body)...)
	r.learn(config.SensitiveStrings(config.MarkedOutput(in, resp.Body))...)
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

// ReadData reads a data instance: a GET of its ID, or for a read-only
// action (Method "POST": listKeys) one POST of its body. timeout 0 is the
// client's default.
func ReadData(ctx context.Context, c Client, in *config.Instance, timeout time.Duration) (*arm.Response, error) {
	if in.Method != http.MethodPost {
		return c.Get(ctx, in.ID, in.APIVersion)
	}
	req := arm.Request{Method: http.MethodPost, ID: in.ID, APIVersion: in.APIVersion, Timeout: timeout}
	if body, ok := config.ToJSONValue(in.Body).(map[string]any); ok && len(body) > 0 {
		if hasUnknown(body) {
			return nil, fmt.Errorf("its body has values that are not known yet")
		}
		req.Body = body
	}
	resp, err := c.Do(ctx, req)
	if err == nil && resp == nil {
		resp = &arm.Response{}
	}
	return resp, err
}
