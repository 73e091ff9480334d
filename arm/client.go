package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	armpolicy "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm/policy"
	armruntime "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azapply/azapply/internal/loopback"
	"github.com/azapply/azapply/limits"
)

// Version is reported in the User-Agent header.
const Version = "0.1.0"

// ClientOptions configure a Client.
type ClientOptions struct {
	// Endpoint is the ARM endpoint, e.g. https://management.azure.com.
	// Plain http is accepted only on loopback (a local emulator).
	Endpoint string
	// Audience is the token audience; the scope requested is Audience + "/.default".
	// https://management.azure.com when empty.
	Audience string
	// Credential supplies bearer tokens.
	Credential azcore.TokenCredential
	// AuxiliaryTenants are other tenants whose tokens (from Credential,
	// asked for each tenant) every request carries in
	// x-ms-authorization-auxiliary, for cross-tenant references.
	AuxiliaryTenants []string
	// Transport sends the HTTP requests; the default HTTP client (system
	// certificate pool, so SSL_CERT_FILE works) when nil.
	Transport policy.Transporter
	// PollFrequency is how often long-running operations are polled when the
	// server gives no Retry-After; 10s when zero.
	PollFrequency time.Duration
	// MaxPollInterval caps every wait between two polls, Retry-After
	// included. Zero means no cap: Retry-After is honoured as given. Tests
	// and the local emulator use it to keep polls quick.
	MaxPollInterval time.Duration
	// Retry tunes the retries of 429, 408, 500, 502, 503, 504 and dropped
	// connections.
	Retry RetryOptions
	// Pacing tunes how the client keeps under ARM's request limits.
	Pacing PacingOptions
	// Pacers, when set, is shared with other clients: those of the same
	// endpoint and Principal share one pacer, and the set bounds the
	// requests in flight of all of them (see PacerSet).
	Pacers *PacerSet
	// Principal names who the requests are sent as (not a secret): a
	// tenant and client ID, for instance. Connect sets it from the
	// settings' credential when empty.
	Principal string
	// Timeout bounds each operation started with Do, Put, Patch, Post and
	// Delete, polling and waits for a busy parent included, unless the
	// request sets its own; 30 minutes when zero.
	Timeout time.Duration
	// ConflictDelay is the first wait before resending a request that ARM
	// refused with 409 because another operation is in progress on the
	// resource or its parent; it doubles up to a minute. 10s when zero.
	ConflictDelay time.Duration
	// Logger receives debug lines (method, path, status, request IDs and
	// timings; never headers, bodies or tokens). slog.Default() when nil.
	Logger *slog.Logger
}

// RetryOptions tune the retry policy. Zero values take the defaults.
type RetryOptions struct {
	// MaxRetries is how many times one request is resent; 6 when zero,
	// none when negative.
	MaxRetries int
	// Delay is the first backoff when the server gives no Retry-After; it
	// grows exponentially with jitter. 1s when zero.
	Delay time.Duration
	// MaxDelay caps the backoff and the Retry-After the client accepts; a
	// longer Retry-After is not waited for. 10 minutes (ARM's maximum) when
	// zero.
	MaxDelay time.Duration
	// TryTimeout bounds one attempt, so that a connection that hangs is
	// given up and retried: 2 minutes when zero (ARM itself answers 504 when
	// a provider takes over 60 s), none when negative.
	TryTimeout time.Duration
}

// Client sends requests to ARM through an azcore pipeline. It is safe for
// concurrent use; its pacer is shared by every request it sends.
type Client struct {
	endpoint      *url.URL
	pl            runtime.Pipeline
	pacer         *pacer
	retry         policy.RetryOptions
	pollFreq      time.Duration
	maxPoll       time.Duration
	timeout       time.Duration
	conflictDelay time.Duration
	log           *slog.Logger
	principal     string
	redact        atomic.Pointer[func(string) string]
}

