package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Version is reported in the User-Agent header.
const Version = "0.1.0"

// ClientOptions configure a Client.
type ClientOptions struct {
	// Endpoint is the ARM endpoint, e.g. https://management.azure.com.
	Endpoint string
	// Audience is the token audience; the scope requested is Audience + "/.default".
	Audience string
	// Credential supplies bearer tokens.
	Credential azcore.TokenCredential
	// Transport sends the HTTP requests; the default HTTP client when nil.
	Transport policy.Transporter
	// PollFrequency is how often long-running operations are polled when the
	// server gives no Retry-After; 10s when zero.
	PollFrequency time.Duration
}

// Client sends requests to ARM through an azcore pipeline.
type Client struct {
	endpoint *url.URL
	pl       runtime.Pipeline
	pollFreq time.Duration
}

// Response is a decoded ARM response.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the JSON body decoded as a generic value (nil when empty).
	Body map[string]any
}

// NewClient returns a Client for the given endpoint and credential.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.Credential == nil {
		return nil, errors.New("arm: no credential configured")
	}
	u, err := url.Parse(strings.TrimSuffix(opts.Endpoint, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the ARM endpoint %q is not a URL with a host", opts.Endpoint)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("the ARM endpoint %q is not https: azapply sends bearer tokens over TLS only", opts.Endpoint)
	}
	audience := opts.Audience
	if audience == "" {
		audience = "https://management.azure.com"
	}
	scope := strings.TrimSuffix(audience, "/") + "/.default"
	bearer := runtime.NewBearerTokenPolicy(opts.Credential, []string{scope}, nil)
	copts := &policy.ClientOptions{Transport: opts.Transport}
	pl := runtime.NewPipeline("azapply", Version, runtime.PipelineOptions{PerRetry: []policy.Policy{bearer}}, copts)
	freq := opts.PollFrequency
	if freq == 0 {
		freq = 10 * time.Second
	}
	return &Client{endpoint: u, pl: pl, pollFreq: freq}, nil
}

// Get reads a resource. A missing resource is an *Error with StatusCode 404
// (see IsNotFound).
func (c *Client) Get(ctx context.Context, id, apiVersion string) (*Response, error) {
	resp, body, err := c.send(ctx, http.MethodGet, id, apiVersion, nil)
	if err != nil {
		return nil, err
	}
	return decode(resp, body)
}

// Put creates or replaces a resource and waits for the operation to finish.
func (c *Client) Put(ctx context.Context, id, apiVersion string, body any) (*Response, error) {
	return c.write(ctx, http.MethodPut, id, apiVersion, body)
}

// Delete deletes a resource and waits for the operation to finish. Deleting
// a resource that does not exist succeeds.
func (c *Client) Delete(ctx context.Context, id, apiVersion string) (*Response, error) {
	r, err := c.write(ctx, http.MethodDelete, id, apiVersion, nil)
	if IsNotFound(err) {
		return &Response{StatusCode: http.StatusNotFound}, nil
	}
	return r, err
}

func (c *Client) write(ctx context.Context, method, id, apiVersion string, body any) (*Response, error) {
	resp, raw, err := c.send(ctx, method, id, apiVersion, body)
	if err != nil {
		return nil, err
	}
	if !needsPolling(resp, raw) {
		return decode(resp, raw)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	poller, err := runtime.NewPoller[json.RawMessage](resp, c.pl, nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot follow the long-running operation: %w", method, id, err)
	}
	result, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.pollFreq})
	if err != nil {
		return nil, convertError(err)
	}
	out := &Response{StatusCode: http.StatusOK}
	if len(result) > 0 {
		_ = unmarshalBody(result, &out.Body)
	}
	return out, nil
}

// needsPolling reports whether a write's first response leaves the operation
// unfinished: a 202, an Azure-AsyncOperation or Location header, or a
// provisioningState that is not terminal.
func needsPolling(resp *http.Response, body []byte) bool {
	if resp.StatusCode == http.StatusAccepted || resp.Header.Get("Azure-AsyncOperation") != "" ||
		(resp.Header.Get("Location") != "" && resp.StatusCode != http.StatusOK) {
		return true
	}
	var b struct {
		Properties struct {
			ProvisioningState string `json:"provisioningState"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &b) != nil || b.Properties.ProvisioningState == "" {
		return false
	}
	return !IsTerminal(b.Properties.ProvisioningState)
}

// IsTerminal reports whether a provisioningState or operation status is final.
func IsTerminal(state string) bool {
	switch strings.ToLower(state) {
	case "succeeded", "failed", "canceled", "cancelled", "completed":
		return true
	}
	return false
}

func (c *Client) send(ctx context.Context, method, id, apiVersion string, body any) (*http.Response, []byte, error) {
	u := *c.endpoint
	u.Path = strings.TrimSuffix(u.Path, "/") + id
	u.RawQuery = url.Values{"api-version": {apiVersion}}.Encode()
	req, err := runtime.NewRequest(ctx, method, u.String())
	if err != nil {
		return nil, nil, fmt.Errorf("building %s %s: %w", method, id, err)
	}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return nil, nil, fmt.Errorf("encoding the body of %s: %w", id, err)
		}
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, id, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading the response: %w", method, id, err)
	}
	if resp.StatusCode >= 400 {
		return nil, nil, newError(resp, raw)
	}
	return resp, raw, nil
}

func decode(resp *http.Response, raw []byte) (*Response, error) {
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if len(bytes.TrimSpace(raw)) == 0 {
		return out, nil
	}
	if err := unmarshalBody(raw, &out.Body); err != nil {
		return nil, fmt.Errorf("%s %s answered %d with a body that is not a JSON object: %w",
			resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, err)
	}
	return out, nil
}

// convertError turns azcore's ResponseError into our Error.
func convertError(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.RawResponse != nil {
		raw, _ := runtime.Payload(re.RawResponse)
		e := newError(re.RawResponse, raw)
		if e.Code == "" {
			e.Code = re.ErrorCode
		}
		return e
	}
	return err
}

// unmarshalBody decodes JSON keeping numbers as json.Number, so that large
// integers and decimals survive unchanged.
func unmarshalBody(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
