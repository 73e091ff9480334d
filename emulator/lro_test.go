package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// write is one kind of write an operation rule can make asynchronous.
type write struct {
	name   string
	method string
	path   string
	body   any
	// setup prepares the world: the registry exists unless create.
	create bool
}

var writes = []write{
	{name: "PUT create", method: "PUT", path: acrID, body: acrBody(), create: true},
	{name: "PUT update", method: "PUT", path: acrID, body: acrBody()},
	{name: "PATCH", method: "PATCH", path: acrID, body: map[string]any{"tags": map[string]any{"a": "b"}}},
	{name: "DELETE", method: "DELETE", path: acrID},
	{name: "POST", method: "POST", path: acrID + "/listKeys"},
}

func acrBody() map[string]any {
	return map[string]any{"location": "West US", "sku": map[string]any{"name": "Standard"},
		"properties": map[string]any{"adminUserEnabled": true}}
}

// firstStatus is the status each pattern answers each write with.
func firstStatus(p Pattern, w write) int {
	switch {
	case p == Location:
		return http.StatusAccepted
	case w.method == "DELETE" || w.method == "POST":
		if p == Sync {
			return http.StatusOK
		}
		return http.StatusAccepted
	case w.method == "PATCH" && p == AsyncOperationAndLocation:
		return http.StatusAccepted
	case w.create:
		return http.StatusCreated
	}
	return http.StatusOK
}

func TestLongRunningOperations(t *testing.T) {
	patterns := []Pattern{Sync, AsyncOperation, Location, AsyncOperationAndLocation, ProvisioningState}
	for _, p := range patterns {
		for _, w := range writes {
			for _, polls := range []int{0, 2} {
				for _, outcome := range []Outcome{Succeeded, Failed, Canceled} {
					if p == Sync && (polls > 0 || outcome != Succeeded) {
						continue
					}
					name := p.String() + "/" + w.name + "/polls=" + itoa(polls) + "/" + outcome.String()
					t.Run(name, func(t *testing.T) { checkOperation(t, p, w, polls, outcome) })
				}
			}
		}
	}
}

func checkOperation(t *testing.T, p Pattern, w write, polls int, outcome Outcome) {
	c := newClient(t, Options{RetryAfter: 10 * time.Millisecond})
	c.createRG()
	if !w.create {
		c.do("PUT", acrID, acrBody()).must(t, http.StatusCreated)
	}
	c.srv.SetOperations(OperationRule{Type: "microsoft.containerregistry/REGISTRIES", Method: w.method,
		Operation: Operation{Pattern: p, Polls: polls, Outcome: outcome}})
	first := c.do(w.method, w.path, w.body).must(t, firstStatus(p, w))
	ao, loc := first.header.Get("Azure-AsyncOperation"), first.header.Get("Location")
	wantAO := p == AsyncOperation || p == AsyncOperationAndLocation
	wantLoc := p == Location || p == AsyncOperationAndLocation ||
		(p == ProvisioningState && (w.method == "DELETE" || w.method == "POST"))
	if (ao != "") != wantAO || (loc != "") != wantLoc {
		t.Fatalf("headers Azure-AsyncOperation=%q Location=%q; want AO %v, Location %v", ao, loc, wantAO, wantLoc)
	}
	if p == Sync {
		checkFinal(t, c, w, outcome, nil)
		return
	}
	if first.header.Get("retry-after-ms") != "10" || first.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After headers: ms=%q s=%q, want 10 and 1", first.header.Get("retry-after-ms"), first.header.Get("Retry-After"))
	}
	for _, u := range []string{ao, loc} {
		if u != "" && !strings.HasPrefix(u, testBase+"/subscriptions/") {
			t.Fatalf("polling URL %q is not absolute on the request's host", u)
		}
	}
	// (With provisioningState polling a GET of the resource is a poll: the
	// loop below checks the running state.)
	if w.method == "DELETE" || (p != ProvisioningState && (w.method == "PUT" || w.method == "PATCH")) {
		want := map[string]string{"PUT": "Updating", "PATCH": "Updating", "DELETE": "Deleting"}[w.method]
		if w.create {
			want = "Creating"
		}
		if got := c.do("GET", acrID, nil).must(t, 200).str("properties.provisioningState"); got != want {
			t.Errorf("while running the resource shows %q, want %q", got, want)
		}
	}
	var final reply
	switch {
	case ao != "":
		for i := 0; i < polls; i++ {
			r := c.do("GET", ao, nil).must(t, 200)
			if r.str("status") != "InProgress" || r.header.Get("retry-after-ms") == "" {
				t.Fatalf("poll %d: status %q (Retry-After %q), want InProgress with Retry-After", i+1, r.str("status"), r.header.Get("retry-after-ms"))
			}
		}
		final = c.do("GET", ao, nil).must(t, 200)
		if final.str("status") != outcome.String() || final.str("name") == "" || final.str("id") == "" ||
			final.str("startTime") == "" || final.str("endTime") == "" {
			t.Fatalf("final status document %s; want status %s with id, name, startTime, endTime", final.raw, outcome)
		}
		if (outcome != Succeeded) != (final.errorCode() != "") {
			t.Fatalf("final status document %s: error present must match a failed outcome", final.raw)
		}
	case loc != "":
		for i := 0; i < polls; i++ {
			c.do("GET", loc, nil).must(t, http.StatusAccepted)
		}
		want := http.StatusOK
		switch {
		case outcome != Succeeded:
			want = http.StatusBadRequest
		case w.method == "DELETE":
			want = http.StatusNoContent
		}
		final = c.do("GET", loc, nil).must(t, want)
	default: // provisioningState polling on the resource
		for i := 0; i < polls; i++ {
			if st := c.do("GET", acrID, nil).must(t, 200).str("properties.provisioningState"); arTerminal(st) {
				t.Fatalf("poll %d: resource already %s", i+1, st)
			}
		}
		final = c.do("GET", acrID, nil).must(t, 200)
	}
	checkFinal(t, c, w, outcome, &final)
}

