package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestEveryBadConfigurationSendsNothing runs plan and apply on every bad
// configuration of config/testdata/diags, pointed at a served emulator
// (cloud discovery, sign-in and ARM all on it) and beside a valid state:
// each exits 1 with a diagnostic naming a file and line, prints nothing on
// stdout, sends not one request, and leaves the state byte for byte.
func TestEveryBadConfigurationSendsNothing(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	// A valid state of another stack, to see it untouched.
	good := t.TempDir()
	writeStack(t, good, s, 4)
	if r := s.run(t, good, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("apply: %d\n%s", r.code, tail(r.stderr, 2000))
	}
	stateBytes, err := os.ReadFile(filepath.Join(good, "azapply.state.json"))
	if err != nil {
		t.Fatal(err)
	}

	root := filepath.Join("..", "..", "config", "testdata", "diags")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := copyCase(t, filepath.Join(root, e.Name()))
		var extra []string
		hasProvider := false
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
			if strings.HasSuffix(f.Name(), ".vars") {
				extra = append(extra, "--var-file", filepath.Join(dir, f.Name()))
			}
			if bytes.Contains(data, []byte("provider {")) || bytes.Contains(data, []byte(`"provider"`)) {
				hasProvider = true
			}
		}
		if !hasProvider {
			if err := os.WriteFile(filepath.Join(dir, "zz_provider.hcl"), []byte(s.provider()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		statePath := filepath.Join(dir, "azapply.state.json")
		if err := os.WriteFile(statePath, stateBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		cases++
		for _, cmd := range []string{"plan", "apply"} {
			t.Run(cmd+"/"+e.Name(), func(t *testing.T) {
				args := append([]string{cmd, "--no-color"}, extra...)
				if cmd == "apply" {
					args = append(args, "--auto-approve")
				}
				s.em.ResetObservations()
				r := s.run(t, dir, args...)
				if r.code != exitError {
					t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, tail(r.stderr, 2000))
				}
				if !strings.Contains(r.stderr, ".hcl:") && !strings.Contains(r.stderr, ".vars:") && !strings.Contains(r.stderr, ".json:") {
					t.Errorf("the error names no file and line:\n%s", r.stderr)
				}
				if r.stdout != "" {
					t.Errorf("something was printed on stdout:\n%s", r.stdout)
				}
				if n := s.em.Counters().Total; n != 0 {
					t.Errorf("%d requests reached the emulator: %v", n, s.em.Counters().ByMethodStatus)
				}
				if after, _ := os.ReadFile(statePath); !bytes.Equal(after, stateBytes) {
					t.Error("the state changed")
				}
			})
		}
	}
	if cases < 15 {
		t.Errorf("only %d bad configurations found under %s", cases, root)
	}
}
