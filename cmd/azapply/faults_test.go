package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// twoActions are POST actions run once, when their registries are created.
const twoActions = `action "regen3" {
  id          = "${resource.acr003.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password" }
  when        = "create"
}

action "regen6" {
  id          = "${resource.acr006.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password2" }
  when        = "create"
}
`

// postsPerTarget counts the POSTs the emulator received, by path.
func postsPerTarget(em *emulator.Server) map[string]int {
	n := map[string]int{}
	for _, e := range em.RequestLog() {
		if e.Method == "POST" && strings.HasPrefix(e.Path, "/subscriptions/") { // not the token endpoint
			n[strings.ToLower(e.Path)]++
		}
	}
	return n
}

// TestFaults applies and plans a 100-resource stack (30 in the short
// version) with two POST actions, against an emulator that answers a
// fraction of requests 500/503 and drops a fraction of connections after
// the request took effect, and then against a throttling storm (token
// buckets of a few requests). Both must finish with the world as declared,
// a clean plan, retries visible in the debug log, and each action sent
// exactly once.
func TestFaults(t *testing.T) {
	resources := 30
	if longTests() {
		resources = 100
	}
	tests := []struct {
		name string
		opts emulator.Options
		// seen is what the debug log must show of the retries.
		seen []string
		// neighbour: another client reads the same subscription meanwhile.
		neighbour bool
	}{
		{"5% errors and drops", emulator.Options{
			Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
			// Faults on everything but POST: a POST that failed after
			// reaching ARM is never resent (see TestFaultedActionIsNotResent).
			Faults: emulator.Faults{Seed: 7, ErrorRate: 0.04, DropRate: 0.01, Latency: time.Millisecond,
				Methods: []string{"GET", "PUT", "DELETE", "PATCH"}},
		}, []string{"status=50"}, false},
		{"throttling storm", emulator.Options{
			Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
			Throttle: &emulator.Throttle{ReadBurst: 3, ReadRate: 60, WriteBurst: 2, WriteRate: 30, DeleteBurst: 2, DeleteRate: 30},
		}, []string{"status=429"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := serveLoopback(t, tc.opts)
			dir := t.TempDir()
			declared := writeStack(t, dir, s, resources, twoActions)

			if tc.neighbour {
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() { defer close(done); drainEvery(s.em, 200*time.Millisecond, stop) }()
				t.Cleanup(func() { close(stop); <-done })
			}
			r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
			if r.code != exitOK {
				t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, tail(r.stdout, 3000), tail(r.stderr, 3000))
			}
			logs := r.stderr
			c := s.em.Counters()
			t.Logf("apply: %d requests, by status %v, %d dropped", c.Total, c.ByStatus, c.Dropped)
			for target, n := range postsPerTarget(s.em) {
				if n != 1 {
					t.Errorf("the action %s was sent %d times in one apply", target, n)
				}
			}
			if got := len(postsPerTarget(s.em)); got != 2 {
				t.Errorf("%d actions were sent, want 2", got)
			}
			st := parseState(t, dir)
			if o := orphans(s.em, st, declared); len(o) > 0 {
				t.Errorf("orphans: %v", o)
			}
			if n := len(s.em.IDs()); n != len(declared) {
				t.Errorf("the emulator holds %d resources, want %d", n, len(declared))
			}
			if twice := createdTwice(s.em); len(twice) > 0 {
				t.Errorf("created twice: %v", twice)
			}

			s.em.ResetObservations()
			r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
			if r.code != exitOK || !strings.Contains(r.stdout, "No changes.") {
				t.Fatalf("plan under faults: exit %d\n%s\n%s", r.code, tail(r.stdout, 3000), tail(r.stderr, 3000))
			}
			if n := len(postsPerTarget(s.em)); n != 0 {
				t.Errorf("plan sent %d actions", n)
			}
			logs += r.stderr
			for _, w := range tc.seen {
				if !strings.Contains(logs, w) {
					t.Errorf("the debug logs of apply and plan show no %q: the retries are not visible", w)
				}
			}
		})
	}
}

// TestFaultedActionIsNotResent: when the action's POST is answered 500, or
// its connection dropped after it reached the server, apply stops with an
// error saying so and never sends it a second time.
func TestFaultedActionIsNotResent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults emulator.Faults
	}{
		{"500", emulator.Faults{Seed: 1, ErrorRate: 1, Methods: []string{"POST"}, Types: []string{"Microsoft.ContainerRegistry/registries"}}},
		{"dropped", emulator.Faults{Seed: 1, DropRate: 1, Methods: []string{"POST"}, Types: []string{"Microsoft.ContainerRegistry/registries"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serveLoopback(t, emulator.Options{Faults: tc.faults})
			dir := t.TempDir()
			writeStack(t, dir, s, 7, twoActions)
			r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
			if r.code != exitError || !strings.Contains(r.stderr, "action.regen") {
				t.Fatalf("exit %d, want 1 and an error naming the action\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, tail(r.stderr, 2000))
			}
			posts := postsPerTarget(s.em)
			if len(posts) == 0 {
				t.Fatalf("no action was sent:\n%s", tail(r.stderr, 3000))
			}
			for target, n := range posts {
				if n != 1 {
					t.Errorf("the action %s was sent %d times", target, n)
				}
			}
			// The resources that were created are recorded.
			st := parseState(t, dir)
			for _, id := range s.em.IDs() {
				if st.FindID(id) == nil {
					t.Errorf("%s exists but the state does not record it", id)
				}
			}
		})
	}
}

// drainEvery empties the subscription's read bucket every interval until
// stop closes, as a burst from another pipeline sharing the subscription
// would: it reads the stack's resource group until ARM answers 429. azapply
// paces itself from the rate-limit headers of its own answers, so it is
// taken by surprise and draws 429s, which is what a throttling test needs
// to see handled.
func drainEvery(em *emulator.Server, interval time.Duration, stop <-chan struct{}) {
	c := &http.Client{Transport: em.Transport()}
	for {
		select {
		case <-stop:
			return
		case <-time.After(interval):
		}
		for range 100 {
			req, err := http.NewRequest(http.MethodGet, "https://emulator.invalid"+stackRG+"?api-version=2021-04-01", nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+knownToken)
			resp, err := c.Do(req)
			if err != nil {
				break
			}
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
	}
}
