package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNewStateHasLineageAndSalt(t *testing.T) {
	a, b := New(), New()
	if a.Lineage == "" || a.Lineage == b.Lineage {
		t.Fatalf("lineages %q and %q: want two distinct UUIDs", a.Lineage, b.Lineage)
	}
	if len(a.Lineage) != 36 || a.Lineage[14] != '4' {
		t.Errorf("lineage %q is not a version-4 UUID", a.Lineage)
	}
	if len(a.Salt) != 64 || a.Salt == b.Salt {
		t.Errorf("salts %q and %q: want two distinct 32-byte hex strings", a.Salt, b.Salt)
	}
}

func TestSetGetRemoveFindID(t *testing.T) {
	s := New()
	s.Set(&Resource{Address: "resource.b", ID: "/subscriptions/1/resourceGroups/B"})
	s.Set(&Resource{Address: "resource.a", ID: "/subscriptions/1/resourceGroups/A"})
	s.Set(&Resource{Address: "resource.b", ID: "/subscriptions/1/resourceGroups/B2"})
	if len(s.Resources) != 2 || s.Resources[0].Address != "resource.a" {
		t.Fatalf("resources %v: want a then b", addresses(s))
	}
	if got := s.Get("resource.b").ID; got != "/subscriptions/1/resourceGroups/B2" {
		t.Errorf("Get(b).ID = %q: Set did not replace", got)
	}
	if got := s.FindID("/SUBSCRIPTIONS/1/resourcegroups/a"); got == nil || got.Address != "resource.a" {
		t.Errorf("FindID ignores case: got %v", got)
	}
	s.Remove("resource.a")
	if s.Get("resource.a") != nil || len(s.Resources) != 1 {
		t.Errorf("Remove left %v", addresses(s))
	}
}

func TestOperationInFlight(t *testing.T) {
	s := New()
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	op := Operation{Method: "PUT", PollingURL: "https://management.azure.com/subscriptions/1/providers/X/operations/7?api-version=2021-04-01", Started: started}
	s.StartOperation("resource.rg", "/subscriptions/1/resourceGroups/rg", "2021-04-01", op)
	r := s.Get("resource.rg")
	if r == nil || r.InFlight == nil || !reflect.DeepEqual(*r.InFlight, op) || r.ID != "/subscriptions/1/resourceGroups/rg" {
		t.Fatalf("after StartOperation: %+v", r)
	}
	data, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data, "test")
	if err != nil {
		t.Fatal(err)
	}
	got := back.Get("resource.rg").InFlight
	if got == nil || got.PollingURL != op.PollingURL || got.Method != "PUT" || !got.Started.Equal(started) {
		t.Fatalf("the operation did not survive a round trip: %+v", got)
	}
	if got := back.InFlight(); len(got) != 1 || got[0].Address != "resource.rg" {
		t.Errorf("InFlight() = %v, want resource.rg", got)
	}
	back.FinishOperation("resource.rg")
	if back.Get("resource.rg").InFlight != nil || len(back.InFlight()) != 0 {
		t.Error("FinishOperation left the operation")
	}
}

func TestCloneIsDeep(t *testing.T) {
	s := New()
	s.Set(&Resource{Address: "resource.a", LastApplied: map[string]any{"tags": map[string]any{"env": "x"}, "list": []any{"1"}}})
	s.Outputs = map[string]*Output{"o": {Value: "v"}}
	c := s.Clone()
	c.Get("resource.a").LastApplied["tags"].(map[string]any)["env"] = "changed"
	c.Get("resource.a").LastApplied["list"].([]any)[0] = "2"
	c.Outputs["o"].Value = "w"
	if s.Get("resource.a").LastApplied["tags"].(map[string]any)["env"] != "x" || s.Get("resource.a").LastApplied["list"].([]any)[0] != "1" || s.Outputs["o"].Value != "v" {
		t.Error("changing the clone changed the original")
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
	}{
		{"current version", "v2.json", ""},
		{"version 1 is migrated", "v1.json", ""},
		{"newer version refused", "v99.json", "newer than this azapply understands"},
		{"not JSON", "garbage.json", "cannot be parsed"},
		{"no lineage", "nolineage.json", "no lineage"},
		{"no version", "noversion.json", "no format version"},
		{"trailing data", "trailing.json", "unexpected data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(data, tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Decode(%s) error = %v, want one containing %q", tt.file, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.file) {
					t.Errorf("the error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Version != FormatVersion || s.Salt == "" || len(s.Resources) == 0 {
				t.Errorf("decoded %+v: want version %d, a salt and resources", s, FormatVersion)
			}
		})
	}
}

func TestV1MigrationKeepsEverything(t *testing.T) {
	data, err := os.ReadFile("testdata/v1.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data, "v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.Lineage != "6f1c2a9e-3b7d-4e8f-9a0b-1c2d3e4f5a6b" || s.Serial != 7 {
		t.Errorf("lineage %q serial %d: migration must keep both", s.Lineage, s.Serial)
	}
	r := s.Get("resource.rg")
	if r == nil || r.ID != "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Demo" || r.LastApplied["location"] != "westus" {
		t.Errorf("resource after migration: %+v", r)
	}
	out, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != float64(FormatVersion) || doc["salt"] == "" {
		t.Errorf("re-encoded: version %v salt %v", doc["version"], doc["salt"])
	}
}

func addresses(s *State) []string {
	var out []string
	for _, r := range s.Resources {
		out = append(out, r.Address)
	}
	return out
}