// NewClient returns a Client for the given endpoint and credential.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.Credential == nil {
		return nil, errors.New("arm: no credential configured")
	}
	u, err := checkEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	audience := opts.Audience
	if audience == "" {
		audience = "https://management.azure.com"
	}
	scope := strings.TrimSuffix(audience, "/") + "/.default"
	insecure := u.Scheme == "http" // checkEndpoint allowed it: loopback only
	bearer := armruntime.NewBearerTokenPolicy(opts.Credential, &armpolicy.BearerTokenOptions{
		Scopes: []string{scope}, AuxiliaryTenants: opts.AuxiliaryTenants, InsecureAllowCredentialWithHTTP: insecure})
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c := &Client{
		endpoint:      u,
		pollFreq:      defaultDuration(opts.PollFrequency, 10*time.Second),
		maxPoll:       opts.MaxPollInterval,
		timeout:       defaultDuration(opts.Timeout, 30*time.Minute),
		conflictDelay: defaultDuration(opts.ConflictDelay, 10*time.Second),
		log:           logger,
		retry:         retryOptions(opts.Retry),
		principal:     opts.Principal,
	}
	perRetry := []policy.Policy{hostGuardPolicy{endpoint: u}}
	if !opts.Pacing.Disabled {
		if opts.Pacers != nil {
			c.pacer = opts.Pacers.pacerFor(u.String(), opts.Principal, opts.Pacing)
		} else {
			c.pacer = newPacer(opts.Pacing)
		}
		perRetry = append(perRetry, c.pacer)
	}
	if l := opts.Pacers.limit(); l != nil {
		perRetry = append(perRetry, l)
	}
	perRetry = append(perRetry, interruptPolicy{retryStatus: c.retry.StatusCodes}, bearer, &logPolicy{log: logger}, freshBodyPolicy{})
	copts := &policy.ClientOptions{
		Transport:                       limitTransport{next: noRedirects(opts.Transport), limit: maxResponseBytes},
		Retry:                           c.retry,
		InsecureAllowCredentialWithHTTP: insecure,
	}
	c.pl = runtime.NewPipeline("azapply", Version, runtime.PipelineOptions{
		PerCall:  []policy.Policy{clientRequestIDPolicy{}},
		PerRetry: perRetry,
	}, copts)
	return c, nil
}

func defaultDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func retryOptions(o RetryOptions) policy.RetryOptions {
	r := policy.RetryOptions{
		MaxRetries:    int32(o.MaxRetries),
		RetryDelay:    defaultDuration(o.Delay, time.Second),
		MaxRetryDelay: defaultDuration(o.MaxDelay, 10*time.Minute),
		TryTimeout:    defaultDuration(o.TryTimeout, 2*time.Minute),
		StatusCodes: []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
	}
	if o.MaxRetries == 0 {
		r.MaxRetries = 6
	}
	if o.TryTimeout < 0 {
		r.TryTimeout = 0
	}
	return r
}

// checkEndpoint parses an ARM endpoint and refuses what would send a bearer
// token in clear text to anything but this machine.
func checkEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the ARM endpoint %q is not a URL with a host: write it like https://management.azure.com", endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("the ARM endpoint %q carries a query, fragment or user name: give the scheme and host only", endpoint)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback.IsHost(u.Hostname()) {
			return nil, fmt.Errorf("the ARM endpoint %q is plain http: azapply sends bearer tokens over TLS only (http is accepted on loopback, for a local emulator)", endpoint)
		}
	default:
		return nil, fmt.Errorf("the ARM endpoint %q is not an https URL", endpoint)
	}
	return u, nil
}

// Request is one ARM request.
type Request struct {
	// Method is GET, PUT, PATCH, POST or DELETE.
	Method string
	// ID is the resource ID, or for a POST action the resource ID followed
	// by the action's name.
	ID         string
	APIVersion string
	// Body is encoded as JSON; nil sends no body.
	Body any
	// IfMatch and IfNoneMatch are sent as the conditional headers of the
	// same name when set (an ETag, or "*").
	IfMatch, IfNoneMatch string
	// Timeout bounds the whole operation in Do: the request, the waits
	// while a parent is busy, and the polling. ClientOptions.Timeout when
	// zero.
	Timeout time.Duration
	// Progress, when set, is called by Do while a long-running operation
	// runs (see Wait).
	Progress func(Progress)
	// OnBusy, when set, is called each time ARM answers that the resource
	// or its parent is busy with another operation, before the request is
	// resent: a caller writing many children of one parent learns there
	// that the parent serializes them.
	OnBusy func(err error)
}

// Response is a decoded ARM response.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the JSON body decoded as a generic value, numbers as
	// json.Number (nil when empty or not a JSON object).
	Body map[string]any
	// Raw is the body as received (after a long-running operation: the
	// final result).
	Raw json.RawMessage
	// ReadAfterOperation is true when Body is the resource as a GET read it
	// once its long-running PUT or PATCH succeeded (the final GET of an
	// Azure-AsyncOperation, or the last poll of its provisioningState), so
	// a caller needs no GET of its own to see what the service keeps.
	ReadAfterOperation bool

	// first keeps the HTTP response a long-running operation starts from.
	first *http.Response
}

