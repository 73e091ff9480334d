// Package azuritetest runs Azurite, Microsoft's Azure Storage emulator, for
// tests of the azureblob state backend: on a free loopback port, in a
// temporary directory, started on first use and stopped by Stop.
//
// It finds azurite-blob in $AZURITE_BLOB, on PATH, or in
// $XDG_CACHE_HOME/azapply-test/azurite (installing it there with
// 'npm install azurite' when missing). When none of that works the tests
// that need it are skipped with the reason.
package azuritetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// Azurite's development account: a fixed, publicly documented key that
// only the emulator accepts. It is not a secret.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

var server struct {
	once    sync.Once
	cmd     *exec.Cmd
	dir     string
	connStr string
	skip    string
}

// ConnectionString returns a connection string to a running Azurite,
// starting it the first time; it skips t, saying why, when Azurite cannot
// be found, installed or started, and under -short.
func ConnectionString(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Azurite; skipped under -short")
	}
	server.once.Do(start)
	if server.skip != "" {
		t.Skip(server.skip)
	}
	return server.connStr
}

// Stop ends Azurite if it was started; call it from TestMain after m.Run.
func Stop() {
	if server.cmd != nil && server.cmd.Process != nil {
		_ = server.cmd.Process.Kill()
		_ = server.cmd.Wait()
	}
	if server.dir != "" {
		_ = os.RemoveAll(server.dir)
	}
}

// NewContainer makes a container with a name unique to the test.
func NewContainer(t testing.TB, connStr string) string {
	t.Helper()
	c, err := azblob.NewClientFromConnectionString(connStr, nil)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	if _, err := c.CreateContainer(context.Background(), name, nil); err != nil {
		t.Fatal(err)
	}
	return name
}

// binary finds azurite-blob, installing it with npm when it must.
func binary() (string, error) {
	if p := os.Getenv("AZURITE_BLOB"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	prefix := filepath.Join(cache, "azapply-test", "azurite")
	bin := filepath.Join(prefix, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("azurite-blob is not installed and npm is not on PATH: install Node.js and run 'npm install -g azurite', or set AZURITE_BLOB")
	}
	// Install beside it and rename into place, so that two test binaries
	// installing at once (go test ./... runs packages in parallel) never
	// share a half-installed directory: the first rename wins.
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(prefix), "azurite-install-*")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	out, err := exec.Command(npm, "install", "--prefix", tmp, "--no-audit", "--no-fund", "azurite").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm install azurite failed (%v): %s", err, lastLines(string(out), 5))
	}
	if err := os.Rename(tmp, prefix); err != nil {
		if _, serr := os.Stat(bin); serr != nil {
			return "", fmt.Errorf("installing azurite into %s: %w", prefix, err)
		}
	}
	return bin, nil
}

func start() {
	skip := func(format string, args ...any) {
		server.skip = "blob backend tests skipped: " + fmt.Sprintf(format, args...)
	}
	bin, err := binary()
	if err != nil {
		skip("%v", err)
		return
	}
	port, err := freePort()
	if err != nil {
		skip("no free loopback port: %v", err)
		return
	}
	dir, err := os.MkdirTemp("", "azapply-azurite-*")
	if err != nil {
		skip("%v", err)
		return
	}
	server.dir = dir
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--location", dir, "--skipApiVersionCheck", "--loose", "--silent")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		skip("starting Azurite: %v", err)
		return
	}
	server.cmd = cmd
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			skip("Azurite did not start listening on %s within 60s", addr)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	server.connStr = fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=http://%s/%s;", Account, Key, addr, Account)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
