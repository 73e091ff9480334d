package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/internal/statetest"
)

// TestJournalReplayEqualsFullWrites saves the same changes two ways, with
// a journal and whole, and reads each back in a new backend (as the next
// run would after a crash, with no compaction): the states are the same,
// serial included, after every step.
func TestJournalReplayEqualsFullWrites(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		start func(t *testing.T, path string)
	}{
		{"no state yet", func(t *testing.T, path string) {}},
		{"a stored state", func(t *testing.T, path string) {
			s := state.New()
			statetest.SetStep("resource.z", 0).Change(s)
			if err := New(path).Write(ctx, s); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			jpath, wpath := filepath.Join(dir, "j", "azapply.state.json"), filepath.Join(dir, "w", "azapply.state.json")
			tt.start(t, jpath)
			if err := os.MkdirAll(filepath.Dir(wpath), 0o755); err != nil {
				t.Fatal(err)
			}
			if data, err := os.ReadFile(jpath); err == nil {
				writeFile(t, wpath, string(data))
			}
			jl, wl := New(jpath), New(wpath)
			js, err := jl.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws, err := wl.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws.Lineage, ws.Salt = js.Lineage, js.Salt
			for _, st := range statetest.JournalSteps() {
				st.Change(js)
				st.Change(ws)
				if err := jl.Append(ctx, js, st.Names...); err != nil {
					t.Fatalf("%s: Append: %v", st.Name, err)
				}
				if err := wl.Write(ctx, ws); err != nil {
					t.Fatalf("%s: Write: %v", st.Name, err)
				}
				if _, err := os.Stat(jpath + ".journal"); err != nil {
					t.Fatalf("%s: no journal: %v", st.Name, err)
				}
				got, err := New(jpath).Read(ctx)
				if err != nil {
					t.Fatalf("%s: reading the journaled state: %v", st.Name, err)
				}
				want, err := New(wpath).Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := statetest.Encode(t, got), statetest.Encode(t, want); !bytes.Equal(g, w) {
					t.Fatalf("%s: the replayed state differs from the one written whole:\n%s\nwant:\n%s", st.Name, g, w)
				}
				if g, m := statetest.Encode(t, got), statetest.Encode(t, js); !bytes.Equal(g, m) {
					t.Fatalf("%s: the replayed state differs from the one in memory:\n%s\nwant:\n%s", st.Name, g, m)
				}
			}
			if err := jl.Compact(ctx, js); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(jpath + ".journal"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the journal is still there after Compact: %v", err)
			}
			fromFile, err := state.Decode(mustRead(t, jpath), jpath)
			if err != nil {
				t.Fatal(err)
			}
			if fromFile.Serial != js.Serial || len(fromFile.Resources) != len(js.Resources) {
				t.Errorf("the compacted file is serial %d with %d resources, want %d and %d", fromFile.Serial, len(fromFile.Resources), js.Serial, len(js.Resources))
			}
			if fi, err := os.Stat(jpath); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("the state's mode: %v %v", fi, err)
			}
		})
	}
}

// journaled makes a state file and a journal of the first n steps beside
// it, and returns its path and the states after each step (encoded).
func journaled(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s := state.New()
	statetest.SetStep("resource.base", 0).Change(s)
	if err := l.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	states := [][]byte{statetest.Encode(t, s)}
	for _, st := range statetest.JournalSteps()[:n] {
		st.Change(s)
		if err := l.Append(ctx, s, st.Names...); err != nil {
			t.Fatal(err)
		}
		states = append(states, statetest.Encode(t, s))
	}
	return path, states
}