func arTerminal(s string) bool { return s == "Succeeded" || s == "Failed" || s == "Canceled" }

// checkFinal checks the world after the operation ended.
func checkFinal(t *testing.T, c *client, w write, outcome Outcome, final *reply) {
	t.Helper()
	got := c.do("GET", acrID, nil)
	switch {
	case w.method == "DELETE" && outcome == Succeeded:
		got.must(t, http.StatusNotFound)
	case w.method == "POST":
		got.must(t, 200)
		if final != nil && outcome == Succeeded && final.body != nil {
			keys := final.body["keys"]
			if props, ok := final.body["properties"].(map[string]any); ok {
				keys = props["keys"]
			}
			if keys == nil {
				t.Errorf("the listKeys result carries no keys: %s", final.raw)
			}
		}
	default:
		if st := got.must(t, 200).str("properties.provisioningState"); st != outcome.String() {
			t.Errorf("after the operation the resource is %q, want %q", st, outcome)
		}
	}
}

func TestOperationConflictAndMinDuration(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Operations: []OperationRule{
		{Type: "Microsoft.ContainerRegistry/registries", Operation: Operation{Pattern: AsyncOperation, MinDuration: time.Minute}},
	}})
	c.createRG()
	first := c.do("PUT", acrID, acrBody()).must(t, http.StatusCreated)
	if got := c.do("PUT", acrID, acrBody()).must(t, http.StatusConflict).errorCode(); got != "AnotherOperationInProgress" {
		t.Fatalf("a second PUT during the operation: %q, want AnotherOperationInProgress", got)
	}
	ao := first.header.Get("Azure-AsyncOperation")
	if s := c.do("GET", ao, nil).str("status"); s != "InProgress" {
		t.Fatalf("before a minute: %s", s)
	}
	clock.advance(time.Minute)
	if s := c.do("GET", ao, nil).str("status"); s != "Succeeded" {
		t.Fatalf("after a minute: %s", s)
	}
	c.do("PUT", acrID, acrBody()).must(t, http.StatusOK)
}

// TestUnpolledOperationEndsInTime: a client that lost the polling URL (its
// response was dropped) and resends the PUT is answered 409 while a client
// polling at Retry-After would still see the operation run, and is
// accepted once it would have seen it end.
func TestUnpolledOperationEndsInTime(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, RetryAfter: time.Second, Operations: []OperationRule{
		{Type: "Microsoft.ContainerRegistry/registries", Operation: Operation{Pattern: AsyncOperation, Polls: 2}},
	}})
	c.createRG()
	c.do("PUT", acrID, acrBody()).must(t, http.StatusCreated)
	clock.advance(2 * time.Second)
	c.do("PUT", acrID, acrBody()).must(t, http.StatusConflict)
	clock.advance(time.Second)
	// Accepted: 200, the resource exists (the first operation created it).
	c.do("PUT", acrID, acrBody()).must(t, http.StatusOK)
}

