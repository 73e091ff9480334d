package state

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
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// azurite is the emulator the blob tests share: started on first use,
// stopped by TestMain.
var azurite struct {
	once    sync.Once
	cmd     *exec.Cmd
	dir     string
	connStr string
	skip    string
}

// needAzurite returns a connection string to a running Azurite, starting it
// on a free loopback port the first time; it skips the test, saying why,
// when Azurite cannot be found or installed.
func needAzurite(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Azurite")
	}
	azurite.once.Do(startAzurite)
	if azurite.skip != "" {
		t.Skip(azurite.skip)
	}
	return azurite.connStr
}

// azuriteBinary finds azurite-blob: $AZURITE_BLOB, then PATH, then a cache
// directory where it is installed with npm when missing.
func azuriteBinary() (string, error) {
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
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return "", err
	}
	out, err := exec.Command(npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "azurite").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm install azurite failed (%v): %s", err, lastLines(string(out), 5))
	}
	return bin, nil
}

func startAzurite() {
	bin, err := azuriteBinary()
	if err != nil {
		azurite.skip = "blob backend tests skipped: " + err.Error()
		return
	}
	port, err := freePort()
	if err != nil {
		azurite.skip = "blob backend tests skipped: no free loopback port: " + err.Error()
		return
	}
	dir, err := os.MkdirTemp("", "azapply-azurite-*")
	if err != nil {
		azurite.skip = "blob backend tests skipped: " + err.Error()
		return
	}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--location", dir, "--skipApiVersionCheck", "--loose", "--silent")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		azurite.skip = "blob backend tests skipped: starting Azurite: " + err.Error()
		return
	}
	azurite.cmd, azurite.dir = cmd, dir
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			azurite.skip = "blob backend tests skipped: Azurite did not start listening on " + addr
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	azurite.connStr = fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=http://%s/%s;",
		azuriteAccount, azuriteKey, addr, azuriteAccount)
}

func stopAzurite() {
	if azurite.cmd != nil && azurite.cmd.Process != nil {
		_ = azurite.cmd.Process.Kill()
		_ = azurite.cmd.Wait()
	}
	if azurite.dir != "" {
		_ = os.RemoveAll(azurite.dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// newContainer makes a container with a name unique to the test.
func newContainer(t *testing.T, connStr string) string {
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

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