// TestJournalCrashes reads the journal as a crash at each moment of a save
// or a compaction leaves it.
func TestJournalCrashes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// damage changes the journal's bytes; want is the step whose
		// state the read must give (-1: an error naming the journal).
		damage func(j []byte) []byte
		want   int
	}{
		{"intact", func(j []byte) []byte { return j }, 4},
		{"last record cut short", func(j []byte) []byte { return j[:len(j)-7] }, 3},
		{"last record cut after one byte", func(j []byte) []byte { return j[:lastLine(j)+1] }, 3},
		{"last record lost to zeros", func(j []byte) []byte {
			i := lastLine(j)
			return append(append(j[:i:i], bytes.Repeat([]byte{0}, len(j)-i-2)...), '}', '\n')
		}, 3},
		{"header cut short", func(j []byte) []byte { return j[:10] }, 0},
		{"only the header", func(j []byte) []byte { return j[:bytes.IndexByte(j, '\n')+1] }, 0},
		{"a middle record garbled", func(j []byte) []byte { return bytes.Replace(j, []byte(`{"serial":3`), []byte(`{"serial":3,,`), 1) }, -1},
		{"a record missing", func(j []byte) []byte {
			first := bytes.IndexByte(j, '\n') + 1
			second := first + bytes.IndexByte(j[first:], '\n') + 1
			return append(j[:first:first], j[second:]...)
		}, -1},
		{"a garbled record at the end, whole", func(j []byte) []byte { return append(j, []byte("{\"serial\":\n")...) }, -1},
		{"another lineage", func(j []byte) []byte {
			return bytes.Replace(j, []byte(`"lineage":"`), []byte(`"lineage":"x`), 1)
		}, -1},
		{"extends a newer state", func(j []byte) []byte { return bytes.Replace(j, []byte(`"serial":1,`), []byte(`"serial":9,`), 1) }, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, states := journaled(t, 4)
			jpath := path + ".journal"
			damaged := tt.damage(mustRead(t, jpath))
			writeFile(t, jpath, string(damaged))
			stateBefore := mustRead(t, path)
			got, err := New(path).Read(ctx)
			if tt.want < 0 {
				var je *state.JournalError
				if !errors.As(err, &je) || !strings.Contains(err.Error(), jpath) || !strings.Contains(err.Error(), "move the journal aside") {
					t.Fatalf("Read = %v, want a state.JournalError naming %s and what to do", err, jpath)
				}
				if !bytes.Equal(mustRead(t, jpath), damaged) || !bytes.Equal(mustRead(t, path), stateBefore) {
					t.Fatal("the state or the journal was changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := statetest.Encode(t, got); !bytes.Equal(g, states[tt.want]) {
				t.Fatalf("read:\n%s\nwant the state after step %d:\n%s", g, tt.want, states[tt.want])
			}
		})
	}
}

func lastLine(j []byte) int { return bytes.LastIndexByte(j[:len(j)-1], '\n') + 1 }

// TestJournalStale: a crash after a compaction wrote the state and before
// it removed the journal leaves a journal extending an older serial. It is
// never replayed; a run holding the lock removes it, a lockless reader
// leaves it.
func TestJournalStale(t *testing.T) {
	ctx := context.Background()
	for _, locked := range []bool{false, true} {
		t.Run(fmt.Sprintf("locked=%v", locked), func(t *testing.T) {
			path, _ := journaled(t, 3)
			old := mustRead(t, path+".journal")
			l := New(path)
			s, err := l.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			s.Remove("resource.base")
			if err := l.Append(ctx, s, "resource.base"); err != nil {
				t.Fatal(err)
			}
			if err := l.Compact(ctx, s); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path+".journal", string(old)) // the removal never happened
			r := New(path)
			if locked {
				if _, err := r.Lock(ctx, state.NewLockInfo("test")); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = r.Unlock(ctx) }()
			}
			got, err := r.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
				t.Fatalf("the stale journal was replayed:\n%s", statetest.Encode(t, got))
			}
			_, err = os.Stat(path + ".journal")
			if removed := errors.Is(err, os.ErrNotExist); removed != locked {
				t.Errorf("journal removed = %v, want %v (only under the lock)", removed, locked)
			}
		})
	}
}

// TestJournalCompactionThreshold: the journal is folded into the state
// once it outgrows it, so a long apply keeps it bounded; a read after any
// save gives the state in memory.
func TestJournalCompactionThreshold(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s := statetest.Bench(200) // about 300 KB: past the 64 KiB floor
	if err := l.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	stateSize := int64(len(mustRead(t, path)))
	compactions, lastSerial := 0, s.Serial
	for i := 0; i < 600; i++ {
		r := *s.Resources[i%200]
		r.APIVersion = fmt.Sprintf("2024-%03d", i)
		s.Set(&r)
		if err := l.Append(ctx, s, r.Address); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path + ".journal")
		switch {
		case errors.Is(err, os.ErrNotExist):
			compactions++
			if got, _ := state.Decode(mustRead(t, path), path); got.Serial != s.Serial {
				t.Fatalf("after a compaction the file is at serial %d, want %d", got.Serial, s.Serial)
			}
		case err != nil:
			t.Fatal(err)
		case fi.Size() > state.CompactAt(stateSize)+int64(4<<10):
			t.Fatalf("the journal grew to %d bytes, past the state's %d", fi.Size(), stateSize)
		}
		if s.Serial != lastSerial+1 {
			t.Fatalf("save %d: serial %d, want %d", i, s.Serial, lastSerial+1)
		}
		lastSerial = s.Serial
	}
	// Each record is about 1.5 KB and the state about 300 KB: one
	// compaction per ~200 saves.
	if compactions < 2 || compactions > 6 {
		t.Errorf("%d compactions in 600 saves of a %d-byte state, want about 3", compactions, stateSize)
	}
	got, err := New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
		t.Fatal("the state read back differs from the one in memory")
	}
}