// ETag is the response's ETag header, else the body's etag field.
func (r *Response) ETag() string {
	if r == nil {
		return ""
	}
	if e := r.Header.Get("ETag"); e != "" {
		return e
	}
	e, _ := r.Body["etag"].(string)
	return e
}

// Pending reports whether the response starts a long-running operation that
// has not finished: see Wait.
func (r *Response) Pending() bool {
	return r != nil && r.first != nil && needsPolling(r.first, r)
}

// Get reads a resource. A missing resource is an *Error with StatusCode 404
// (see IsNotFound).
func (c *Client) Get(ctx context.Context, id, apiVersion string) (*Response, error) {
	return c.Send(ctx, Request{Method: http.MethodGet, ID: id, APIVersion: apiVersion})
}

// Put creates or replaces a resource and waits for the operation to finish.
func (c *Client) Put(ctx context.Context, id, apiVersion string, body any) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodPut, ID: id, APIVersion: apiVersion, Body: body})
}

// Patch updates a resource with a JSON merge patch and waits for the
// operation to finish.
func (c *Client) Patch(ctx context.Context, id, apiVersion string, body any) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodPatch, ID: id, APIVersion: apiVersion, Body: body})
}

// Post runs an action (target is the resource ID followed by the action's
// name) and waits for it to finish. A POST is not resent once it may have
// reached the server, except after a 429 or a 409 that says the resource is
// busy: ARM did not run it then.
func (c *Client) Post(ctx context.Context, target, apiVersion string, body any) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodPost, ID: target, APIVersion: apiVersion, Body: body})
}

// Delete deletes a resource and waits for the operation to finish. Deleting
// a resource that does not exist succeeds, with StatusCode 404 or 204.
func (c *Client) Delete(ctx context.Context, id, apiVersion string) (*Response, error) {
	r, err := c.Do(ctx, Request{Method: http.MethodDelete, ID: id, APIVersion: apiVersion})
	if IsNotFound(err) {
		return &Response{StatusCode: http.StatusNotFound}, nil
	}
	return r, err
}

// do is Do before its ARM errors are redacted.
func (c *Client) do(ctx context.Context, r Request) (*Response, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = c.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	first, err := c.Send(ctx, r)
	if err != nil {
		return nil, c.timedOut(ctx, r, timeout, err)
	}
	if !first.Pending() {
		return first, failedOnArrival(r, first)
	}
	out, err := c.Wait(ctx, first, WaitOptions{Progress: r.Progress})
	if err != nil {
		return nil, c.timedOut(ctx, r, timeout, err)
	}
	return out, failedOnArrival(r, out)
}

// failedOnArrival turns a PUT or PATCH answered with a terminal Failed or
// Canceled provisioningState (a 200 or 201 with no operation to poll, as
// some providers answer) into the operation's error: the write did not
// take, whatever the status code says. The response is returned beside the
// error, for callers that want to record what the resource now holds.
func failedOnArrival(r Request, resp *Response) error {
	if resp == nil || (r.Method != http.MethodPut && r.Method != http.MethodPatch) {
		return nil
	}
	state := resp.provisioningState()
	if !terminalFailure(state) {
		return nil
	}
	e := &Error{Method: r.Method, StatusCode: resp.StatusCode, OperationStatus: state, Code: "Provisioning" + state,
		Message: fmt.Sprintf("ARM answered HTTP %d, but the resource's provisioningState is %s", resp.StatusCode, state)}
	if resp.Header != nil {
		e.RequestID, e.CorrelationID = resp.Header.Get("x-ms-request-id"), resp.Header.Get("x-ms-correlation-request-id")
	}
	return e
}

// timedOut words a deadline error for the person who set the timeout.
func (c *Client) timedOut(ctx context.Context, r Request, timeout time.Duration, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s %s did not finish within its timeout of %s (raise it in the resource's timeouts block): %w", r.Method, r.ID, timeout, err)
	}
	return err
}

