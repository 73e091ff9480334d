package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jsonValues decodes stdout as a stream of JSON objects (the plan document
// of plan and drift, and one object per line), and fails the test on
// anything else: a line of text, a bare value.
func jsonValues(t *testing.T, r binResult) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var vals []map[string]any
	for {
		var v map[string]any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stdout is not only JSON objects (%v):\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		t.Fatalf("stdout holds no JSON:\n%q\nstderr:\n%s", r.stdout, r.stderr)
	}
	return vals
}

// jsonLines decodes every line of stdout as one JSON object, as apply and
// destroy write them.
func jsonLines(t *testing.T, r binResult) []map[string]any {
	t.Helper()
	var vals []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("stdout line %d is not a JSON object (%v): %q\nstdout:\n%s\nstderr:\n%s", i+1, err, line, r.stdout, r.stderr)
		}
		vals = append(vals, v)
	}
	return vals
}

// ofType returns the objects whose "type" is typ.
func ofType(vals []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, v := range vals {
		if v["type"] == typ {
			out = append(out, v)
		}
	}
	return out
}

// mustBeQuiet fails when a JSON run wrote an error or a warning as text.
func (r binResult) mustBeQuiet(t *testing.T) {
	t.Helper()
	if strings.Contains(r.stderr, "Error") || strings.Contains(r.stderr, "Warning") {
		t.Errorf("with --format json, diagnostics went to stderr as text:\n%s", r.stderr)
	}
}

