package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/plan"
)

// lines decodes every line of out as one JSON object.
func lines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var vals []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", l, err)
		}
		vals = append(vals, v)
	}
	return vals
}

// TestJSONWritesOnlyJSON: everything an apply shows, errors and warnings
// included, is one JSON object per line on stdout; only the prompt, for a
// person, goes to stderr.
func TestJSONWritesOnlyJSON(t *testing.T) {
	var out, errb bytes.Buffer
	v := NewOperation("apply", JSON, Streams{Out: &out, Err: &errb, Color: true})
	v.Targeted(false)
	if err := v.Plan(&plan.Plan{Changes: []*plan.Change{{Address: "resource.rg", ID: rgID, Action: plan.Create, Desired: map[string]any{"location": "westus"}}}}); err != nil {
		t.Fatal(err)
	}
	v.ApplyWork([]string{"  <= data.vault will be read during apply"})
	v.Preflight(&plan.Plan{})
	v.Locked(&plan.Plan{})
	v.Section()
	v.Report(apply.Event{Kind: apply.EventStart, Op: apply.OpCreate, Address: "resource.rg"})
	v.Report(apply.Event{Kind: apply.EventComplete, Op: apply.OpCreate, Address: "resource.rg", ID: rgID, Elapsed: 1500 * time.Millisecond})
	v.Error(errors.New("saving the state: disk full"))
	v.Summary(Summary{Command: "apply", Failed: true, Added: 1})
	v.Outputs(nil)
	v.Prompt()
	if !strings.Contains(errb.String(), "Enter a value") || strings.Contains(errb.String(), "Error") {
		t.Errorf("stderr = %q, want only the prompt", errb.String())
	}
	got := lines(t, out.String())
	var types []string
	for _, l := range got {
		types = append(types, fmt.Sprint(l["type"]))
	}
	if want := "diagnostic plan progress progress diagnostic summary"; strings.Join(types, " ") != want {
		t.Fatalf("types = %q, want %q:\n%s", strings.Join(types, " "), want, out.String())
	}
	if got[0]["severity"] != "warning" || got[4]["severity"] != "error" || got[4]["summary"] != "saving the state: disk full" {
		t.Errorf("diagnostics = %v and %v", got[0], got[4])
	}
	if got[3]["event"] != "complete" || got[3]["elapsed_seconds"] != 1.5 || got[3]["id"] != rgID {
		t.Errorf("complete event = %v", got[3])
	}
	if got[5]["status"] != "failed" || got[5]["added"] != 1.0 {
		t.Errorf("summary = %v", got[5])
	}
}

// TestJSONPlanDocument: plan and drift write the plan document as
// plan.RenderJSON does, so that a bot reads it whole.
func TestJSONPlanDocument(t *testing.T) {
	p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.rg", ID: rgID, Action: plan.Create, Desired: map[string]any{"location": "westus"}}}}
	var want bytes.Buffer
	if err := plan.RenderJSON(&want, p); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"plan", "drift"} {
		var out bytes.Buffer
		if err := NewOperation(cmd, JSON, Streams{Out: &out, Err: &out}).Plan(p); err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Errorf("%s: the plan is not the document:\n%s", cmd, out.String())
		}
	}
}

// TestJSONConfigDiagnostics: each diagnostic of a configuration is an
// object with its severity, summary, detail and place.
func TestJSONConfigDiagnostics(t *testing.T) {
	var out bytes.Buffer
	NewOperation("plan", JSON, Streams{Out: &out, Err: &out}).Error(&ConfigError{Diags: hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: "An argument named \"x\" is not expected here.",
			Subject: &hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3, Column: 5}}},
		{Severity: hcl.DiagWarning, Summary: "Deprecated", Detail: "Use y."},
	}})
	got := lines(t, out.String())
	want := []map[string]any{
		{"type": "diagnostic", "severity": "error", "summary": "Unsupported argument", "detail": "An argument named \"x\" is not expected here.", "file": "main.hcl", "line": 3.0, "column": 5.0},
		{"type": "diagnostic", "severity": "warning", "summary": "Deprecated", "detail": "Use y."},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("diagnostics =\n%v\nwant\n%v", got, want)
	}
}

// TestJSONConcurrentEvents: events reported from parallel operations stay
// whole lines.
func TestJSONConcurrentEvents(t *testing.T) {
	var out bytes.Buffer
	v := NewOperation("apply", JSON, Streams{Out: &out, Err: &out})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Report(apply.Event{Kind: apply.EventStart, Op: apply.OpCreate, Address: fmt.Sprintf("resource.r%d", i)})
		}()
	}
	wg.Wait()
	if n := len(lines(t, out.String())); n != 20 {
		t.Errorf("%d lines, want 20", n)
	}
}
