package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

// TestImport adopts a resource group that exists in the emulator, and
// refuses what would record a resource twice or one that is not there;
// a refusal leaves the state as it was.
func TestImport(t *testing.T) {
	ctx := context.Background()
	srv := emulator.New(emulator.Options{})
	client := emulatorClient(t, srv)
	if _, err := client.Put(ctx, emuRG, "2021-04-01", map[string]any{"location": "westus", "tags": map[string]any{"note": "hunter2-clear"}}); err != nil {
		t.Fatal(err)
	}
	insts := []*config.Instance{
		{Address: "resource.rg", ID: emuRG, APIVersion: "2021-04-01", Sensitive: []string{"tags.note"}},
		{Address: "resource.other", ID: sub + "/resourceGroups/other", APIVersion: "2021-04-01"},
	}
	st := state.New()
	r, err := Import(ctx, client, insts, st, "resource.rg", emuRG)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Get("resource.rg")
	if got == nil || got != r || got.Output["location"] != "westus" || got.APIVersion != "2021-04-01" {
		t.Fatalf("the state records %+v, want resource.rg with its live body", got)
	}
	// A path the block declares sensitive (no name rule knows "note") is
	// hashed, as apply records it.
	if note := got.Output["tags"].(map[string]any)["note"]; note == "hunter2-clear" || !state.IsRedacted(note) {
		t.Errorf("the sensitive tag is recorded as %v, want it hashed", note)
	}
	for _, tc := range []struct {
		name, address, id, want string
	}{
		{"undeclared address", "resource.nope", emuRG, "declares no resource.nope"},
		{"another ID than declared", "resource.other", emuRG, "gives resource.other the ID"},
		{"address already recorded", "resource.rg", emuRG, "already records resource.rg"},
		{"not in Azure", "resource.other", sub + "/resourceGroups/other", "there is no resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(st.Resources)
			if _, err := Import(ctx, client, insts, st, tc.address, tc.id); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import: %v, want %q", err, tc.want)
			}
			if len(st.Resources) != before {
				t.Errorf("a refused import changed the state: %d resources, want %d", len(st.Resources), before)
			}
		})
	}
	st2 := state.New()
	st2.Set(&state.Resource{Address: "resource.old", ID: emuRG})
	if _, err := Import(ctx, client, insts, st2, "resource.rg", emuRG); err == nil || !strings.Contains(err.Error(), "already records "+emuRG) {
		t.Errorf("importing an ID recorded at another address: %v", err)
	}
}
