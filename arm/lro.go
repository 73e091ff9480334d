package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Progress describes a long-running operation while it runs.
type Progress struct {
	// Method and ID name the request that started the operation (empty
	// after Resume).
	Method, ID string
	// Status is the last status ARM reported: the operation's status, or
	// the resource's provisioningState ("InProgress" when ARM gave none).
	Status string
	// PercentComplete is ARM's percentComplete, or -1 when it gave none.
	PercentComplete float64
	// Polls counts the status requests sent so far.
	Polls   int
	Elapsed time.Duration
	// ResumeToken lets Resume pick the operation up again, in another
	// process after a crash: store it with the resource until the
	// operation ends. It holds the polling URLs, never a token.
	ResumeToken string
}

// WaitOptions configure Wait and Resume.
type WaitOptions struct {
	// Progress is called once when polling starts (its ResumeToken set)
	// and after every poll that leaves the operation unfinished.
	Progress func(Progress)
}

// needsPolling reports whether a write's first response leaves the operation
// unfinished: a 202, an Azure-AsyncOperation header, a Location header on
// anything but a 200, or a provisioningState that is not terminal.
func needsPolling(resp *http.Response, r *Response) bool {
	if resp.Request == nil || resp.Request.Method == http.MethodGet {
		return false
	}
	if resp.StatusCode == http.StatusAccepted || resp.Header.Get("Azure-AsyncOperation") != "" ||
		(resp.Header.Get("Location") != "" && resp.StatusCode != http.StatusOK) {
		return true
	}
	if resp.Request.Method != http.MethodPut && resp.Request.Method != http.MethodPatch {
		return false
	}
	state := r.provisioningState()
	return state != "" && !IsTerminal(state)
}

// provisioningState is the response body's properties.provisioningState,
// read from the body already decoded when there is one: parsing the raw
// body again for it, twice per write, cost as much as decoding it. Keys
// match as encoding/json matches a struct's fields: exactly, else ignoring
// case.
func (r *Response) provisioningState() string {
	if r.Body == nil {
		return provisioningState(r.Raw)
	}
	props, _ := foldGet(r.Body, "properties").(map[string]any)
	state, _ := foldGet(props, "provisioningState").(string)
	return state
}

