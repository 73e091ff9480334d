package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// PostRaw sends a POST to path (an ARM path such as a deployment's
// .../validate) through the pipeline (sign-in, pacing, retries of 429 and
// 5xx) and returns the status and body of ARM's answer, whatever the
// status: a caller that reads the answer's own structure (a validation's
// details, their additionalInfo) gets all of it. The error is only for a
// request that got no answer. The answer is passed through the client's
// redaction (SetRedact) before it is returned, as every ARM error is: a
// validation message that quotes a password must not print it.
func (c *Client) PostRaw(ctx context.Context, path, apiVersion string, body any) (int, []byte, error) {
	ctx, stop := watchInterrupt(ctx)
	defer stop()
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, nil, fmt.Errorf("encoding the body of POST %s: %w", path, err)
	}
	ctx = context.WithValue(ctx, payloadKey{}, payload)
	req, err := runtime.NewRequest(ctx, http.MethodPost, c.url(path, apiVersion))
	if err != nil {
		return 0, nil, fmt.Errorf("building POST %s: %w", path, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	if err := req.SetBody(streaming.NopCloser(bytes.NewReader(payload)), "application/json"); err != nil {
		return 0, nil, fmt.Errorf("building POST %s: %w", path, err)
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		if isSignInError(err) {
			return 0, nil, fmt.Errorf("POST %s: signing in to Azure failed; check auth and its settings in the provider block (or run `az login`): %w", path, err)
		}
		return 0, nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: reading the response: %w", path, err)
	}
	if fn := c.redact.Load(); fn != nil && *fn != nil {
		raw = []byte((*fn)(string(raw)))
	}
	return resp.StatusCode, raw, nil
}
