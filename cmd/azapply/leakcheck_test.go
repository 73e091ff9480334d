package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// leakRun runs the binary against a served emulator (with AZAPPLY_LOG=debug)
// and keeps every byte each run printed, so that a test can search them
// and the stack's files for secrets afterwards.
type leakRun struct {
	t   *testing.T
	s   *servedEmulator
	dir string
	env []string
	// printed holds, per run, its command line, stdout and stderr.
	printed []printedRun
}

type printedRun struct{ args, stdout, stderr string }

// run runs azapply args in the stack and fails the test unless it exits
// with want.
func (l *leakRun) run(want int, args ...string) binResult {
	l.t.Helper()
	cmd, out, errb := l.s.command(l.dir, args...)
	cmd.Env = append(cmd.Env, l.env...)
	err := cmd.Run()
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	} else if err != nil {
		l.t.Fatal(err)
	}
	r := binResult{stdout: out.String(), stderr: errb.String(), code: code}
	l.printed = append(l.printed, printedRun{args: "azapply " + strings.Join(args, " "), stdout: r.stdout, stderr: r.stderr})
	if code != want {
		l.t.Fatalf("azapply %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, r.stdout, tail(r.stderr, 3000))
	}
	return r
}

// search looks for every needle (what → clear text) in every byte printed
// so far and in every file under the stack's directory and under extra
// directories (a state kept elsewhere), and reports each hit as an error.
// It returns how many files it read.
func (l *leakRun) search(needles map[string]string, extra ...string) int {
	l.t.Helper()
	for what, needle := range needles {
		if len(needle) < 8 {
			l.t.Fatalf("the %s %q is too short to search for", what, needle)
		}
	}
	for _, p := range l.printed {
		for what, needle := range needles {
			if strings.Contains(p.stdout, needle) {
				l.t.Errorf("%s printed the %s on stdout", p.args, what)
			}
			if strings.Contains(p.stderr, needle) {
				l.t.Errorf("%s printed the %s on stderr (the debug log goes there)", p.args, what)
			}
		}
	}
	files := 0
	for _, root := range append([]string{l.dir}, extra...) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for what, needle := range needles {
				if bytes.Contains(data, []byte(needle)) {
					l.t.Errorf("%s holds the %s", path, what)
				}
			}
			return nil
		})
		if err != nil {
			l.t.Fatal(err)
		}
	}
	return files
}

// callEmulator sends method with body to path (a resource's or an
// action's URL) on the served emulator, as a client outside azapply would,
// and decodes the answer into out.
func callEmulator(t *testing.T, s *servedEmulator, method, path, apiVersion string, body, out any) {
	t.Helper()
	pem, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.srv.URL+path+"?api-version="+apiVersion, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+knownToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
