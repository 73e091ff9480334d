package arm

import (
	"context"
	"encoding/json"
	"errors"
)

// SetRedact makes every ARM error the client returns from then on pass its
// message, target, details and additional information through redact: a
// 400 whose message quotes the request body, or a 409 whose details echo a
// property, must not print a secret the run knows. The command sets it once
// the configuration is evaluated, when those secrets are known.
func (c *Client) SetRedact(redact func(string) string) {
	c.redact.Store(&redact)
}

// redacted cleans the ARM error in err's chain, in place, and returns err.
func (c *Client) redacted(err error) error {
	fn := c.redact.Load()
	if err == nil || fn == nil || *fn == nil {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		e.Redact(*fn)
	}
	return err
}

// Redact passes the text of e that came from the server (message, target,
// details, additional information) through redact.
func (e *Error) Redact(redact func(string) string) {
	e.Message = redact(e.Message)
	e.Target = redact(e.Target)
	redactDetails(e.Details, redact)
	for i, raw := range e.AdditionalInfo {
		if clean := redact(string(raw)); clean != string(raw) {
			if !json.Valid([]byte(clean)) {
				b, _ := json.Marshal(clean)
				clean = string(b)
			}
			e.AdditionalInfo[i] = json.RawMessage(clean)
		}
	}
}

func redactDetails(ds []ErrorDetail, redact func(string) string) {
	for i := range ds {
		ds[i].Message = redact(ds[i].Message)
		ds[i].Target = redact(ds[i].Target)
		redactDetails(ds[i].Details, redact)
	}
}

// Do sends the request and, when it starts a long-running operation, polls
// it to the end (see Wait), all within the request's timeout.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	resp, err := c.do(ctx, r)
	return resp, c.redacted(err)
}

// Send sends one request and returns its first response without polling:
// a long-running operation may still be running (see Response.Pending and
// Wait). Throttling and transient faults are retried by the pipeline; a 409
// that says another operation is in progress is resent with a growing delay
// until ctx ends. A status of 400 or above is an *Error.
func (c *Client) Send(ctx context.Context, r Request) (*Response, error) {
	resp, err := c.send(ctx, r)
	return resp, c.redacted(err)
}

// List reads a collection (a path such as
// {resourceGroup}/providers/{namespace}/{type} or {resourceId}/{childType})
// page by page, following nextLink, and calls fn with each page. It stops
// after the last page, when fn returns false, or at the first error (an
// *Error for a status of 400 or above, as Get gives). A nextLink is sent
// only to the ARM endpoint (see ErrOtherHost), and one that repeats is an
// error rather than an endless loop.
func (c *Client) List(ctx context.Context, collection, apiVersion string, fn func(Page) bool) error {
	return c.redacted(c.list(ctx, collection, apiVersion, fn))
}

// Wait takes the first response of a PUT, PATCH, DELETE or POST (from Send)
// and polls the operation to its end: through Azure-AsyncOperation, else
// Location, else the resource's provisioningState, as azcore's pollers do.
// It honours Retry-After (capped by ClientOptions.MaxPollInterval), else
// polls every ClientOptions.PollFrequency. A Failed or Canceled operation
// is an *Error carrying ARM's code and message and the OperationStatus. A
// response that is not pending is returned as it is.
//
// After a PUT or PATCH the result is the resource read once the operation
// succeeded; after a DELETE it has no body.
func (c *Client) Wait(ctx context.Context, first *Response, opts WaitOptions) (*Response, error) {
	resp, err := c.wait(ctx, first, opts)
	return resp, c.redacted(err)
}

// Resume picks up a long-running operation from a resume token given by
// Progress, and polls it to its end like Wait.
func (c *Client) Resume(ctx context.Context, token string, opts WaitOptions) (*Response, error) {
	resp, err := c.resume(ctx, token, opts)
	return resp, c.redacted(err)
}