// TestJSONOutputIsOnlyJSON: with --format json, plan, apply, drift and
// destroy write nothing but JSON on stdout, from the plan to the summary
// and the outputs, warnings included; what apply and destroy did is what
// the emulator holds afterwards.
func TestJSONOutputIsOnlyJSON(t *testing.T) {
	dir := quickstart(t)
	appendTo(t, filepath.Join(dir, "main.hcl"), "\noutput \"registry_id\" {\n  value = resource.registry.id\n}\n\noutput \"sku\" {\n  value     = resource.registry.body.sku.name\n  sensitive = true\n}\n")

	r := azapply(t, dir, "plan", "--format", "json", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	vals := jsonValues(t, r)
	if len(vals) != 1 || vals[0]["format_version"] == nil || len(vals[0]["resource_changes"].([]any)) != 2 {
		t.Fatalf("plan --format json wrote %d values, want the plan document with 2 changes:\n%s", len(vals), r.stdout)
	}

	r = azapply(t, dir, "apply", "--auto-approve", "--format", "json")
	r.mustExit(t, exitOK)
	r.mustBeQuiet(t)
	lines := jsonLines(t, r)
	if p := ofType(lines, "plan"); len(p) != 1 || p[0]["plan"].(map[string]any)["summary"].(map[string]any)["add"] != 2.0 {
		t.Errorf("apply --format json: want one plan line that adds 2, got %v", p)
	}
	progress := ofType(lines, "progress")
	done := 0
	for _, e := range progress {
		if e["event"] == "complete" && e["operation"] == "create" {
			done++
		}
	}
	if done != 2 {
		t.Errorf("apply --format json: %d create events complete, want 2:\n%s", done, r.stdout)
	}
	sum := ofType(lines, "summary")
	if len(sum) != 1 || sum[0]["status"] != "complete" || sum[0]["added"] != 2.0 || sum[0]["command"] != "apply" {
		t.Errorf("apply --format json: summary = %v, want one complete with 2 added", sum)
	}
	outs := ofType(lines, "outputs")
	if len(outs) != 1 {
		t.Fatalf("apply --format json: %d outputs lines, want 1:\n%s", len(outs), r.stdout)
	}
	o := outs[0]["outputs"].(map[string]any)
	if id := o["registry_id"].(map[string]any); id["value"] != quickstartACR || id["sensitive"] != false {
		t.Errorf("output registry_id = %v, want the registry's ID", id)
	}
	if sku := o["sku"].(map[string]any); sku["sensitive"] != true || sku["value"] != nil {
		t.Errorf("the sensitive output shows as %v, want sensitive without a value", sku)
	}
	if last := lines[len(lines)-1]; last["type"] != "outputs" {
		t.Errorf("the last line is %v, want the outputs", last)
	}
	if _, ok := world(t, dir).Resource(quickstartACR); !ok {
		t.Fatalf("the emulator has no registry after apply --format json; it has %v", world(t, dir).IDs())
	}

	// Drift: the document, with the change made in the portal.
	azapply(t, dir, "emulator", "change", "--id", quickstartACR, "--merge", `{"tags":{"owner":"portal"}}`).mustExit(t, exitOK)
	r = azapply(t, dir, "drift", "--format", "json", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustBeQuiet(t)
	vals = jsonValues(t, r)
	if len(vals) != 1 || len(vals[0]["drift"].([]any)) != 1 {
		t.Fatalf("drift --format json: want the document with one drifted resource:\n%s", r.stdout)
	}

	// A targeted plan's warning is a JSON object too.
	r = azapply(t, dir, "plan", "--format", "json", "--target", "resource.registry")
	r.mustExit(t, exitOK)
	r.mustBeQuiet(t)
	vals = jsonValues(t, r)
	if len(vals) != 2 || vals[0]["type"] != "diagnostic" || vals[0]["severity"] != "warning" || vals[1]["format_version"] == nil {
		t.Fatalf("plan --target --format json: want a warning, then the plan document:\n%s", r.stdout)
	}

	r = azapply(t, dir, "destroy", "--auto-approve", "--format", "json")
	r.mustExit(t, exitOK)
	r.mustBeQuiet(t)
	lines = jsonLines(t, r)
	if p := ofType(lines, "plan"); len(p) != 1 || p[0]["plan"].(map[string]any)["summary"].(map[string]any)["destroy"] != 2.0 {
		t.Errorf("destroy --format json: want one plan line that destroys 2, got %v", p)
	}
	if sum := ofType(lines, "summary"); len(sum) != 1 || sum[0]["command"] != "destroy" || sum[0]["destroyed"] != 2.0 || sum[0]["status"] != "complete" {
		t.Errorf("destroy --format json: summary = %v, want 2 destroyed", sum)
	}
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after destroy --format json", ids)
	}
}

// TestJSONOutputDiagnostics: a configuration error, and a refusal, are
// JSON objects on stdout with their severity, summary, detail and place,
// and nothing is sent or written.
func TestJSONOutputDiagnostics(t *testing.T) {
	dir := quickstart(t)
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	before := stateBytes(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "bad.hcl"), []byte("resource \"extra\" {\n  id          = var.missing\n  api_version = \"2021-04-01\"\n  body        = {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"plan", "--format", "json"},
		{"drift", "--format", "json"},
		{"apply", "--auto-approve", "--format", "json"},
		{"destroy", "--auto-approve", "--format", "json"},
	} {
		r := azapply(t, dir, args...)
		r.mustExit(t, exitError)
		r.mustBeQuiet(t)
		diags := ofType(jsonLines(t, r), "diagnostic")
		if len(diags) == 0 {
			t.Fatalf("%v: no diagnostic:\n%s", args, r.stdout)
		}
		d := diags[0]
		if d["severity"] != "error" || !strings.Contains(d["summary"].(string), "undeclared") || d["detail"] == nil ||
			d["file"] != "bad.hcl" || d["line"] != 2.0 {
			t.Errorf("%v: diagnostic = %v, want an error at bad.hcl line 2", args, d)
		}
	}
	if !bytes.Equal(before, stateBytes(t, dir)) {
		t.Error("a configuration with errors changed the state")
	}
	if err := os.Remove(filepath.Join(dir, "bad.hcl")); err != nil {
		t.Fatal(err)
	}

	// Without a terminal, destroy needs --auto-approve: the refusal is a
	// diagnostic after the plan, and nothing is deleted.
	r := azapply(t, dir, "destroy", "--format", "json")
	r.mustExit(t, exitError)
	r.mustBeQuiet(t)
	lines := jsonLines(t, r)
	last := lines[len(lines)-1]
	if last["type"] != "diagnostic" || last["severity"] != "error" || !strings.Contains(last["summary"].(string), "--auto-approve") {
		t.Errorf("destroy without confirmation: last line = %v, want an error that names --auto-approve", last)
	}
	if len(world(t, dir).IDs()) != 2 {
		t.Fatal("destroy deleted something without confirmation")
	}

	// show of a plan file that is not there: an error, in JSON.
	r = azapply(t, dir, "show", "missing.tfplan", "--format", "json")
	r.mustExit(t, exitError)
	r.mustBeQuiet(t)
	if d := ofType(jsonLines(t, r), "diagnostic"); len(d) != 1 || !strings.Contains(d[0]["summary"].(string), "opening the plan file") {
		t.Errorf("show of a missing file: want one diagnostic, got %v", d)
	}

	// ARM refuses a create: its failure, the error and the summary are
	// JSON lines, and the state records what finished.
	appendTo(t, filepath.Join(dir, "main.hcl"), "\nresource \"badsa\" {\n  id          = \"${resource.rg.id}/providers/Microsoft.Storage/storageAccounts/Bad_Name\"\n  api_version = \"2023-01-01\"\n  body        = { location = \"westus\", kind = \"StorageV2\", sku = { name = \"Standard_LRS\" } }\n}\n")
	r = azapply(t, dir, "apply", "--auto-approve", "--format", "json")
	r.mustExit(t, exitError)
	r.mustBeQuiet(t)
	lines = jsonLines(t, r)
	failed := false
	for _, e := range ofType(lines, "progress") {
		failed = failed || e["event"] == "failed" && e["address"] == "resource.badsa"
	}
	if !failed {
		t.Errorf("no failed event for resource.badsa:\n%s", r.stdout)
	}
	if d := ofType(lines, "diagnostic"); len(d) != 1 || d[0]["severity"] != "error" || !strings.Contains(d[0]["summary"].(string), "AccountNameInvalid") {
		t.Errorf("want one error diagnostic with ARM's code, got %v", d)
	}
	if last := lines[len(lines)-1]; last["type"] != "summary" || last["status"] != "failed" || last["added"] != 0.0 {
		t.Errorf("last line = %v, want a failed summary with nothing added", last)
	}
	if !strings.Contains(string(stateBytes(t, dir)), quickstartACR) || strings.Contains(string(stateBytes(t, dir)), "Bad_Name") {
		t.Error("after the failed apply the state does not hold the registry, or holds the refused account")
	}
	if ids := world(t, dir).IDs(); len(ids) != 2 {
		t.Errorf("after the refused create the emulator holds %v, want the group and the registry", ids)
	}

	// A target that names nothing: plan refuses, in JSON.
	r = azapply(t, dir, "plan", "--format", "json", "--target", "resource.nothing")
	r.mustExit(t, exitError)
	vals := jsonValues(t, r)
	if d := ofType(vals, "diagnostic"); len(d) == 0 || d[len(d)-1]["severity"] != "error" {
		t.Errorf("plan --target resource.nothing: want an error diagnostic, got %v", vals)
	}
}
