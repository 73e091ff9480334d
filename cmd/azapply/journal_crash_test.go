package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
)

// TestCrashWithJournal kills apply (SIGKILL) while its saves go to the
// state journal, before any compaction: the state file alone is behind,
// the journal beside it holds the rest. Every resource whose creation the
// killed run reported complete is in the state read back (nothing lost);
// the rerun converges with nothing created twice and no orphan, and folds
// the journal into the state file.
func TestCrashWithJournal(t *testing.T) {
	// Operations slow enough that the kill lands mid-run, with some
	// creates finished and others in flight.
	opts := crashEmulatorOptions()
	opts.RetryAfter = 100 * time.Millisecond
	s := serveLoopback(t, opts)
	dir := t.TempDir()
	declared := writeStack(t, dir, s, 30)
	path := filepath.Join(dir, "azapply.state.json")

	// Few at a time, so that some creates finish long before the last.
	cmd, out, _ := s.command(dir, "apply", "--auto-approve", "--no-color", "--parallelism", "4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	succeeded := func() int {
		n := 0
		for _, id := range declared {
			if res, ok := s.em.Resource(id); ok {
				props, _ := res.Body["properties"].(map[string]any)
				if ps, _ := props["provisioningState"].(string); ps == "Succeeded" {
					n++
				}
			}
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); succeeded() < 8 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond) // for apply to see some of them finish
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	journal, err := os.ReadFile(path + ".journal")
	if err != nil {
		t.Fatalf("the killed run left no journal: %v", err)
	}
	if n := bytes.Count(journal, []byte("\n")); n < 3 {
		t.Fatalf("the journal holds %d lines, want a header and records", n)
	}
	fileOnly := state.New()
	if data, err := os.ReadFile(path); err == nil {
		if fileOnly, err = state.Decode(data, path); err != nil {
			t.Fatal(err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	st := parseState(t, dir) // the file with its journal replayed
	if st.Serial <= fileOnly.Serial {
		t.Fatalf("the journal added nothing: serial %d, the file alone %d", st.Serial, fileOnly.Serial)
	}
	done := regexp.MustCompile(`(?m)^(\S+): Creation complete`).FindAllStringSubmatch(out.String(), -1)
	for _, m := range done {
		if r := st.Get(m[1]); r == nil || r.LastApplied == nil || r.InFlight != nil {
			t.Errorf("the killed run reported %s created, and the state read back records %+v", m[1], r)
		}
	}
	t.Logf("killed after %d writes: %d creates reported, the file at serial %d with %d resources, with the journal serial %d with %d",
		writesSoFar(s.em), len(done), fileOnly.Serial, len(fileOnly.Resources), st.Serial, len(st.Resources))

	if r := s.run(t, dir, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("the rerun failed: exit %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 3000))
	}
	if r := s.run(t, dir, "plan", "--detailed-exitcode", "--no-color"); r.code != exitOK {
		t.Fatalf("the plan after the rerun is not clean: exit %d\n%s", r.code, r.stdout)
	}
	if _, err := os.Stat(path + ".journal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rerun left the journal beside the state: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	final, err := state.Decode(data, path)
	if err != nil {
		t.Fatal(err)
	}
	if o := orphans(s.em, final, declared); len(o) > 0 {
		t.Errorf("orphans: %v", o)
	}
	if len(final.Resources) != len(declared) || len(final.InFlight()) > 0 {
		t.Errorf("the state file records %d resources (%d in flight), want the %d declared", len(final.Resources), len(final.InFlight()), len(declared))
	}
	if twice := createdTwice(s.em); len(twice) > 0 {
		t.Errorf("created twice: %v", twice)
	}
}