func TestFailedOperationCarriesError(t *testing.T) {
	c := newClient(t, Options{Operations: []OperationRule{{Operation: Operation{Pattern: AsyncOperation, Outcome: Failed,
		Error: &ErrorDetail{Code: "QuotaExceeded", Message: "No quota left in westus."}}}}})
	c.do("PUT", rgID, map[string]any{"location": "westus"})
	r := c.do("GET", c.do("PUT", acrID, acrBody()).header.Get("Azure-AsyncOperation"), nil).must(t, 200)
	if r.str("status") != "Failed" || r.errorCode() != "QuotaExceeded" || r.str("error.message") != "No quota left in westus." {
		t.Fatalf("status document %s", r.raw)
	}
}

// bearer adds the Authorization header azcore's bearer policy would.
type bearer struct{}

func (bearer) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().Header.Set("Authorization", "Bearer test-token")
	return req.Next()
}

// TestAzcorePollerFollowsEveryPattern drives each pattern with azcore's own
// poller, the one azapply's ARM client uses.
func TestAzcorePollerFollowsEveryPattern(t *testing.T) {
	for _, p := range []Pattern{Sync, AsyncOperation, Location, AsyncOperationAndLocation, ProvisioningState} {
		for _, method := range []string{"PUT", "DELETE"} {
			for _, outcome := range []Outcome{Succeeded, Failed} {
				if p == Sync && outcome == Failed {
					continue
				}
				t.Run(p.String()+"/"+method+"/"+outcome.String(), func(t *testing.T) {
					srv := New(Options{RetryAfter: time.Millisecond})
					pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{PerRetry: []policy.Policy{bearer{}}},
						&policy.ClientOptions{Transport: &http.Client{Transport: srv.Transport()}})
					ctx := context.Background()
					send := func(method, id string, body any) *http.Response {
						req, err := runtime.NewRequest(ctx, method, testBase+id+"?api-version=2023-07-01")
						if err != nil {
							t.Fatal(err)
						}
						if body != nil {
							if err := runtime.MarshalAsJSON(req, body); err != nil {
								t.Fatal(err)
							}
						}
						resp, err := pl.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						return resp
					}
					send("PUT", rgID, map[string]any{"location": "westus"})
					if method == "DELETE" {
						send("PUT", acrID, acrBody())
					}
					srv.SetOperations(OperationRule{Method: method, Operation: Operation{Pattern: p, Polls: 2, Outcome: outcome}})
					resp := send(method, acrID, acrBody())
					poller, err := runtime.NewPoller[json.RawMessage](resp, pl, nil)
					if err != nil {
						t.Fatal(err)
					}
					_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Second})
					var re *azcore.ResponseError
					switch {
					case outcome == Succeeded && err != nil:
						t.Fatalf("PollUntilDone: %v", err)
					case outcome == Failed && !errors.As(err, &re):
						t.Fatalf("PollUntilDone: %v, want a ResponseError", err)
					}
					_, exists := srv.Resource(acrID)
					if method == "DELETE" && outcome == Succeeded && exists {
						t.Fatal("the registry survived its delete")
					}
					if method == "PUT" && !exists {
						t.Fatal("the registry was not created")
					}
				})
			}
		}
	}
}

func TestHideUntilDoneAndRunningStatus(t *testing.T) {
	for _, outcome := range []Outcome{Succeeded, Failed} {
		c := newClient(t, Options{Operations: []OperationRule{{Type: "Microsoft.ContainerRegistry/registries", Method: "PUT",
			Operation: Operation{Pattern: AsyncOperationAndLocation, Polls: 1, HideUntilDone: true, RunningStatus: "Running", Outcome: outcome}}}})
		c.createRG()
		first := c.do("PUT", acrID, acrBody()).must(t, http.StatusAccepted)
		c.do("GET", acrID, nil).must(t, http.StatusNotFound)
		c.do("PUT", acrID, acrBody()).must(t, http.StatusConflict)
		ao := first.header.Get("Azure-AsyncOperation")
		if s := c.do("GET", ao, nil).str("status"); s != "Running" {
			t.Fatalf("running status %q, want Running", s)
		}
		if s := c.do("GET", ao, nil).str("status"); s != outcome.String() {
			t.Fatalf("final status %q", s)
		}
		want := http.StatusOK
		if outcome != Succeeded {
			want = http.StatusNotFound
		}
		c.do("GET", acrID, nil).must(t, want)
	}
}
