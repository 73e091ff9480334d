package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an ARM error response: the HTTP status, ARM's code and message,
// and the request IDs a support ticket needs.
type Error struct {
	Method     string
	URL        string
	StatusCode int
	Code       string
	Message    string
	Target     string
	Details    []ErrorDetail
	// RequestID and CorrelationID come from x-ms-request-id and
	// x-ms-correlation-request-id.
	RequestID     string
	CorrelationID string
}

// ErrorDetail is one entry of an ARM error's details.
type ErrorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Target  string        `json:"target,omitempty"`
	Details []ErrorDetail `json:"details,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	code := e.Code
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	fmt.Fprintf(&b, "%s (HTTP %d): %s", code, e.StatusCode, e.Message)
	if e.Target != "" {
		fmt.Fprintf(&b, " [target: %s]", e.Target)
	}
	if e.RequestID != "" || e.CorrelationID != "" {
		fmt.Fprintf(&b, " (request id %s, correlation id %s)", e.RequestID, e.CorrelationID)
	}
	for _, d := range e.Details {
		fmt.Fprintf(&b, "\n  - %s: %s", d.Code, d.Message)
	}
	return b.String()
}

// IsNotFound reports whether err is an ARM 404.
func IsNotFound(err error) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// newError decodes an ARM error body from a response that failed.
func newError(resp *http.Response, body []byte) *Error {
	e := &Error{
		StatusCode:    resp.StatusCode,
		RequestID:     resp.Header.Get("x-ms-request-id"),
		CorrelationID: resp.Header.Get("x-ms-correlation-request-id"),
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = resp.Request.URL.Redacted()
	}
	var wire struct {
		Error *struct {
			ErrorDetail
		} `json:"error"`
		// Some services answer with the error at the top level.
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &wire) == nil {
		switch {
		case wire.Error != nil:
			e.Code, e.Message, e.Target, e.Details = wire.Error.Code, wire.Error.Message, wire.Error.Target, wire.Error.Details
		case wire.Code != "":
			e.Code, e.Message = wire.Code, wire.Message
		}
	}
	if e.Message == "" {
		text := strings.TrimSpace(string(body))
		if len(text) > 200 {
			text = text[:200] + "..."
		}
		if text == "" {
			text = "the server gave no error body"
		}
		e.Message = text
	}
	return e
}
