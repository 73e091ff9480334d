package state

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLearnImmutable(t *testing.T) {
	s := New()
	if !s.LearnImmutable("Microsoft.Web/sites", "properties.serverFarmId") {
		t.Fatal("a new path was not learned")
	}
	if s.LearnImmutable("microsoft.web/SITES", "Properties.ServerFarmId") {
		t.Error("the same path in other casing was learned twice")
	}
	if s.LearnImmutable("", "x") || s.LearnImmutable("Microsoft.Web/sites", " ") {
		t.Error("an empty type or path was learned")
	}
	s.LearnImmutable("Microsoft.Web/sites", "kind")
	if got, want := s.ImmutablePaths("MICROSOFT.WEB/sites"), []string{"kind", "properties.serverFarmId"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ImmutablePaths = %v, want %v", got, want)
	}
	c := s.Clone()
	c.LearnImmutable("Microsoft.Web/sites", "location")
	if len(s.ImmutablePaths("Microsoft.Web/sites")) != 2 {
		t.Error("changing a clone changed the original")
	}
}

// TestDecodeImmutable: a version 3 state keeps its learned paths, in the
// form LearnImmutable writes whatever a hand edit left; a version 2 state
// has none and is written as version 3.
func TestDecodeImmutable(t *testing.T) {
	s := readTestdata(t, "v3_immutable.json")
	want := map[string][]string{
		"microsoft.web/sites":                     {"properties.hostingEnvironmentProfile.id", "properties.serverFarmId"},
		"microsoft.authorization/roleassignments": {"properties.principalId"},
	}
	if !reflect.DeepEqual(s.Immutable, want) {
		t.Errorf("Immutable = %v, want %v", s.Immutable, want)
	}
	old := readTestdata(t, "v2.json")
	if old.Immutable != nil || old.Version != FormatVersion {
		t.Errorf("a version 2 state decoded as version %d with %v", old.Version, old.Immutable)
	}
}

func readTestdata(t *testing.T, name string) *State {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