// send is Send before its ARM errors are redacted.
func (c *Client) send(ctx context.Context, r Request) (*Response, error) {
	var payload []byte
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, fmt.Errorf("encoding the body of %s %s: %w", r.Method, r.ID, err)
		}
		payload = b
	}
	delay := c.conflictDelay
	for attempt := 1; ; attempt++ {
		resp, err := c.sendOnce(ctx, r, payload)
		if err == nil || !IsBusy(err) {
			return resp, err
		}
		wait := delay
		var ae *Error
		if errors.As(err, &ae) && ae.retryAfter > 0 {
			wait = ae.retryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, fmt.Errorf("%s %s: still busy after %d tries, and the operation's timeout ends before the next: %w", r.Method, r.ID, attempt, err)
		}
		c.log.Debug("arm: resource busy, will resend", "method", r.Method, "id", r.ID, "attempt", attempt, "wait", wait)
		if r.OnBusy != nil {
			r.OnBusy(err)
		}
		if err := sleepInterruptible(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: gave up waiting for a busy resource: %w", r.Method, r.ID, err)
		}
		delay = min(delay*2, time.Minute)
	}
}

func (c *Client) sendOnce(ctx context.Context, r Request, payload []byte) (*Response, error) {
	ctx, stop := watchInterrupt(ctx)
	defer stop()
	if r.Method == http.MethodPost {
		ctx = policy.WithRetryOptions(ctx, c.postRetry())
	}
	if payload != nil {
		ctx = context.WithValue(ctx, payloadKey{}, payload)
	}
	req, err := runtime.NewRequest(ctx, r.Method, c.url(r.ID, r.APIVersion))
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", r.Method, r.ID, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	if r.IfMatch != "" {
		req.Raw().Header.Set("If-Match", r.IfMatch)
	}
	if r.IfNoneMatch != "" {
		req.Raw().Header.Set("If-None-Match", r.IfNoneMatch)
	}
	if payload != nil {
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(payload)), "application/json"); err != nil {
			return nil, fmt.Errorf("building %s %s: %w", r.Method, r.ID, err)
		}
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		if errors.Is(context.Cause(ctx), ErrInterrupted) && !errors.Is(err, ErrInterrupted) {
			err = fmt.Errorf("%w while waiting to resend it (throttled or refused for a moment); it was not sent again: run apply again to finish", ErrInterrupted)
		}
		if isSignInError(err) {
			return nil, fmt.Errorf("%s %s: signing in to Azure failed; check auth and its settings in the provider block (or run `az login`): %w", r.Method, r.ID, err)
		}
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.ID, err)
	}
	defer resp.Body.Close()
	// The pipeline has read the body already: Payload gives its bytes
	// without copying them again.
	raw, err := runtime.Payload(resp)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", r.Method, r.ID, err)
	}
	if len(raw) > maxResponse {
		return nil, fmt.Errorf("%s %s: the response is %d bytes, more than the %d azapply reads", r.Method, r.ID, len(raw), maxResponse)
	}
	if resp.StatusCode >= 400 {
		return nil, newError(resp, raw)
	}
	out, err := decode(resp, raw)
	if err != nil {
		return nil, err
	}
	out.first = resp
	return out, nil
}

// isSignInError reports whether err came from the credential rather than
// from ARM.
func isSignInError(err error) bool {
	var afe *azidentity.AuthenticationFailedError
	return errors.As(err, &afe) || strings.Contains(err.Error(), "failed to acquire a token")
}

// url builds the request URL of an ID (which may carry an action name).
func (c *Client) url(id, apiVersion string) string {
	u := *c.endpoint
	u.Path = strings.TrimSuffix(u.Path, "/") + id
	u.RawPath = ""
	u.RawQuery = url.Values{"api-version": {apiVersion}}.Encode()
	return u.String()
}

// IsTerminal reports whether a provisioningState or operation status is final.
func IsTerminal(state string) bool {
	switch strings.ToLower(state) {
	case "succeeded", "failed", "canceled", "cancelled", "completed":
		return true
	}
	return false
}

// maxResponse is the largest response body azapply decodes.
const maxResponse = 64 << 20

func decode(resp *http.Response, raw []byte) (*Response, error) {
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if len(bytes.TrimSpace(raw)) == 0 {
		return out, nil
	}
	out.Raw = raw
	if err := limits.CheckJSON(raw); err != nil {
		return nil, fmt.Errorf("%s %s answered %d with a body that %w", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, err)
	}
	var v any
	if err := unmarshalBody(raw, &v); err != nil {
		return nil, fmt.Errorf("%s %s answered %d with a body that is not JSON: %w",
			resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, err)
	}
	out.Body, _ = v.(map[string]any)
	return out, nil
}

// unmarshalBody decodes JSON keeping numbers as json.Number, so that large
// integers and decimals survive unchanged.
func unmarshalBody(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
