package plan

import (
	"strings"
	"testing"

	"github.com/azapply/azapply/state"
)

// TestRemovedOutputHidesNamedSecrets: an output no longer declared, whose
// value a state written before azapply hashed outputs holds in clear, is
// shown deleted with its secrets hidden by name, as a changed one is.
func TestRemovedOutputHidesNamedSecrets(t *testing.T) {
	st := state.New()
	st.Outputs = map[string]*state.Output{"keys": {Value: map[string]any{
		"keys": []any{map[string]any{"keyName": "key1", "value": "clear-storage-key-AAAA"}},
	}}}
	p := &Plan{}
	PlanOutputs(p, nil, st)
	if len(p.OutputChanges) != 1 || p.OutputChanges[0].Action != Delete {
		t.Fatalf("output changes: %+v, want keys deleted", p.OutputChanges)
	}
	var b strings.Builder
	if err := RenderText(&b, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "clear-storage-key-AAAA") {
		t.Errorf("the removed output's key is shown:\n%s", b.String())
	}
}
