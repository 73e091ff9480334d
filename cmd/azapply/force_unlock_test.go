package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForceUnlockOptions(t *testing.T) {
	testOptions(t, NewCmdForceUnlock, []optionsCase[forceUnlockOptions]{
		{name: "an ID", args: []string{"6f1c2a9e"}, want: func(f *Factory) forceUnlockOptions {
			return forceUnlockOptions{factory: f, common: defaultCommon("force-unlock", false), id: "6f1c2a9e"}
		}},
		{name: "forced", args: []string{"--force", "--chdir", "prod", "6f1c2a9e"}, want: func(f *Factory) forceUnlockOptions {
			c := defaultCommon("force-unlock", false)
			c.chdir = "prod"
			return forceUnlockOptions{factory: f, common: c, force: true, id: "6f1c2a9e"}
		}},
		{name: "no ID", wantErr: "force-unlock takes the lock ID"},
		{name: "two IDs", args: []string{"a", "b"}, wantErr: "force-unlock takes the lock ID"},
		{name: "it takes no lock", args: []string{"--lock=false", "a"}, wantErr: "unknown flag: --lock"},
	})
}

func TestForceUnlockStaleRecord(t *testing.T) {
	dir := appliedDir(t)
	lock := filepath.Join(dir, defaultStatePath+".lock")
	if err := os.WriteFile(lock, []byte(`{"id":"stale-1","operation":"apply","host":"gone","pid":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "force-unlock", "--force", "--chdir", dir, "wrong")
	if r.code != 1 || !strings.Contains(r.err, "has lock stale-1, not wrong") {
		t.Fatalf("wrong ID: exit %d, %s", r.code, r.err)
	}
	r = runCmd(t, "yes\n", "force-unlock", "--force", "--chdir", dir, "stale-1")
	if r.code != 0 || !strings.Contains(r.out, "was broken") {
		t.Fatalf("force-unlock: exit %d, %s", r.code, r.err)
	}
}