// TestJournalFallsBackToWrite: a save that names nothing, or whose state
// is not what the file holds (another run wrote it), writes whole with
// Write's checks instead of appending.
func TestJournalFallsBackToWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s, _ := l.Read(ctx)
	statetest.SetStep("resource.a", 1).Change(s)
	if err := l.Append(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".journal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a save naming no address made a journal: %v", err)
	}
	other := New(path)
	o, _ := other.Read(ctx)
	if err := other.Write(ctx, o); err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.b", 2).Change(s)
	var ce *state.ConflictError
	if err := l.Append(ctx, s, "resource.b"); !errors.As(err, &ce) {
		t.Fatalf("appending over a state another run wrote = %v, want a state.ConflictError", err)
	}
}

// TestJournalSalt: a journal started before the state file was ever
// written (the first apply) carries the lineage and salt, so a crash then
// loses neither; a format-1 state, whose salt is made when it is read,
// gets back the salt its journal's hashes were made with.
func TestJournalSalt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s, _ := l.Read(ctx)
	statetest.SetStep("resource.a", 1).Change(s)
	if err := l.Append(ctx, s, "resource.a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the first save wrote the state whole: %v", err)
	}
	got, err := New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lineage != s.Lineage || got.Salt != s.Salt || got.Serial != 1 || got.Get("resource.a") == nil {
		t.Fatalf("read %+v, want lineage %s, its salt, serial 1 and resource.a", got, s.Lineage)
	}

	v1 := filepath.Join(t.TempDir(), "azapply.state.json")
	writeFile(t, v1, `{"version":1,"lineage":"l1","serial":4,"resources":[]}`)
	l = New(v1)
	s, _ = l.Read(ctx)
	salt := s.Salt
	s.Outputs = map[string]*state.Output{"p": {Value: s.HashValue("secret"), Sensitive: true}}
	if err := l.Append(ctx, s, state.OutputsChanged); err != nil {
		t.Fatal(err)
	}
	got, err = New(v1).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Salt != salt || !got.SensitiveMatches(got.Outputs["p"].Value, "secret") {
		t.Fatalf("the salt read back is %q, want %q, the one the journal's hashes use", got.Salt, salt)
	}
}

// TestJournalAppendFailure: a save whose append fails returns the error and
// appends nothing more to that journal (what reached it is at most its
// torn end); the next save writes the state whole, with every change so far.
func TestJournalAppendFailure(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "azapply.state.json")
	l := New(path)
	s, _ := l.Read(ctx)
	for i, addr := range []string{"resource.a", "resource.b", "resource.c"} {
		statetest.SetStep(addr, i).Change(s)
		if i == 1 {
			_ = l.journal.f.Close() // the disk fails under the next append
		}
		err := l.Append(ctx, s, addr)
		if (err != nil) != (i == 1) {
			t.Fatalf("save %d: %v", i, err)
		}
	}
	if _, err := os.Stat(path + ".journal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the save after a failed append did not write the state whole: %v", err)
	}
	got, err := New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 3 || !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
		t.Fatalf("read back %d resources, want the 3 in memory", len(got.Resources))
	}
}

// TestSaveWithoutJournal: state.Save writes whole through a backend that
// keeps no journal, and state.Compact then has nothing to do.
func TestSaveWithoutJournal(t *testing.T) {
	ctx := context.Background()
	b := &writeOnly{l: New(filepath.Join(t.TempDir(), "azapply.state.json"))}
	s := state.New()
	statetest.SetStep("resource.a", 1).Change(s)
	if err := state.Save(ctx, b, s, "resource.a"); err != nil {
		t.Fatal(err)
	}
	if err := state.Compact(ctx, b, s); err != nil {
		t.Fatal(err)
	}
	if b.writes != 1 || s.Serial != 1 {
		t.Fatalf("%d whole writes, serial %d; want 1 and 1", b.writes, s.Serial)
	}
}

// writeOnly is a state.Backend without Append and Compact.
type writeOnly struct {
	l      *Backend
	writes int
}

func (w *writeOnly) Read(ctx context.Context) (*state.State, error) { return w.l.Read(ctx) }
func (w *writeOnly) Write(ctx context.Context, s *state.State) error {
	w.writes++
	return w.l.Write(ctx, s)
}
func (w *writeOnly) Lock(ctx context.Context, i state.LockInfo) (state.LockInfo, error) {
	return w.l.Lock(ctx, i)
}
func (w *writeOnly) Unlock(ctx context.Context) error { return w.l.Unlock(ctx) }
func (w *writeOnly) ForceUnlock(ctx context.Context, id string) error {
	return w.l.ForceUnlock(ctx, id)
}
func (w *writeOnly) String() string { return w.l.String() }
