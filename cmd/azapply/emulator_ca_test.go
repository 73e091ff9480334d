package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestEmulatorCAInADirectoryOfItsOwn: emulator serve writes its CA into a
// new directory of its own (mode 0700), not to a fixed name in the shared
// temporary directory: a symbolic link planted at the old fixed name is not
// followed, and the directory is removed when the emulator stops.
func TestEmulatorCAInADirectoryOfItsOwn(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes and symbolic links differ on Windows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(tmp, "azapply-emulator-ca.pem")); err != nil {
		t.Fatal(err)
	}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &IOStreams{Out: out, Err: errOut})
	}()
	caRE := regexp.MustCompile(`CA certificate: (\S+)`)
	var caFile string
	for i := 0; i < 500 && caFile == ""; i++ {
		if m := caRE.FindStringSubmatch(out.String()); m != nil {
			caFile = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if caFile == "" {
		cancel()
		t.Fatalf("the server never said where its CA is: %s %s", out.String(), errOut.String())
	}
	dir := filepath.Dir(caFile)
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 || filepath.Dir(dir) != tmp {
		t.Errorf("the CA's directory %s: %v, mode %v; want a new 0700 directory under %s", dir, err, fi.Mode(), tmp)
	}
	if pem, err := os.ReadFile(caFile); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("the CA file: %v %q", err, pem)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me" {
		t.Errorf("the CA was written through a planted symbolic link: %q", data)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve: exit %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the CA's directory is left after the emulator stopped: %v", err)
	}
}

// TestWriteCANeverFollowsALink: a --ca-file that names a symbolic link is
// replaced by the certificate; the file the link pointed to is untouched.
func TestWriteCANeverFollowsALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(dir, "ca.pem")
	if err := os.Symlink(victim, named); err != nil {
		t.Fatal(err)
	}
	path, cleanup, err := writeCA(named, []byte("-----BEGIN CERTIFICATE-----\n"))
	if err != nil {
		t.Fatal(err)
	}
	cleanup()
	if data, _ := os.ReadFile(victim); string(data) != "keep me" {
		t.Errorf("the CA was written through the link: %q", data)
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s is not the certificate file: %v", path, err)
	}
}
