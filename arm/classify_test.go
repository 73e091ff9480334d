package arm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// loadError decodes one of testdata/errors: a status and an ARM error body
// as ARM or the REST documentation shows them.
func loadError(t *testing.T, name string) *Error {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "errors", name))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	u, _ := url.Parse("https://management.azure.com/subscriptions/s/resourceGroups/rg?api-version=2021-04-01")
	resp := &http.Response{StatusCode: c.Status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.Body)), Request: &http.Request{Method: http.MethodPut, URL: u, Header: http.Header{}}}
	return newError(resp, c.Body)
}

func TestClassifyRealErrors(t *testing.T) {
	tests := []struct {
		file  string
		class Class
		busy  bool
		// hint holds what the hint must say, in order; nil means no hint.
		hint []string
	}{
		{"scope_locked.json", Permanent, false, []string{"management lock at /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app", "az lock list --scope /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app", "does not retry"}},
		{"scope_locked_named.json", Permanent, false, []string{"keep-prod (/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Authorization/locks/keep-prod)"}},
		{"conflict_name_taken.json", Permanent, false, []string{"name is taken", "azapply import"}},
		{"storage_name_taken.json", Permanent, false, []string{"name is taken"}},
		{"conflict_in_progress.json", Retryable, true, nil},
		{"lingering_delete.json", Permanent, false, []string{"delete of this resource", "still finishing", "404"}},
		{"group_being_deleted.json", Permanent, false, []string{"still finishing"}},
		{"another_operation.json", Retryable, true, nil},
		{"retryable_another_operation_429.json", Retryable, true, nil},
		{"aks_operation_not_allowed.json", Retryable, true, nil},
		{"sql_conflicting_server_operation.json", Retryable, true, nil},
		{"policy.json", Permanent, false, []string{`assignment "Allowed locations" (/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/policyAssignments/b8e5a3c6d8f14f2a9c1e4f5a)`, `definition "Allowed locations" (/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c)`}},
		{"missing_registration.json", Permanent, false, []string{"Microsoft.ContainerService", "az provider register --namespace Microsoft.ContainerService"}},
		{"invalid_location.json", Permanent, false, []string{"location cannot change", "replace_on_changes", "--replace ADDRESS"}},
		{"location_not_available.json", Permanent, false, []string{"not offered in that location"}},
		{"property_change.json", Permanent, false, []string{"properties.addressSpace.addressPrefixes", "replace_on_changes", "--replace ADDRESS"}},
		{"role_assignment_update.json", Permanent, false, []string{"cannot change", "--replace ADDRESS"}},
		{"quota_exceeded.json", Permanent, false, []string{"quota"}},
		{"quota_operation_not_allowed.json", Permanent, false, []string{"quota"}},
		{"sku_not_available.json", Permanent, false, []string{"another size or location"}},
		{"principal_not_found.json", Consistency, false, []string{"replicated", "retry block"}},
		{"throttled.json", Retryable, false, nil},
		{"internal_error.json", Retryable, false, nil},
		{"gateway_timeout.json", Retryable, false, nil},
		{"request_timeout.json", Retryable, false, nil},
		{"authorization_failed.json", Permanent, false, []string{"lacks permission"}},
		{"invalid_parameter.json", Permanent, false, nil},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			e := loadError(t, tt.file)
			wrapped := fmt.Errorf("resource.x: %w", e)
			if got := Classify(wrapped); got != tt.class {
				t.Errorf("Classify = %v, want %v", got, tt.class)
			}
			if got := IsBusy(wrapped); got != tt.busy {
				t.Errorf("IsBusy = %v, want %v", got, tt.busy)
			}
			h := Hint(wrapped)
			if tt.hint == nil && h != "" {
				t.Errorf("Hint = %q, want none", h)
			}
			rest := h
			for _, want := range tt.hint {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("Hint = %q\nwant it to say (in order) %q", h, want)
					break
				}
				rest = rest[i+len(want):]
			}
			if strings.Contains(h, "\n") {
				t.Errorf("Hint is more than one line: %q", h)
			}
			// The error itself keeps ARM's code, message and target.
			msg := e.Error()
			if !strings.Contains(msg, e.Code) || !strings.Contains(msg, e.Message) || (e.Target != "" && !strings.Contains(msg, e.Target)) {
				t.Errorf("Error() = %q lacks the code, message or target", msg)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s is not in the table", f)
		}
	}
}

func TestClassifyOperationFailures(t *testing.T) {
	tests := []struct {
		err  *Error
		want Class
	}{
		{&Error{StatusCode: 200, Code: "InternalServerError", OperationStatus: "Failed"}, Permanent},
		{&Error{StatusCode: 200, Code: "CanceledAndSupersededDueToAnotherOperation", OperationStatus: "Canceled"}, Retryable},
		{&Error{StatusCode: 200, Code: "PrincipalNotFound", OperationStatus: "Failed"}, Consistency},
		{&Error{StatusCode: 409, Code: "Conflict", Message: "The resource is locked; please try again"}, Permanent},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%s %s) = %v, want %v", tt.err.Code, tt.err.OperationStatus, got, tt.want)
		}
	}
	if got := Classify(fmt.Errorf("dial tcp: connection refused")); got != Permanent {
		t.Errorf("a transport error is %v, want permanent (the pipeline retried it)", got)
	}
}

func TestHintsWalksJoinedErrors(t *testing.T) {
	lock := loadError(t, "scope_locked.json")
	policy := loadError(t, "policy.json")
	err := fmt.Errorf("apply: %w", errorsJoin(fmt.Errorf("a: %w", lock), fmt.Errorf("b: %w", policy), fmt.Errorf("c: %w", lock)))
	hs := Hints(err)
	if len(hs) != 2 || !strings.Contains(hs[0], "management lock") || !strings.Contains(hs[1], "Azure Policy") {
		t.Fatalf("Hints = %q, want the lock's then the policy's, once each", hs)
	}
}

func errorsJoin(errs ...error) error { return errors.Join(errs...) }

// TestClientResendsOnlyRetryable answers the first attempt of a DELETE with
// each real error body: the client resends the retryable ones and fails at
// once, with ARM's code, on every other (a ScopeLocked DELETE was resent for
// 30 minutes because its message says "try again").
func TestClientResendsOnlyRetryable(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			want := loadError(t, name)
			raw, _ := os.ReadFile(f)
			var c struct {
				Status int             `json:"status"`
				Body   json.RawMessage `json:"body"`
			}
			_ = json.Unmarshal(raw, &c)
			var n atomic.Int32
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					writeJSON(w, c.Status, string(c.Body))
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			_, err := newTestClient(t, srv).Do(context.Background(), Request{Method: http.MethodDelete, ID: testRG, APIVersion: "2021-04-01", Timeout: time.Minute})
			if want.Class() == Retryable {
				if err != nil || n.Load() != 2 {
					t.Fatalf("%d attempts, err %v; want it resent once and done", n.Load(), err)
				}
				return
			}
			var ae *Error
			if n.Load() != 1 || !errors.As(err, &ae) || ae.Code != want.Code {
				t.Fatalf("%d attempts, err %v; want one attempt and ARM's %s", n.Load(), err, want.Code)
			}
		})
	}
}
