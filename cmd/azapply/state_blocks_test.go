package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/azapply/azapply/config"
)

func TestStateBlocks(t *testing.T) {
	ctx := context.Background()
	dir := appliedDir(t)
	var errb bytes.Buffer
	open := func() *workspace {
		t.Helper()
		w, err := openWorkspace(ctx, commonFlags{chdir: dir, command: "test"}, &IOStreams{Err: &errb})
		if err != nil {
			t.Fatalf("%v %s", err, errb.String())
		}
		return w
	}
	// Forget rg, so that an import block can adopt it again.
	if r := runCmd(t, "", "state", "rm", "resource.rg", "--chdir", dir); r.code != 0 {
		t.Fatal(r.err)
	}
	rng := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 9, Column: 1}, End: hcl.Pos{Line: 9, Column: 7}}
	tests := []struct {
		name      string
		imports   []*config.Import
		removed   []*config.Removed
		dropInsts string
		wantNotes []string
		wantErr   string
	}{
		{name: "import block adopts", imports: []*config.Import{{To: "resource.rg", ID: rgID}}, wantNotes: []string{"resource.rg will be imported [id=" + rgID + "]"}},
		{name: "import block with an ID the configuration does not give", imports: []*config.Import{{To: "resource.rg", ID: rgID[:len(rgID)-4] + "gone", DeclRange: rng}}, wantErr: "main.hcl:9,1-7: import block: the configuration gives resource.rg the ID"},
		{name: "removed of a declared resource", removed: []*config.Removed{{From: "resource.other", DeclRange: rng}}, wantErr: "resource.other is both declared and in a removed block"},
		{name: "removed, destroy = false, forgets", removed: []*config.Removed{{From: "resource.other"}}, dropInsts: "resource.other", wantNotes: []string{"resource.other will be removed from the state and left in Azure"}},
		{name: "removed, destroy = true, keeps it for the plan to delete", removed: []*config.Removed{{From: "resource.other", Destroy: true}}, dropInsts: "resource.other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := open()
			defer w.close()
			w.cfg.Imports, w.cfg.Removed = tt.imports, tt.removed
			insts := w.insts[:0:0]
			for _, in := range w.insts {
				if in.Address != tt.dropInsts {
					insts = append(insts, in)
				}
			}
			before := len(w.state.Resources)
			notes, err := stateBlocks(ctx, w.client, w.cfg, insts, w.state)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) != len(tt.wantNotes) {
				t.Fatalf("notes %q, want %q", notes, tt.wantNotes)
			}
			for i := range notes {
				if !strings.HasPrefix(notes[i], tt.wantNotes[i]) {
					t.Errorf("note %q, want %q", notes[i], tt.wantNotes[i])
				}
			}
			if len(tt.wantNotes) == 0 && len(w.state.Resources) != before {
				t.Errorf("a block with nothing to do changed the state: %v", addrs(w.state))
			}
			// Nothing is stored until apply does.
			if got := readStateFile(t, dir); len(got.Resources) != 1 {
				t.Errorf("the state file changed before apply: %v", addrs(got))
			}
		})
	}
	// apply stores what the blocks did.
	w := open()
	w.cfg.Imports = []*config.Import{{To: "resource.rg", ID: rgID}}
	var err error
	if w.notes, err = stateBlocks(ctx, w.client, w.cfg, w.insts, w.state); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printNotes(&out, w.notes)
	if !strings.Contains(out.String(), "resource.rg will be imported") {
		t.Errorf("printed notes: %q", out.String())
	}
	if err := w.savePending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if got := readStateFile(t, dir); got.Get("resource.rg") == nil || got.Get("resource.rg").ID != rgID {
		t.Fatalf("after savePending: %v", addrs(got))
	}
	if second := open(); second.state.Get("resource.rg") == nil {
		t.Error("not stored")
	} else {
		second.close()
	}
}
