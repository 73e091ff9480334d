package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/local"
)

// gatedStage stages through a real local backend and counts the commits;
// the first commit waits for open to be closed, so that the saves made
// meanwhile queue behind it. failAfter, when set, makes every commit after
// the first fail with it (the append itself is not made).
type gatedStage struct {
	backend   *local.Backend
	open      chan struct{}
	failAfter error
	// path, when set, is the state file: a save that returns without an
	// error must find its record in the journal on disk already.
	path string

	mu      sync.Mutex
	batches [][]string
}

func (g *gatedStage) stage(st *state.State, changed ...string) (func() error, error) {
	commit, err := state.Stage(context.Background(), g.backend, st, changed...)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.batches = append(g.batches, append([]string(nil), changed...))
	n := len(g.batches)
	g.mu.Unlock()
	return func() error {
		if n == 1 {
			<-g.open
		} else if g.failAfter != nil {
			return g.failAfter
		}
		return commit()
	}, nil
}

// saveConcurrently records resource.r0 … resource.r(n-1) from n goroutines,
// as n operations finishing together do, holding the first commit until
// the other n-1 saves are queued. It returns each save's error.
func saveConcurrently(t *testing.T, r *runner, g *gatedStage, n int) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	record := func(i int) {
		defer wg.Done()
		addr := fmt.Sprintf("resource.r%d", i)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.o.State.Set(&state.Resource{Address: addr, ID: fmt.Sprintf("%s/resourceGroups/r%d", sub, i), APIVersion: "2021-04-01"})
		errs[i] = r.save(addr)
		if errs[i] == nil && g.path != "" {
			journal, err := os.ReadFile(g.path + ".journal")
			if err != nil || !strings.Contains(string(journal), `"`+addr+`"`) {
				t.Errorf("the save of %s returned before its record was on disk (%v)", addr, err)
			}
		}
	}
	wg.Add(1)
	go record(0)
	// The first save is being committed (held at the gate) once it is
	// staged; the others then queue behind it.
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.batches) == 1 })
	for i := 1; i < n; i++ {
		wg.Add(1)
		go record(i)
	}
	waitFor(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.saver.pending != nil && len(r.saver.pending.changed) == n-1
	})
	close(g.open)
	wg.Wait()
	return errs
}

// waitFor waits until cond holds (a minute at most: it is a hang, not a
// slow machine, that it catches).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition never held")
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}

// TestGroupCommit: the saves of operations that finish while another
// commit runs are committed together, as one journal record appended and
// synced once, and each save returns only once its record is durable:
// the state read back from disk holds every one of them.
func TestGroupCommit(t *testing.T) {
	const n = 8
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	b := local.New(path)
	st := state.New()
	if err := b.Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	g := &gatedStage{backend: b, open: make(chan struct{}), path: path}
	r := newRunner(Options{State: st, Stage: g.stage}.withDefaults())
	stop := r.startSaver()
	errs := saveConcurrently(t, r, g, n)
	stop()
	for i, err := range errs {
		if err != nil {
			t.Errorf("save of resource.r%d: %v", i, err)
		}
	}
	if len(g.batches) != 2 || len(g.batches[1]) != n-1 || r.saver.commits != 2 {
		t.Fatalf("%d saves were committed as %v (%d commits); want the first alone, then the other %d in one", n, g.batches, r.saver.commits, n-1)
	}
	journal, err := os.ReadFile(path + ".journal")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(journal), "\n"); lines != 3 {
		t.Errorf("the journal has %d lines; want its header and 2 records (one append per commit)", lines)
	}
	got, err := local.New(path).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if got.Get(fmt.Sprintf("resource.r%d", i)) == nil {
			t.Errorf("resource.r%d is not in the state read back from disk", i)
		}
	}
}

// TestGroupCommitFailureFailsEveryone: when the commit of a batch fails,
// every save in it fails, none is reported durable.
func TestGroupCommitFailureFailsEveryone(t *testing.T) {
	const n = 6
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	st := state.New()
	boom := errors.New("disk full")
	g := &gatedStage{backend: local.New(path), open: make(chan struct{}), failAfter: boom}
	r := newRunner(Options{State: st, Stage: g.stage}.withDefaults())
	stop := r.startSaver()
	errs := saveConcurrently(t, r, g, n)
	stop()
	if errs[0] != nil {
		t.Errorf("the first save, committed alone: %v", errs[0])
	}
	for i := 1; i < n; i++ {
		if !errors.Is(errs[i], boom) {
			t.Errorf("save of resource.r%d = %v; want the batch's commit error", i, errs[i])
		}
	}
	if len(g.batches) != 2 {
		t.Fatalf("committed as %v; want 2 batches", g.batches)
	}
}
