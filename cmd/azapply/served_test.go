package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/local"
)

// The reliability suites run the built binary against an emulator served
// over TLS on loopback by the test process itself: the binary reaches it
// across processes (so killing the binary loses nothing of the emulator's
// world), and the test reads the emulator's world and request log
// directly.

// longTests reports whether the long versions of the reliability suites
// were asked for (AZAPPLY_LONG_TESTS=1).
func longTests() bool { return os.Getenv("AZAPPLY_LONG_TESTS") == "1" }

// Known secrets: the client secret the binary signs in with, the token the
// emulator issues for it, and a sensitive value in the configuration. None
// may appear in any output, log, plan or state.
const (
	knownClientSecret = "cs-Q8w~secret-never-printed-7f3a"
	knownToken        = "eyJ0eXAiOiJKV1Qi.token-never-printed.4b9c"
	knownPassword     = "pw-Sensitive-Value-91d2"
)

// servedEmulator is an emulator listening on 127.0.0.1 over TLS, with the
// CA file and the environment that point the binary at it.
type servedEmulator struct {
	em     *emulator.Server
	srv    *httptest.Server
	caFile string
}

// serveLoopback starts an emulator with opts (its Token set to knownToken,
// so it issues and accepts that token only).
func serveLoopback(t *testing.T, opts emulator.Options) *servedEmulator {
	t.Helper()
	return serveLoopbackWrapped(t, opts, nil)
}

// serveLoopbackWrapped is serveLoopback with the emulator behind wrap, a
// handler that may act before or after it (a change in the portal while a
// request is on its way, say).
func serveLoopbackWrapped(t *testing.T, opts emulator.Options, wrap func(*emulator.Server) http.Handler) *servedEmulator {
	t.Helper()
	opts.Token = knownToken
	em := emulator.New(opts)
	tlsConf, caPEM, err := emulator.LoopbackTLS(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = em
	if wrap != nil {
		h = wrap(em)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = tlsConf
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return &servedEmulator{em: em, srv: srv, caFile: caFile}
}

// env is the binary's environment: the emulator's CA, a client secret
// credential signing in at the emulator's token endpoint, and nothing of
// the machine's own Azure settings.
func (s *servedEmulator) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AZURE_") || strings.HasPrefix(kv, "AZAPPLY_") || strings.HasPrefix(kv, "ARM_") ||
			strings.HasPrefix(kv, "SSL_CERT_") || strings.HasPrefix(kv, "ACTIONS_ID_TOKEN") || strings.HasPrefix(kv, "MSI_") ||
			strings.HasPrefix(kv, "IDENTITY_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "SSL_CERT_FILE="+s.caFile, "AZURE_TENANT_ID=tenant1", "AZURE_CLIENT_ID=client1",
		"AZURE_CLIENT_SECRET="+knownClientSecret, "AZAPPLY_LOG=debug")
	return append(env, extra...)
}

// provider is the provider block that discovers the emulator as a custom
// cloud.
func (s *servedEmulator) provider() string {
	return fmt.Sprintf("provider {\n  subscription_id   = %q\n  metadata_endpoint = %q\n}\n",
		stackSub, s.srv.URL+"/metadata/endpoints?api-version=2015-01-01")
}

// command prepares the binary in dir with args and the emulator's
// environment; stdout and stderr go to the returned buffers.
func (s *servedEmulator) command(dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = s.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// run runs the binary to its end.
func (s *servedEmulator) run(t *testing.T, dir string, args ...string) binResult {
	t.Helper()
	cmd, out, errb := s.command(dir, args...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running azapply %v: %v", args, err)
	}
	return binResult{stdout: out.String(), stderr: errb.String(), code: code}
}

const stackSub = "00000000-0000-0000-0000-0000000000aa"

// stackRG is the resource group every generated stack lives in.
const stackRG = "/subscriptions/" + stackSub + "/resourceGroups/stack"

// writeStack writes a configuration of n resources (n >= 4) to dir: a
// resource group and, under it, container registries, public IPs and
// storage accounts in turn, whose creations are long-running operations of
// three different patterns; extra blocks follow. It returns the declared
// IDs. Resource i is named acr<i>, pip<i> or sa<i> (%03d) as i%3 is 0, 1
// or 2.
func writeStack(t *testing.T, dir string, s *servedEmulator, n int, extra ...string) []string {
	t.Helper()
	kinds := []struct {
		typ, name, body string
	}{
		{"Microsoft.ContainerRegistry/registries", "acr", `{ location = "westus", sku = { name = "Basic" }, properties = { adminUserEnabled = true } }`},
		{"Microsoft.Network/publicIPAddresses", "pip", `{ location = "westus", sku = { name = "Standard" }, properties = { publicIPAllocationMethod = "Static" } }`},
		{"Microsoft.Storage/storageAccounts", "sa", `{ location = "westus", kind = "StorageV2", sku = { name = "Standard_LRS" } }`},
	}
	var b strings.Builder
	b.WriteString(s.provider())
	fmt.Fprintf(&b, "\nresource \"rg\" {\n  id          = %q\n  api_version = \"2021-04-01\"\n  body        = { location = \"westus\" }\n}\n", stackRG)
	ids := []string{stackRG}
	for i := 1; i < n; i++ {
		k := kinds[i%len(kinds)]
		name := fmt.Sprintf("%s%03d", k.name, i)
		id := stackRG + "/providers/" + k.typ + "/" + name
		ids = append(ids, id)
		fmt.Fprintf(&b, "\nresource %q {\n  id          = \"${resource.rg.id}/providers/%s/%s\"\n  api_version = \"2023-07-01\"\n  body        = %s\n}\n",
			name, k.typ, name, k.body)
	}
	for _, e := range extra {
		b.WriteString("\n" + e)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return ids
}

// parseState decodes the local state file of dir, failing the test if it
// does not parse.
func parseState(t *testing.T, dir string) *state.State {
	t.Helper()
	// Through the backend, so that a journal a killed run left is replayed
	// as the next run will.
	st, err := local.New(filepath.Join(dir, "azapply.state.json")).Read(context.Background())
	if err != nil {
		t.Fatalf("the state does not parse: %v", err)
	}
	return st
}

// createdTwice lists the resources the emulator answered PUT 201 (created)
// more than once since its observations were reset.
func createdTwice(em *emulator.Server) []string {
	n := map[string]int{}
	for _, e := range em.RequestLog() {
		if e.Method == "PUT" && e.Status == 201 {
			n[strings.ToLower(e.Path)]++
		}
	}
	var twice []string
	for p, c := range n {
		if c > 1 {
			twice = append(twice, fmt.Sprintf("%s (%d times)", p, c))
		}
	}
	return twice
}

// orphans lists the declared resources the emulator holds that the state
// does not know.
func orphans(em *emulator.Server, st *state.State, declared []string) []string {
	var out []string
	for _, id := range declared {
		if _, ok := em.Resource(id); ok && st.FindID(id) == nil {
			out = append(out, id)
		}
	}
	return out
}
