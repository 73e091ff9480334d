package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Error is an ARM error: the HTTP status, ARM's code, message, target and
// details, and the request IDs a support ticket needs. A long-running
// operation that ended Failed or Canceled is an Error too, with
// OperationStatus set.
type Error struct {
	Method     string
	URL        string
	StatusCode int
	Code       string
	Message    string
	Target     string
	Details    []ErrorDetail
	// AdditionalInfo is ARM's additionalInfo (policy violations, for
	// instance), kept as JSON.
	AdditionalInfo []json.RawMessage
	// OperationStatus is "Failed" or "Canceled" when the error is the end
	// of a long-running operation, "" otherwise.
	OperationStatus string
	// RequestID and CorrelationID come from x-ms-request-id and
	// x-ms-correlation-request-id; ClientRequestID is the
	// x-ms-client-request-id azapply sent.
	RequestID       string
	CorrelationID   string
	ClientRequestID string

	retryAfter time.Duration
}

// ErrorDetail is one entry of an ARM error's details.
type ErrorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Target  string        `json:"target,omitempty"`
	Details []ErrorDetail `json:"details,omitempty"`
}

// Error prints one line (code, status, message, target, IDs) and the
// details beneath it, indented.
func (e *Error) Error() string {
	var b strings.Builder
	code := e.Code
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	if e.OperationStatus != "" {
		fmt.Fprintf(&b, "%s: the operation ended %s: %s", code, e.OperationStatus, e.Message)
	} else {
		fmt.Fprintf(&b, "%s (HTTP %d): %s", code, e.StatusCode, e.Message)
	}
	if e.Target != "" {
		fmt.Fprintf(&b, " [target: %s]", e.Target)
	}
	var ids []string
	for _, id := range []struct{ name, v string }{{"request id", e.RequestID}, {"correlation id", e.CorrelationID}, {"client request id", e.ClientRequestID}} {
		if id.v != "" {
			ids = append(ids, id.name+" "+id.v)
		}
	}
	if len(ids) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(ids, ", "))
	}
	writeDetails(&b, e.Details, "  ")
	return b.String()
}

func writeDetails(b *strings.Builder, details []ErrorDetail, indent string) {
	for _, d := range details {
		fmt.Fprintf(b, "\n%s- %s: %s", indent, d.Code, d.Message)
		if d.Target != "" {
			fmt.Fprintf(b, " [target: %s]", d.Target)
		}
		writeDetails(b, d.Details, indent+"  ")
	}
}

// IsNotFound reports whether err is an ARM 404.
func IsNotFound(err error) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound && ae.OperationStatus == ""
}

// IsPreconditionFailed reports whether err is a 412: an If-Match or
// If-None-Match condition did not hold (the resource changed).
func IsPreconditionFailed(err error) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusPreconditionFailed
}

// newError decodes an ARM error body from a response that failed.
func newError(resp *http.Response, body []byte) *Error {
	e := &Error{
		StatusCode:    resp.StatusCode,
		RequestID:     resp.Header.Get("x-ms-request-id"),
		CorrelationID: resp.Header.Get("x-ms-correlation-request-id"),
		retryAfter:    retryAfter(resp),
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = resp.Request.URL.Redacted()
		e.ClientRequestID = resp.Request.Header.Get("x-ms-client-request-id")
	}
	type wireError struct {
		ErrorDetail
		AdditionalInfo []json.RawMessage `json:"additionalInfo"`
	}
	var wire struct {
		Error *wireError `json:"error"`
		// Some services answer with the error at the top level.
		wireError
	}
	if json.Unmarshal(body, &wire) == nil {
		w := wire.Error
		if w == nil && wire.Code != "" {
			w = &wire.wireError
		}
		if w != nil {
			e.Code, e.Message, e.Target, e.Details, e.AdditionalInfo = w.Code, w.Message, w.Target, w.Details, w.AdditionalInfo
		}
	}
	if e.Message == "" {
		e.Message = notARMError(resp.Header.Get("Content-Type"), body)
	}
	return e
}

// htmlTitle finds what a person would read first on an HTML page.
var htmlTitle = regexp.MustCompile(`(?is)<(title|h1)[^>]*>(.*?)</(title|h1)>`)

// notARMError words an error body that is not ARM's JSON: an HTML page from
// a proxy or gateway is summarised by its title, never repeated whole; other
// text is cut to one short line.
func notARMError(contentType string, body []byte) string {
	text := strings.TrimSpace(string(body))
	if text == "" {
		return "the server gave no error body"
	}
	if strings.Contains(strings.ToLower(contentType), "html") || strings.HasPrefix(strings.ToLower(text), "<!doctype html") || strings.HasPrefix(strings.ToLower(text), "<html") {
		msg := "the answer is an HTML page, not an ARM error: something between azapply and ARM (a proxy, gateway or firewall) answered"
		if m := htmlTitle.FindStringSubmatch(text); m != nil {
			if title := oneLine(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[2], ""), 120); title != "" {
				msg += fmt.Sprintf(" (page title %q)", title)
			}
		}
		return msg
	}
	return "the answer is not an ARM error: " + oneLine(text, 200)
}

// oneLine folds white space and cuts s to at most n bytes, on a rune
// boundary.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// convertError turns azcore's ResponseError into our Error. status is the
// last status of a long-running operation ("" outside one); a Failed or
// Canceled status marks the Error as the end of that operation.
func convertError(err error, status string) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.RawResponse == nil {
		return err
	}
	raw, _ := runtime.Payload(re.RawResponse)
	e := newError(re.RawResponse, raw)
	if e.Code == "" {
		e.Code = re.ErrorCode
	}
	if terminalFailure(status) {
		e.OperationStatus = status
		if e.Code == "" || e.Code == http.StatusText(e.StatusCode) {
			e.Code = "Operation" + status
		}
		if !strings.Contains(string(raw), `"error"`) {
			e.Message = fmt.Sprintf("ARM reported the status %s and gave no error details", status)
		}
	}
	return e
}
