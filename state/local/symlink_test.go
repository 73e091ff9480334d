package local

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/azapply/azapply/state"
)

// TestLocalFollowsSymlink: a state file that is a symbolic link (to a file
// kept elsewhere, through a relative link and a second link) is read and
// written at its target: the lock, the journal, the backup and the atomic
// write happen beside the target, the target holds the new state, and the
// link stays a link. Nothing is left beside the link.
func TestLocalFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	ctx := context.Background()
	root := t.TempDir()
	realDir, stackDir := filepath.Join(root, "shared"), filepath.Join(root, "stack")
	for _, d := range []string{realDir, stackDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := filepath.Join(realDir, "prod.state.json")
	middle := filepath.Join(realDir, "current.state.json")
	link := filepath.Join(stackDir, "azapply.state.json")
	if err := os.Symlink("prod.state.json", middle); err != nil { // relative, not yet existing
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "shared", "current.state.json"), link); err != nil {
		t.Fatal(err)
	}

	l := New(link)
	if _, err := l.Lock(ctx, state.LockInfo{ID: "1", Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target + ".lock"); err != nil {
		t.Errorf("the lock is not beside the target: %v", err)
	}
	s, err := l.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"resource.a", "resource.b"} {
		s.Set(&state.Resource{Address: addr, ID: "/x/" + addr})
		if err := l.Write(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	s.Set(&state.Resource{Address: "resource.c", ID: "/x/c"})
	if err := l.Append(ctx, s, "resource.c"); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}

	for _, p := range []string{link, middle} {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link (%v)", p, err)
		}
	}
	fi, err := os.Lstat(target)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the target is not a regular file: %v", err)
	}
	got, err := New(target).Read(ctx)
	if err != nil || got.Get("resource.c") == nil || got.Get("resource.b") == nil {
		t.Errorf("the target does not hold the new state: %v %+v", err, got)
	}
	if _, err := os.Stat(target + ".backup"); err != nil {
		t.Errorf("the backup is not beside the target: %v", err)
	}
	entries, err := os.ReadDir(stackDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files were written beside the link: %v", names)
	}
	// Read through the link sees what was written.
	back, err := New(link).Read(ctx)
	if err != nil || back.Serial != got.Serial || back.Get("resource.c") == nil {
		t.Errorf("reading through the link: %v, serial %d, want %d", err, back.Serial, got.Serial)
	}
}
