package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/plan"
)

func TestRunReportsEveryStack(t *testing.T) {
	drifted := &plan.Plan{RefreshOnly: true, Drift: []*plan.Drift{{Address: "resource.a"}, {Address: "resource.b"}}}
	clean := &plan.Plan{RefreshOnly: true}
	changes := &plan.Plan{Changes: []*plan.Change{{Action: plan.Create}, {Action: plan.Update}, {Action: plan.NoOp}}}
	plans := map[string]func() (*plan.Plan, error){
		"clean":   func() (*plan.Plan, error) { return clean, nil },
		"drifted": func() (*plan.Plan, error) { return drifted, nil },
		"changes": func() (*plan.Plan, error) { return changes, nil },
		"broken":  func() (*plan.Plan, error) { return nil, errors.New("main.hcl:3: bad") },
		"panics":  func() (*plan.Plan, error) { panic("boom") },
	}
	run := func(kind Kind, dirs ...string) *Report {
		t.Helper()
		var stacks []Stack
		for _, d := range dirs {
			stacks = append(stacks, Stack{Dir: d})
		}
		return Run(context.Background(), Options{Kind: kind, Stacks: stacks, Parallelism: 2,
			Plan: func(_ context.Context, dir string, _ *Shared) (*plan.Plan, error) { return plans[dir]() }})
	}
	tests := []struct {
		name             string
		kind             Kind
		dirs             []string
		want             []Status
		counts           []int
		exit, exitDetail int
	}{
		{"drift, all clean", Drift, []string{"clean", "clean"}, []Status{Clean, Clean}, []int{0, 0}, 0, 0},
		{"drift in one", Drift, []string{"clean", "drifted", "clean"}, []Status{Clean, Drifted, Clean}, []int{0, 2, 0}, 0, 2},
		{"a broken stack among good ones", Drift, []string{"clean", "broken", "drifted"}, []Status{Clean, Failed, Drifted}, []int{0, 0, 2}, 1, 1},
		{"a stack that panics", Drift, []string{"panics", "clean"}, []Status{Failed, Clean}, []int{0, 0}, 1, 1},
		{"plan with changes", Plan, []string{"changes", "clean"}, []Status{Changes, Clean}, []int{2, 0}, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(tc.kind, tc.dirs...)
			if len(r.Stacks) != len(tc.dirs) {
				t.Fatalf("%d results for %d stacks", len(r.Stacks), len(tc.dirs))
			}
			for i, st := range r.Stacks {
				if st.Dir != tc.dirs[i] || st.Status != tc.want[i] || st.Count != tc.counts[i] {
					t.Errorf("stack %d: %s %s %d, want %s %s %d", i, st.Dir, st.Status, st.Count, tc.dirs[i], tc.want[i], tc.counts[i])
				}
				if (st.Status == Failed) != (st.Err != nil) || (st.Status == Failed) != (st.Plan == nil) {
					t.Errorf("stack %d: status %s with error %v and plan %v", i, st.Status, st.Err, st.Plan != nil)
				}
			}
			if got := r.ExitCode(false); got != tc.exit {
				t.Errorf("exit code %d, want %d", got, tc.exit)
			}
			if got := r.ExitCode(true); got != tc.exitDetail {
				t.Errorf("detailed exit code %d, want %d", got, tc.exitDetail)
			}
		})
	}
}

const testSub = "00000000-0000-0000-0000-00000000f1ee"

