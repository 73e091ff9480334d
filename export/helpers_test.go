package export

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
)

const (
	sub  = "00000000-0000-0000-0000-000000000000"
	rgID = "/subscriptions/" + sub + "/resourceGroups/rg"
)

// newEmulator is an in-process emulator and a client that reaches it.
func newEmulator(t *testing.T, opts emulator.Options) (*emulator.Server, *arm.Client) {
	t.Helper()
	srv := emulator.New(opts)
	c, err := arm.NewClient(arm.ClientOptions{
		Endpoint:   "https://emulator.invalid",
		Credential: arm.StaticCredential{Token: "test-token"},
		Transport:  &http.Client{Transport: srv.Transport()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// put creates a resource as someone in the portal would.
func put(t *testing.T, c *arm.Client, id, apiVersion string, body map[string]any) {
	t.Helper()
	if _, err := c.Put(context.Background(), id, apiVersion, body); err != nil {
		t.Fatalf("creating %s: %v", id, err)
	}
}

// writeFiles writes an export's files into a new directory.
func writeFiles(t *testing.T, res *Result) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range res.Files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// all is every file of an export, concatenated.
func all(res *Result) string {
	var b strings.Builder
	for _, data := range res.Files {
		b.Write(data)
	}
	return b.String()
}
