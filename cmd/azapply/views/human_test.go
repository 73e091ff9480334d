package views

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/apply"
)

const rgID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/r"

func TestHumanProgressLines(t *testing.T) {
	for _, tt := range []struct {
		e    apply.Event
		want string
	}{
		{apply.Event{Kind: apply.EventStart, Op: apply.OpCreate, Address: "resource.rg"}, "resource.rg: Creating...\n"},
		{apply.Event{Kind: apply.EventStart, Op: apply.OpUpdate, Address: "resource.rg", ID: rgID}, "resource.rg: Modifying... [id=" + rgID + "]\n"},
		{apply.Event{Kind: apply.EventProgress, Op: apply.OpCreate, Address: "resource.rg", Elapsed: 20 * time.Second}, "resource.rg: Still creating... [20s elapsed]\n"},
		{apply.Event{Kind: apply.EventProgress, Op: apply.OpDelete, Address: "resource.rg", Elapsed: 70 * time.Second, Message: "polling"}, "resource.rg: Still destroying... [1m10s elapsed: polling]\n"},
		{apply.Event{Kind: apply.EventComplete, Op: apply.OpCreate, Address: "resource.rg", ID: rgID, Elapsed: 400 * time.Millisecond}, "resource.rg: Creation complete after 0s [id=" + rgID + "]\n"},
		{apply.Event{Kind: apply.EventComplete, Op: apply.OpDelete, Address: "resource.rg", Elapsed: 3 * time.Second}, "resource.rg: Destruction complete after 3s\n"},
		{apply.Event{Kind: apply.EventComplete, Op: apply.OpPost, Address: "action.restart", Elapsed: time.Second}, "action.restart: Action complete after 1s\n"},
		{apply.Event{Kind: apply.EventFailed, Op: apply.OpUpdate, Address: "resource.rg", Elapsed: 2 * time.Second}, "resource.rg: Modification failed after 2s\n"},
		{apply.Event{Kind: apply.EventStart, Op: apply.OpRead, Address: "data.vault", ID: rgID}, "data.vault: Reading... [id=" + rgID + "]\n"},
		{apply.Event{Kind: apply.EventWarning, Address: "resource.aks", Message: "the service keeps it differently"}, "resource.aks: Warning: the service keeps it differently\n"},
		{apply.Event{Kind: apply.EventMoved, Address: "resource.old", Message: "resource.new"}, "resource.old: Moved to resource.new (no request sent)\n"},
		{apply.Event{Kind: apply.EventWaiting, Address: "resource.pip", Message: "ARM still shows the deleted resource"}, "resource.pip: Waiting: ARM still shows the deleted resource\n"},
	} {
		var out bytes.Buffer
		NewOperation("apply", Text, Streams{Out: &out, Err: &out, Color: true}).Report(tt.e)
		if out.String() != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.e.Kind, tt.e.Op, out.String(), tt.want)
		}
		if strings.ContainsAny(out.String(), "\x1b\r") {
			t.Errorf("%s: a progress line has cursor or colour codes: %q", tt.e.Kind, out.String())
		}
	}
}

func TestHumanSummary(t *testing.T) {
	for _, tt := range []struct {
		s    Summary
		want string
	}{
		{Summary{Command: "apply", Added: 2, Actions: 1}, "\nApply complete! Resources: 2 added, 0 changed, 0 destroyed. Actions: 1 run.\n"},
		{Summary{Command: "apply", Failed: true, Changed: 1}, "\nApply failed. Resources: 0 added, 1 changed, 0 destroyed. The state records what finished; run apply again to continue.\n"},
		{Summary{Command: "apply", RefreshOnly: true, Drifted: 3}, "\nApply complete! The state now records what changed outside azapply (3 drifted); nothing was sent to Azure.\n"},
		{Summary{Command: "destroy", Destroyed: 2}, "\nDestroy complete! Resources: 2 destroyed.\n"},
		{Summary{Command: "destroy", Failed: true, Destroyed: 1}, "\nDestroy failed. Resources: 1 destroyed. The state records what finished; run destroy again to continue.\n"},
	} {
		var out bytes.Buffer
		NewOperation(tt.s.Command, Text, Streams{Out: &out, Err: &out}).Summary(tt.s)
		if out.String() != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.s, out.String(), tt.want)
		}
	}
}

// TestHumanErrorsGoToStderr: errors and warnings go to standard error,
// so that the plan and the progress on standard output stay apart.
func TestHumanErrorsGoToStderr(t *testing.T) {
	var out, errb bytes.Buffer
	v := NewOperation("destroy", Text, Streams{Out: &out, Err: &errb})
	v.Error(errors.New("the lock is held"))
	v.Targeted(false)
	v.Cancelled()
	v.Error(&ConfigError{Diags: hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: "An argument named \"x\" is not expected here.",
		Subject: &hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3, Column: 3}, End: hcl.Pos{Line: 3, Column: 4}}}}})
	if out.Len() != 0 {
		t.Errorf("stdout holds %q", out.String())
	}
	for _, want := range []string{"Error: the lock is held\n", "Warning: Resource targeting is in effect", "Destroy cancelled.\n", "Error: Unsupported argument", "on main.hcl:3:3"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}