// throttledWorld returns an emulator behind a read bucket of burst and
// rate, holding stacks resource groups of perStack public IPs each.
func throttledWorld(t *testing.T, stacks, perStack int, burst, rate float64) (*emulator.Server, [][]plan.Target) {
	t.Helper()
	build := emulator.New(emulator.Options{})
	c, err := arm.NewClient(arm.ClientOptions{Endpoint: "https://emulator.invalid", Credential: arm.StaticCredential{Token: "t"},
		Transport: &http.Client{Transport: build.Transport()}, Pacing: arm.PacingOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	targets := make([][]plan.Target, stacks)
	for s := range stacks {
		rg := fmt.Sprintf("/subscriptions/%s/resourceGroups/stack%02d", testSub, s)
		if _, err := c.Put(ctx, rg, "2021-04-01", map[string]any{"location": "westus"}); err != nil {
			t.Fatal(err)
		}
		targets[s] = append(targets[s], plan.Target{ID: rg, APIVersion: "2021-04-01"})
		for i := range perStack - 1 {
			id := fmt.Sprintf("%s/providers/Microsoft.Network/publicIPAddresses/ip%03d", rg, i)
			if _, err := c.Put(ctx, id, "2024-07-01", map[string]any{"location": "westus", "sku": map[string]any{"name": "Standard"}}); err != nil {
				t.Fatal(err)
			}
			targets[s] = append(targets[s], plan.Target{ID: id, APIVersion: "2024-07-01"})
		}
	}
	world, err := build.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}
	em := emulator.New(emulator.Options{Throttle: &emulator.Throttle{ReadBurst: burst, ReadRate: rate,
		WriteBurst: 100, WriteRate: 10, DeleteBurst: 100, DeleteRate: 10}})
	if err := em.UnmarshalWorld(world); err != nil {
		t.Fatal(err)
	}
	return em, targets
}

// TestSharedPacerKeepsTheFleetWithinTheBucket refreshes five stacks at once,
// each with its own ARM client as each stack of a fleet has, sharing the
// fleet's pacers. ARM's read bucket (here 10, refilled at 20 a second) is
// per subscription and principal: together they must keep within it. The
// emulator's request log is the judge: no 429, and after the burst no
// second holds more reads than the bucket allows (its refill, plus what it
// may have kept).
func TestSharedPacerKeepsTheFleetWithinTheBucket(t *testing.T) {
	const stacks, perStack, burst, rate = 5, 24, 10, 20
	em, targets := throttledWorld(t, stacks, perStack, burst, rate)
	sh := NewShared(8)
	var wg sync.WaitGroup
	for s := range stacks {
		c, err := arm.NewClient(sh.ClientOptions(arm.ClientOptions{Endpoint: "https://emulator.invalid",
			Credential: arm.StaticCredential{Token: "t"}, Transport: &http.Client{Transport: em.Transport()}, Principal: "tenant/app"}))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies, err := plan.Refresh(context.Background(), sh.Reader(c), targets[s], 10)
			if err != nil {
				t.Error(err)
				return
			}
			for i, b := range bodies {
				if b == nil {
					t.Errorf("stack %d: %s read as absent", s, targets[s][i].ID)
				}
			}
		}()
	}
	wg.Wait()
	if n := sh.Pacers.Pacers(); n != 1 {
		t.Errorf("the stacks used %d pacers, want 1", n)
	}
	log := em.RequestLog()
	var times []time.Time
	for _, e := range log {
		if e.Status == http.StatusTooManyRequests {
			t.Errorf("%s %s was answered 429", e.Method, e.Path)
		}
		if e.Method == http.MethodGet {
			times = append(times, e.Time)
		}
	}
	if len(times) < stacks*perStack {
		t.Fatalf("the emulator saw %d reads, want at least %d", len(times), stacks*perStack)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	// After the burst, any second holds at most the refill and what the
	// bucket kept (at most its burst).
	after := times[burst:]
	most := 0
	for i, start := range after {
		n := 0
		for _, t := range after[i:] {
			if t.Sub(start) >= time.Second {
				break
			}
			n++
		}
		most = max(most, n)
	}
	t.Logf("%d reads; at most %d in one second after the burst (refill %d a second)", len(times), most, rate)
	if most > rate+burst {
		t.Errorf("%d reads in one second after the burst, want at most %d", most, rate+burst)
	}
}
