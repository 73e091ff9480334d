package main

import (
	"bytes"
	"context"
	"net/http/httptest"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// dataFailConfig reads a key vault that the test's server refuses, and
// uses it in a resource's tag and an output.
const dataFailConfig = `
data "vault" {
  id          = "/subscriptions/` + stackSub + `/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv1"
  api_version = "2024-11-01"
}

resource "rg" {
  id          = "` + stackRG + `"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { vault = data.vault.output.properties.vaultUri } }
}

output "vault_uri" {
  value = data.vault.output.properties.vaultUri
}
`

// TestFailedDataReadIsAnError: a data source that cannot be read (404: it
// does not exist; 403: no right to read it) stops plan, drift and apply with exit 1 (never 2, which
// --detailed-exitcode reads as changes), an error naming the block, its ID
// and ARM's code, no panic, and nothing sent or written.
func TestFailedDataReadIsAnError(t *testing.T) {
	vault := "/subscriptions/" + stackSub + "/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv1"
	tests := []struct {
		name  string
		opts  emulator.Options
		wrap  func(http.Handler) http.Handler
		wants []string
	}{
		{name: "404", wants: []string{"data.vault", vault, "NotFound"}},
		{name: "403", wrap: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.EqualFold(r.URL.Path, vault) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusForbidden)
					_, _ = w.Write([]byte(`{"error":{"code":"AuthorizationFailed","message":"The client does not have authorization to perform action 'Microsoft.KeyVault/vaults/read'."}}`))
					return
				}
				h.ServeHTTP(w, r)
			})
		}, wants: []string{"data.vault", vault, "AuthorizationFailed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serveLoopback(t, tt.opts)
			if tt.wrap != nil {
				s.srv.Config.Handler = tt.wrap(s.em)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(s.provider()+dataFailConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"plan", "--detailed-exitcode", "--no-color"},
				{"drift", "--detailed-exitcode", "--no-color"},
				{"apply", "--auto-approve", "--no-color"},
			} {
				r := s.run(t, dir, args...)
				if r.code != exitError {
					t.Fatalf("azapply %v: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, tail(r.stderr, 3000))
				}
				if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
					t.Errorf("azapply %v panicked:\n%s", args, tail(r.stderr, 3000))
				}
				for _, w := range tt.wants {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("azapply %v: the error does not name %q:\n%s", args, w, tail(r.stderr, 3000))
					}
				}
			}
			if _, err := os.Stat(filepath.Join(dir, defaultStatePath)); err == nil {
				t.Error("a state was written")
			}
			if ids := s.em.IDs(); len(ids) != 0 {
				t.Errorf("resources were created: %v", ids)
			}
		})
	}
}

// TestDroppedDataRead: a data source whose every read has its connection
// dropped is an error naming the block and its ID, not a panic. The binary
// retries a dropped GET for minutes, so this runs the workspace's read in
// process with a client that does not retry.
func TestDroppedDataRead(t *testing.T) {
	vault := "/subscriptions/" + stackSub + "/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv1"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("provider {\n  subscription_id = \""+stackSub+"\"\n}\n"+dataFailConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	client, err := arm.NewClient(arm.ClientOptions{Endpoint: srv.URL, Credential: arm.StaticCredential{Token: "t"},
		Transport: srv.Client(), Retry: arm.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	w := &workspace{cfg: cfg, state: state.New(), client: client}
	err = w.evaluate(context.Background(), true)
	if err == nil {
		t.Fatal("a data source that cannot be read was no error")
	}
	var errb bytes.Buffer
	if werr := views.WriteError(&errb, err, false); werr != nil {
		t.Fatal(werr)
	}
	for _, want := range []string{"data.vault", vault, "Cannot read data source"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("the error does not name %q:\n%s", want, errb.String())
		}
	}
}