// foldGet is m[key], or the value of a key equal to it ignoring case.
func foldGet(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func provisioningState(body []byte) string {
	var b struct {
		Properties struct {
			ProvisioningState string `json:"provisioningState"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Properties.ProvisioningState
}

// operationStatus reads the status an ARM response reports: an operation
// status body's status and percentComplete, else a provisioningState.
func operationStatus(resp *http.Response) (string, float64) {
	pct := -1.0
	if resp == nil {
		return "InProgress", pct
	}
	raw, _ := runtime.Payload(resp)
	if resp.StatusCode >= 400 {
		// A Location URL answers a failed operation with the error the
		// synchronous call would have given; only its code can say canceled.
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && strings.Contains(strings.ToLower(e.Error.Code), "cancel") {
			return "Canceled", pct
		}
		return "Failed", pct
	}
	var b struct {
		Status          string   `json:"status"`
		PercentComplete *float64 `json:"percentComplete"`
	}
	if json.Unmarshal(raw, &b) == nil {
		if b.PercentComplete != nil {
			pct = *b.PercentComplete
		}
		if b.Status != "" {
			return b.Status, pct
		}
	}
	if s := provisioningState(raw); s != "" {
		return s, pct
	}
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusCreated {
		return "InProgress", pct
	}
	return "Succeeded", pct
}

// wait is Wait before its ARM errors are redacted.
func (c *Client) wait(ctx context.Context, first *Response, opts WaitOptions) (*Response, error) {
	if !first.Pending() {
		return first, nil
	}
	resp := first.first
	resp.Body = io.NopCloser(bytes.NewReader(first.Raw))
	method, id := resp.Request.Method, resp.Request.URL.Path
	poller, err := runtime.NewPoller[json.RawMessage](resp, c.pl, nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot follow the long-running operation: %w", method, id, convertError(err, ""))
	}
	status, pct := operationStatus(resp)
	return c.poll(ctx, poller, resp, pollState{method: method, id: id, status: status, pct: pct, readsResource: readsResource(resp)}, opts)
}

// resume is Resume before its ARM errors are redacted.
func (c *Client) resume(ctx context.Context, token string, opts WaitOptions) (*Response, error) {
	poller, err := runtime.NewPollerFromResumeToken[json.RawMessage](token, c.pl, nil)
	if err != nil {
		return nil, fmt.Errorf("the stored resume token of a long-running operation cannot be used (%w); run again to start the operation anew", err)
	}
	return c.poll(ctx, poller, nil, pollState{status: "InProgress", pct: -1}, opts)
}

type pollState struct {
	method, id string
	status     string
	pct        float64
	polls      int
	// readsResource: the poller's result is a GET of the resource.
	readsResource bool
}

// readsResource reports whether azcore's poller for this first response
// ends by reading the resource itself with a GET: a PUT or PATCH followed
// through Azure-AsyncOperation (whose final GET is on the original URL), or
// one whose provisioningState is polled on the resource. A Location or
// Operation-Location result is whatever that URL answers.
func readsResource(first *http.Response) bool {
	if m := first.Request.Method; m != http.MethodPut && m != http.MethodPatch {
		return false
	}
	if first.Header.Get("Azure-AsyncOperation") != "" {
		return true
	}
	return first.Header.Get("Location") == "" && first.Header.Get("Operation-Location") == "" && first.StatusCode != http.StatusAccepted
}

func (c *Client) poll(ctx context.Context, poller *runtime.Poller[json.RawMessage], last *http.Response, st pollState, opts WaitOptions) (*Response, error) {
	// ARM accepted the operation: it is awaited after an interrupt.
	ctx = Finishing(ctx)
	start := time.Now()
	report := func() {
		if opts.Progress == nil {
			return
		}
		tok, _ := poller.ResumeToken()
		opts.Progress(Progress{Method: st.method, ID: st.id, Status: st.status, PercentComplete: st.pct,
			Polls: st.polls, Elapsed: time.Since(start), ResumeToken: tok})
	}
	report()
	for !poller.Done() {
		// A resumed operation is polled at once: it has waited already.
		delay := time.Duration(0)
		if last != nil {
			delay = c.pollDelay(last)
		}
		if delay >= 5*wakeGrid && !HasPriority(ctx) {
			// A chain ARM serializes waits for nothing; the other polls
			// wake together (wake.go).
			delay = alignWake(time.Now(), delay)
		}
		if err := sleepCtx(ctx, delay); err != nil {
			return nil, fmt.Errorf("%s %s: waiting for the long-running operation (last status %s): %w", st.method, st.id, st.status, err)
		}
		resp, err := poller.Poll(ctx)
		st.polls++
		if err != nil {
			return nil, fmt.Errorf("%s %s: polling the long-running operation (last status %s): %w", st.method, st.id, st.status, convertError(err, ""))
		}
		last = resp
		st.status, st.pct = operationStatus(resp)
		c.log.Debug("arm: polled", "method", st.method, "id", st.id, "status", st.status, "polls", st.polls)
		if !poller.Done() {
			report()
		}
	}
	result, err := poller.Result(ctx)
	if err != nil {
		if last != nil {
			st.status, _ = operationStatus(last)
		}
		return nil, convertError(err, st.status)
	}
	out := &Response{StatusCode: http.StatusOK}
	if len(bytes.TrimSpace(result)) > 0 {
		out.ReadAfterOperation = st.readsResource
		out.Raw = json.RawMessage(result)
		var v any
		if err := unmarshalBody(result, &v); err != nil {
			return nil, fmt.Errorf("%s %s: the operation's result is not JSON: %w", st.method, st.id, err)
		}
		out.Body, _ = v.(map[string]any)
	}
	return out, nil
}

// pollDelay is the wait before the next poll: the server's Retry-After,
// else the poll frequency, capped by MaxPollInterval.
func (c *Client) pollDelay(last *http.Response) time.Duration {
	d := retryAfter(last)
	if d <= 0 {
		d = c.pollFreq
	}
	if c.maxPoll > 0 && d > c.maxPoll {
		d = c.maxPoll
	}
	return d
}

// terminalFailure reports whether status is a failed end.
func terminalFailure(status string) bool {
	switch strings.ToLower(status) {
	case "failed", "canceled", "cancelled":
		return true
	}
	return false
}
