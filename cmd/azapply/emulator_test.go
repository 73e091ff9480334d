package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
)

// syncBuffer is an io.Writer the test reads while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestEmulatorServeOverTLS(t *testing.T) {
	dir := t.TempDir()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	streams := &IOStreams{Out: out, Err: errOut}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	caFile, stateFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "world.json")
	go func() {
		done <- runEmulator(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--ca-file", caFile, "--state", stateFile,
			"--retry-after", "5ms", "--throttle"}, streams)
	}()
	endpointRE := regexp.MustCompile(`serving ARM on (https://127\.0\.0\.1:\d+)`)
	var endpoint string
	for i := 0; i < 500 && endpoint == ""; i++ {
		if m := endpointRE.FindStringSubmatch(out.String()); m != nil {
			endpoint = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if endpoint == "" {
		cancel()
		t.Fatalf("the server never said where it listens: %s %s", out.String(), errOut.String())
	}
	for _, want := range []string{"export SSL_CERT_FILE=" + caFile, `provider { endpoint = "` + endpoint + `" }`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner does not say %q:\n%s", want, out.String())
		}
	}

	// azapply's own ARM client, trusting the CA, over TLS: the realistic
	// operations are asynchronous, so this also follows polling URLs on the
	// emulator's https host.
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	client, err := arm.NewClient(arm.ClientOptions{Endpoint: endpoint, Credential: arm.StaticCredential{Token: "t"}, Transport: hc})
	if err != nil {
		t.Fatal(err)
	}
	rg := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/acr1"
	if _, err := client.Put(ctx, rg, "2021-04-01", map[string]any{"location": "westus"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Put(ctx, acr, "2023-07-01", map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}}); err != nil {
		t.Fatal(err)
	}
	got, err := client.Get(ctx, acr, "2023-07-01")
	if err != nil {
		t.Fatal(err)
	}
	if props, _ := got.Body["properties"].(map[string]any); props["provisioningState"] != "Succeeded" || got.Header.Get("x-ms-ratelimit-remaining-subscription-reads") == "" {
		t.Fatalf("after the asynchronous PUT: %v %v", got.Body, got.Header)
	}

	// An out-of-band change through the running server.
	if code := runEmulator(ctx, []string{"change", "--endpoint", endpoint, "--ca-file", caFile, "--id", acr,
		"--merge", `{"tags":{"owner":"portal"}}`}, streams); code != exitOK {
		t.Fatalf("change: exit %d: %s", code, errOut.String())
	}
	got, err = client.Get(ctx, acr, "2023-07-01")
	if err != nil {
		t.Fatal(err)
	}
	if tags, _ := got.Body["tags"].(map[string]any); tags["owner"] != "portal" {
		t.Fatalf("the out-of-band change did not land: %v", got.Body)
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve: exit %d: %s", code, errOut.String())
	}
	saved := emulator.New(emulator.Options{})
	if err := saved.LoadFile(stateFile); err != nil {
		t.Fatal(err)
	}
	if _, ok := saved.Resource(acr); !ok {
		t.Fatal("the world was not saved to --state on shutdown")
	}
}

func TestEmulatorChangeWorldFile(t *testing.T) {
	dir := t.TempDir()
	world := filepath.Join(dir, ".azapply", "emulator.json")
	srv := emulator.New(emulator.Options{})
	rg := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1"
	if err := srv.UnmarshalWorld([]byte(`{"resources":[{"id":"` + rg + `","type":"Microsoft.Resources/resourceGroups","body":{"id":"` + rg + `","location":"westus"}}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := srv.SaveFile(world); err != nil {
		t.Fatal(err)
	}
	patchFile := filepath.Join(dir, "patch.json")
	if err := os.WriteFile(patchFile, []byte(`{"tags":{"a":"b"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    int
		errText string
	}{
		{"no id", []string{"--chdir", dir, "--delete"}, exitError, "--id is required"},
		{"two actions", []string{"--chdir", dir, "--id", rg, "--delete", "--merge", "{}"}, exitError, "exactly one of"},
		{"bad json", []string{"--chdir", dir, "--id", rg, "--merge", "{nope"}, exitError, "--merge is not a JSON object"},
		{"no world", []string{"--chdir", filepath.Join(dir, "none"), "--id", rg, "--delete"}, exitError, "no emulator world at"},
		{"http endpoint", []string{"--endpoint", "http://127.0.0.1:1", "--id", rg, "--delete"}, exitError, "https only"},
		{"missing resource", []string{"--chdir", dir, "--id", rg + "x", "--delete"}, exitError, "no such resource"},
		{"merge from a file", []string{"--chdir", dir, "--id", rg, "--merge-file", patchFile}, exitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runEmulator(context.Background(), append([]string{"change"}, tc.args...), &IOStreams{Out: &out, Err: &errOut})
			if code != tc.want || !strings.Contains(errOut.String(), tc.errText) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tc.want, tc.errText)
			}
		})
	}
	after := emulator.New(emulator.Options{})
	if err := after.LoadFile(world); err != nil {
		t.Fatal(err)
	}
	if res, _ := after.Resource(rg); res.Body["tags"] == nil {
		t.Fatalf("the change was not saved: %v", res.Body)
	}
}

func TestEmulatorServeRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args    []string
		errText string
	}{
		{[]string{"--addr", "0.0.0.0:8443"}, "not a loopback address"},
		{[]string{"--addr", "10.1.2.3:8443"}, "not a loopback address"},
		{[]string{"--addr", "nocolon"}, "write it as host:port"},
		{[]string{"--fail-rate", "2"}, "between 0 and 1"},
		{[]string{"--operations", "fast"}, "use realistic or sync"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		if code := runEmulator(context.Background(), append([]string{"serve"}, tc.args...), &IOStreams{Out: &out, Err: &errOut}); code != exitError ||
			!strings.Contains(errOut.String(), tc.errText) {
			t.Errorf("%v: exit %d, stderr %q; want an error saying %q", tc.args, code, errOut.String(), tc.errText)
		}
	}
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1", "localhost:1"} {
		if err := checkLoopback(addr, false); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := checkLoopback("0.0.0.0:1", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}

func TestEmulatorServeOptions(t *testing.T) {
	defaults := func(f *Factory) serveOptions {
		o := serveOptions{factory: f, addr: "127.0.0.1:8443", seed: 1, operations: "realistic", retryAfter: time.Second}
		o.ops.registrationDelay = 10 * time.Second
		return o
	}
	testOptions(t, NewCmdEmulatorServe, []optionsCase[serveOptions]{
		{name: "defaults", want: defaults},
		{name: "faults", args: []string{"--addr", "127.0.0.1:0", "--state", "w.json", "--latency", "20ms", "--throttle", "--fail-rate", "0.05", "--seed", "7", "--operations", "sync"},
			want: func(f *Factory) serveOptions {
				o := defaults(f)
				o.addr, o.state, o.latency, o.throttle, o.failRate, o.seed, o.operations = "127.0.0.1:0", "w.json", 20*time.Millisecond, true, 0.05, 7, "sync"
				return o
			}},
		{name: "a rate that is not a number", args: []string{"--fail-rate", "some"}, wantErr: "invalid argument"},
		{name: "misspelt flag", args: []string{"--throtle"}, wantErr: "Did you mean --throttle?"},
		{name: "an argument", args: []string{"world.json"}, wantErr: "emulator serve takes no arguments"},
	})
}

func TestEmulatorChangeOptions(t *testing.T) {
	testOptions(t, NewCmdEmulatorChange, []optionsCase[changeOptions]{
		{name: "merge", args: []string{"--id", rgID, "--merge", `{"tags":{}}`}, want: func(f *Factory) changeOptions {
			return changeOptions{factory: f, chdir: ".", token: "emulator-token", id: rgID, merge: `{"tags":{}}`}
		}},
		{name: "delete at a running emulator", args: []string{"--id", rgID, "--delete", "--endpoint", "https://127.0.0.1:8443", "--ca-file", "ca.pem"},
			want: func(f *Factory) changeOptions {
				return changeOptions{factory: f, chdir: ".", token: "emulator-token", id: rgID, delete: true, endpoint: "https://127.0.0.1:8443", caFile: "ca.pem"}
			}},
		{name: "misspelt flag", args: []string{"--merg", "{}"}, wantErr: "Did you mean --merge?"},
		{name: "an argument", args: []string{"--id", "/x", "--delete", "extra"}, wantErr: "emulator change takes no arguments"},
	})
}
