package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

// TestBadPlansAndStatesSendNothing: a saved plan that is corrupt, cut
// short, made from another configuration or against another state, and a
// state file that is corrupt, from a newer azapply or of another stack each
// stop apply with exit 1 and a message saying what is wrong, before a
// single request reaches ARM (not even a sign-in), and leave the state as
// it was.
func TestBadPlansAndStatesSendNothing(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	writeStack(t, dir, s, 5)
	if r := s.run(t, dir, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("apply: %d\n%s", r.code, tail(r.stderr, 2000))
	}
	statePath := filepath.Join(dir, "azapply.state.json")

	// A saved plan with a change, made against the state as it is.
	editFile(t, filepath.Join(dir, "main.hcl"), `sku = { name = "Basic" }`, `sku = { name = "Standard" }`)
	if r := s.run(t, dir, "plan", "--no-color", "--out", "good.plan"); r.code != exitOK {
		t.Fatalf("plan --out: %d\n%s", r.code, tail(r.stderr, 2000))
	}
	good, err := os.ReadFile(filepath.Join(dir, "good.plan"))
	if err != nil {
		t.Fatal(err)
	}
	goodState, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}

	// Another stack: its own configuration and its own state (lineage).
	other := t.TempDir()
	writeStack(t, other, s, 4)
	editFile(t, filepath.Join(other, "main.hcl"), `resourceGroups/stack"`, `resourceGroups/other"`)
	if r := s.run(t, other, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("apply of the other stack: %d\n%s", r.code, tail(r.stderr, 2000))
	}
	otherState, err := os.ReadFile(filepath.Join(other, "azapply.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A plan from the same state but another configuration.
	sameStateOtherConfig := t.TempDir()
	writeStack(t, sameStateOtherConfig, s, 6)
	if err := os.WriteFile(filepath.Join(sameStateOtherConfig, "azapply.state.json"), goodState, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := s.run(t, sameStateOtherConfig, "plan", "--no-color", "--out", "other.plan"); r.code != exitOK {
		t.Fatalf("plan --out of another configuration: %d\n%s", r.code, tail(r.stderr, 2000))
	}
	otherConfigPlan, err := os.ReadFile(filepath.Join(sameStateOtherConfig, "other.plan"))
	if err != nil {
		t.Fatal(err)
	}

	gs, err := state.Decode(goodState, statePath)
	if err != nil {
		t.Fatal(err)
	}
	journalHeader := fmt.Sprintf(`{"journal":1,"version":2,"lineage":%q,"serial":%d}`+"\n", gs.Lineage, gs.Serial)
	garbledJournal := []byte(journalHeader + fmt.Sprintf(`{"serial":%d,,}`+"\n"+`{"serial":%d}`+"\n", gs.Serial+1, gs.Serial+2))
	otherStackJournal := []byte(strings.Replace(journalHeader, gs.Lineage, "another-lineage", 1) + fmt.Sprintf(`{"serial":%d}`+"\n", gs.Serial+1))

	tests := []struct {
		name        string
		plan, state []byte // what to put in bad.plan and the state file (nil: the good one)
		journal     []byte // what to put in the state's journal (nil: none)
		args        []string
		want        string
	}{
		{"corrupt saved plan", []byte("\x00\x01 not a plan at all"), nil, nil, []string{"apply", "bad.plan"}, "bad.plan"},
		{"saved plan cut short", good[:len(good)/2], nil, nil, []string{"apply", "bad.plan"}, "bad.plan"},
		{"saved plan of another configuration", otherConfigPlan, nil, nil, []string{"apply", "bad.plan"}, "configuration"},
		{"saved plan against another stack's state", good, otherState, nil, []string{"apply", "bad.plan"}, "lineage"},
		{"corrupt state", nil, []byte(`{"version": 2, "lineage": "x", "resources": [`), nil, []string{"apply", "--auto-approve"}, "backup"},
		{"state from a newer azapply", nil, []byte(`{"version": 99, "lineage": "x", "serial": 1, "resources": []}`), nil, []string{"apply", "--auto-approve"}, "newer than this azapply understands"},
		{"corrupt state under a saved plan", good, []byte(`{"version": 2, "lin`), nil, []string{"apply", "bad.plan"}, "backup"},
		{"journal with a garbled record", nil, nil, garbledJournal, []string{"apply", "--auto-approve"}, "azapply.state.json.journal"},
		{"journal of another stack", nil, nil, otherStackJournal, []string{"plan"}, "azapply.state.json.journal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := goodState
			if tc.state != nil {
				st = tc.state
			}
			if err := os.WriteFile(statePath, st, 0o600); err != nil {
				t.Fatal(err)
			}
			journalPath := statePath + ".journal"
			if tc.journal != nil {
				if err := os.WriteFile(journalPath, tc.journal, 0o600); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = os.Remove(journalPath) }()
			}
			if tc.plan != nil {
				if err := os.WriteFile(filepath.Join(dir, "bad.plan"), tc.plan, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s.em.ResetObservations()
			r := s.run(t, dir, append(tc.args, "--no-color")...)
			if r.code != exitError || !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(tc.want)) {
				t.Errorf("exit %d, want 1 and a message mentioning %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.want, r.stdout, tail(r.stderr, 2000))
			}
			if n := s.em.Counters().Total; n != 0 {
				t.Errorf("%d requests reached the emulator: %v", n, s.em.Counters().ByMethodStatus)
			}
			if after, _ := os.ReadFile(statePath); !bytes.Equal(after, st) {
				t.Error("the state file changed")
			}
			if after, _ := os.ReadFile(journalPath); tc.journal != nil && !bytes.Equal(after, tc.journal) {
				t.Error("the state journal changed")
			}
		})
	}
}
