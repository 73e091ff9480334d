package apply

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// waits returns the waiting events a reporter wrote, one per line.
// waits are the messages of the waiting events a run reported.
func waits(rec *recorder) []string {
	var w []string
	for _, e := range rec.of(EventWaiting) {
		w = append(w, e.Message)
	}
	return w
}

func putConflicts(srv *emulator.Server, id string) int {
	n := 0
	for _, e := range srv.RequestLog() {
		if e.Method == "PUT" && strings.EqualFold(e.Path, id) && e.Status == 409 {
			n++
		}
	}
	return n
}

// TestReplaceWaitsForTheLingeringDelete replaces a registry at the same ID
// (its sku is in replace_on_changes) while the emulator shows deleted
// resources for a while, with each pattern of long-running DELETE: the
// create waits until GET answers 404, and never meets the 409.
func TestReplaceWaitsForTheLingeringDelete(t *testing.T) {
	for _, pattern := range []emulator.Pattern{emulator.Sync, emulator.Location, emulator.AsyncOperation} {
		t.Run(pattern.String(), func(t *testing.T) {
			srv := emulator.New(emulator.Options{
				Consistency: emulator.Consistency{LingeringDelete: 100 * time.Millisecond},
				Operations:  []emulator.OperationRule{{Method: "DELETE", Operation: emulator.Operation{Pattern: pattern, Polls: 1}}},
			})
			s := newStack(t, emulatorClient(t, srv))
			s.write(registryConfig("Basic", `replace_on_changes = ["sku.name"]`))
			if _, err := s.apply(context.Background(), Options{ConsistencyDelay: 10 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			s.write(registryConfig("Premium", `replace_on_changes = ["sku.name"]`))
			rec := &recorder{}
			if _, err := s.apply(context.Background(), Options{ConsistencyDelay: 10 * time.Millisecond, Reporter: rec}); err != nil {
				t.Fatalf("%v\n%s", err, rec)
			}
			if w := waits(rec); len(w) == 0 || !strings.Contains(w[0], "ARM still shows the deleted resource") {
				t.Errorf("no wait for the lingering delete:\n%s", rec)
			}
			if n := putConflicts(srv, emuACR); n != 0 {
				t.Errorf("the create raced the delete: %d PUTs answered 409", n)
			}
			res, ok := srv.Resource(emuACR)
			if !ok || res.Body["sku"].(map[string]any)["name"] != "Premium" {
				t.Fatalf("the registry is %v after the replace, want sku Premium", res.Body)
			}
			s.clean()
		})
	}
}

// steppingClock moves on by step each time it is read, so that a window
// of minutes passes in a few tries.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// TestConsistencyWindowsAreBounded: a resource that never shows after its
// create fails once its window has passed, and says how to lengthen it;
// a retry block's within does.
func TestConsistencyWindowsAreBounded(t *testing.T) {
	for _, tt := range []struct {
		extra, window string
		// step is how far the clock moves each time it is read: a few
		// tries fill the window, and the real waits stay milliseconds.
		step time.Duration
	}{
		{"", "2m0s", 10 * time.Second},
		{`retry { within = "1h" }`, "1h0m0s", 5 * time.Minute},
	} {
		srv := emulator.New(emulator.Options{Consistency: emulator.Consistency{ReadAfterCreate: 24 * time.Hour}})
		s := newStack(t, emulatorClient(t, srv))
		s.write(fmt.Sprintf("resource \"rg\" {\n  id          = %q\n  api_version = \"2021-04-01\"\n  body        = { location = \"westus\" }\n  %s\n}\n", emuRG, tt.extra))
		clock := &steppingClock{t: time.Now(), step: tt.step}
		rec := &recorder{}
		_, err := s.apply(context.Background(), Options{ConsistencyDelay: time.Millisecond, Now: clock.now, Reporter: rec})
		want := "its window is " + tt.window
		if err == nil || !strings.Contains(err.Error(), "ARM does not show the new resource yet") || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to say %q", err, want)
		}
		if len(waits(rec)) == 0 {
			t.Errorf("no wait was reported:\n%s", rec)
		}
	}
}

// TestRetryBlockCodes: a code ARM does not mark retryable fails at once,
// with one request; named in the resource's retry block, it is resent
// until it clears.
func TestRetryBlockCodes(t *testing.T) {
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) {
			var refusals atomic.Int32
			srv := emulator.New(emulator.Options{Rules: map[string]*emulator.TypeRule{
				"Microsoft.ContainerRegistry/registries": {Validate: func(*emulator.ComputeContext) *emulator.ErrorDetail {
					if refusals.Add(1) <= 2 {
						return &emulator.ErrorDetail{Code: "LinkedNetworkNotReady", Message: "The linked network is not ready yet."}
					}
					return nil
				}},
			}})
			s := newStack(t, emulatorClient(t, srv))
			extra := ""
			if named {
				extra = `retry { codes = ["LinkedNetworkNotReady"] }`
			}
			s.write(registryConfig("Basic", extra))
			_, err := s.apply(context.Background(), Options{ConsistencyDelay: time.Millisecond})
			if !named {
				if err == nil || !strings.Contains(err.Error(), "LinkedNetworkNotReady") || refusals.Load() != 1 {
					t.Fatalf("err = %v after %d PUTs, want one PUT and ARM's code", err, refusals.Load())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := srv.Resource(emuACR); !ok || refusals.Load() != 3 {
				t.Fatalf("the registry was not created after %d tries", refusals.Load())
			}
		})
	}
}
