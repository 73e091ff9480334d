package local

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/internal/statetest"
)

// TestStageCommitsInOrder: records staged one after another are committed
// in that order, each one append; a record staged after one whose commit
// failed fails too (it would follow a torn end), and the next save writes
// the state whole, with every change.
func TestStageCommitsInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s, _ := l.Read(ctx)
	statetest.SetStep("resource.a", 0).Change(s)
	if err := l.Append(ctx, s, "resource.a"); err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.b", 1).Change(s)
	commitB, err := l.Stage(ctx, s, "resource.b")
	if err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.c", 2).Change(s)
	commitC, err := l.Stage(ctx, s, "resource.c")
	if err != nil {
		t.Fatal(err)
	}
	if err := commitC(); err == nil {
		t.Fatal("a record committed before the one staged ahead of it")
	}
	_ = l.journal.f.Close() // the disk fails under the next append
	if err := commitB(); err == nil {
		t.Fatal("the commit on a failed disk succeeded")
	}
	if err := commitC(); err == nil {
		t.Fatal("a record staged after a failed one was committed")
	}
	statetest.SetStep("resource.d", 3).Change(s)
	if err := l.Append(ctx, s, "resource.d"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".journal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the save after a failed commit did not write the state whole: %v", err)
	}
	got, err := New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 4 || !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
		t.Fatalf("read back %d resources, want the 4 in memory", len(got.Resources))
	}
}

// TestStageThenCompaction: a record staged and not yet committed when a
// later save writes the state whole is durable in that state; its commit
// appends nothing and succeeds.
func TestStageThenCompaction(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s, _ := l.Read(ctx)
	statetest.SetStep("resource.a", 0).Change(s)
	commitA, err := l.Stage(ctx, s, "resource.a")
	if err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.b", 1).Change(s)
	if err := l.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := commitA(); err != nil {
		t.Fatalf("commit of a record the state written whole holds: %v", err)
	}
	if _, err := os.Stat(path + ".journal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a journal was left beside the state written whole: %v", err)
	}
	got, err := New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 2 || got.Serial != s.Serial {
		t.Fatalf("read back %d resources at serial %d; want 2 at %d", len(got.Resources), got.Serial, s.Serial)
	}
}

var _ state.Stager = (*Backend)(nil)
