package arm

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

// clientRequestIDPolicy gives every call an x-ms-client-request-id, which
// ARM echoes and support can search for. Retries keep the same ID.
type clientRequestIDPolicy struct{}

func (clientRequestIDPolicy) Do(req *policy.Request) (*http.Response, error) {
	if req.Raw().Header.Get("x-ms-client-request-id") == "" {
		req.Raw().Header.Set("x-ms-client-request-id", uuid.NewString())
	}
	return req.Next()
}

// payloadKey carries a request's JSON body in its context, for
// freshBodyPolicy.
type payloadKey struct{}

// freshBodyPolicy gives every attempt its own reader over the body. azcore's
// retry policy rewinds one shared reader before each attempt, while
// net/http may still be reading it for the attempt that failed (the server
// answered or dropped the connection before the whole body was sent): a
// data race the race detector finds under injected faults.
type freshBodyPolicy struct{}

func (freshBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	if payload, ok := req.Raw().Context().Value(payloadKey{}).([]byte); ok && req.Raw().Body != nil {
		req.Raw().Body = io.NopCloser(bytes.NewReader(payload))
		req.Raw().GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil }
	}
	return req.Next()
}

// logPolicy writes one debug line per attempt. It logs the method, the path
// (no query), the status, the request IDs and the time taken: never
// headers, bodies or tokens.
type logPolicy struct{ log *slog.Logger }

func (p *logPolicy) Do(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	if !p.log.Enabled(req.Raw().Context(), slog.LevelDebug) {
		return resp, err
	}
	attrs := []any{"method", req.Raw().Method, "path", req.Raw().URL.Path, "elapsed", time.Since(start).Round(time.Millisecond),
		"client_request_id", req.Raw().Header.Get("x-ms-client-request-id")}
	if err != nil {
		p.log.Debug("arm: request failed", append(attrs, "error", err.Error())...)
		return resp, err
	}
	attrs = append(attrs, "status", resp.StatusCode, "request_id", resp.Header.Get("x-ms-request-id"),
		"correlation_id", resp.Header.Get("x-ms-correlation-request-id"))
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		attrs = append(attrs, "retry_after", ra)
	}
	p.log.Debug("arm: response", attrs...)
	return resp, err
}

// postRetry is the retry policy of a POST: an action is not idempotent, so
// it is resent only when the server certainly did not run it: a 429, or a
// connection that could not be opened.
func (c *Client) postRetry() policy.RetryOptions {
	o := c.retry
	o.ShouldRetry = func(resp *http.Response, err error) bool {
		if err != nil {
			return notSent(err)
		}
		return resp.StatusCode == http.StatusTooManyRequests
	}
	return o
}

// notSent reports whether a transport error happened before any byte of
// the request could reach the server.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
