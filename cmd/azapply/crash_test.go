package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state/azureblob"
	"github.com/azapply/azapply/state/azuritetest"
)

// crashEmulatorOptions are a realistic ARM: latency on every request and
// asynchronous creates of three patterns, polled a few times each.
func crashEmulatorOptions() emulator.Options {
	return emulator.Options{
		Operations: emulator.RealisticOperations(),
		RetryAfter: 20 * time.Millisecond,
		Faults:     emulator.Faults{Latency: 3 * time.Millisecond},
	}
}

// writesSoFar counts the writes the emulator has answered.
func writesSoFar(em *emulator.Server) int {
	n := 0
	for _, e := range em.RequestLog() {
		if e.Method == "PUT" || e.Method == "PATCH" || e.Method == "DELETE" || e.Method == "POST" {
			n++
		}
	}
	return n
}

// TestCrashConsistency runs apply on a stack and stops it at seeded
// moments (a number of writes the emulator has seen, plus a few
// milliseconds), with SIGKILL or SIGINT, then reruns apply to its end.
// Every time: the state left behind parses, the rerun converges to a clean
// plan, no declared resource in the emulator is unknown to the state, and
// none was created twice. After SIGINT (graceful) the state also records
// every resource whose creation finished before the process exited.
//
// Short: 50 resources, 3 SIGKILLs and 2 SIGINTs. AZAPPLY_LONG_TESTS=1:
// 20 of each.
func TestCrashConsistency(t *testing.T) {
	const resources = 50
	kills, interrupts := 3, 2
	if longTests() {
		kills, interrupts = 20, 20
	}
	seed := int64(20261122)
	if s := os.Getenv("AZAPPLY_CRASH_SEED"); s != "" {
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("AZAPPLY_CRASH_SEED=%q: %v", s, err)
		}
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d (rerun one with AZAPPLY_CRASH_SEED)", seed)
	for i := 0; i < kills+interrupts; i++ {
		sig, name := syscall.SIGKILL, "SIGKILL"
		if i >= kills {
			sig, name = syscall.SIGINT, "SIGINT"
		}
		// A moment between the first write and a little before the last
		// (about two writes per resource: the create and, for some, a
		// poll counted as a GET, so writes ≈ resources).
		afterWrites := 1 + rng.Intn(resources-1)
		extra := time.Duration(rng.Intn(15)) * time.Millisecond
		t.Run(name+"/"+strconv.Itoa(i), func(t *testing.T) {
			crashOnce(t, resources, sig, afterWrites, extra)
		})
	}
}

func crashOnce(t *testing.T, resources int, sig syscall.Signal, afterWrites int, extra time.Duration) {
	s := serveLoopback(t, crashEmulatorOptions())
	dir := t.TempDir()
	declared := writeStack(t, dir, s, resources)

	cmd, out, errb := s.command(dir, "apply", "--auto-approve", "--no-color")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var early error
	stopped := false
	for !stopped {
		select {
		case early = <-exited:
			stopped = true
		default:
			if writesSoFar(s.em) >= afterWrites {
				time.Sleep(extra)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				early = <-exited
				stopped = true
			}
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("stopped after %d writes (+%s) with %v: %v; the emulator holds %d resources", afterWrites, extra, sig, early, len(s.em.IDs()))
	if sig == syscall.SIGINT && early != nil && !strings.Contains(errb.String(), "Interrupt received") {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errb)
	}

	st := parseState(t, dir) // it must parse
	if sig == syscall.SIGINT {
		// Graceful: the journal was folded into the state file before the
		// process exited.
		if _, err := os.Stat(filepath.Join(dir, "azapply.state.json.journal")); !os.IsNotExist(err) {
			t.Errorf("after SIGINT the state journal is still there (%v): the interrupted apply did not compact it", err)
		}
		// Everything that finished is recorded, and nothing is left in
		// flight unrecorded.
		for _, id := range declared {
			res, ok := s.em.Resource(id)
			if !ok {
				continue
			}
			props, _ := res.Body["properties"].(map[string]any)
			if ps, _ := props["provisioningState"].(string); ps == "Succeeded" && st.FindID(id) == nil {
				t.Errorf("after SIGINT, %s finished in the emulator but the state does not record it", id)
			}
		}
	}

	r := s.run(t, dir, "apply", "--auto-approve", "--no-color")
	if r.code != exitOK {
		t.Fatalf("the rerun failed: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, tail(r.stderr, 3000))
	}
	r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
	if r.code != exitOK || !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("the plan after the rerun is not clean: exit %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 3000))
	}
	st = parseState(t, dir)
	if o := orphans(s.em, st, declared); len(o) > 0 {
		t.Errorf("orphans (in the emulator, declared, unknown to the state): %v", o)
	}
	if n := len(s.em.IDs()); n != len(declared) {
		t.Errorf("the emulator holds %d resources, want the %d declared", n, len(declared))
	}
	if len(st.InFlight()) > 0 {
		t.Errorf("the state still records %d operations in flight after the rerun", len(st.InFlight()))
	}
	if twice := createdTwice(s.em); len(twice) > 0 {
		t.Errorf("created twice: %v", twice)
	}
}

// tail is the end of s, for failure messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// killAfter starts the binary in dir with args and sends sig once the
// emulator has answered afterWrites more writes; it returns when the
// process has ended (on its own or by the signal).
func killAfter(t *testing.T, s *servedEmulator, dir string, sig syscall.Signal, afterWrites int, args ...string) {
	t.Helper()
	base := writesSoFar(s.em)
	cmd, _, _ := s.command(dir, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The exit status is not looked at: the signal makes it an error, and
	// the caller checks what the run left behind.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	for {
		select {
		case <-exited:
			return
		default:
		}
		if writesSoFar(s.em)-base >= afterWrites {
			_ = cmd.Process.Signal(sig)
			<-exited
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCrashDuringUpdateAndDestroy kills an apply that updates every
// resource (PATCH-free PUTs of a new tag) and a destroy, at seeded moments:
// the rerun of each converges (a clean plan; an empty state and no declared
// resource left in the emulator).
func TestCrashDuringUpdateAndDestroy(t *testing.T) {
	const resources = 20
	rng := rand.New(rand.NewSource(7))
	rounds := 2
	if longTests() {
		rounds = 10
	}
	for i := 0; i < rounds; i++ {
		sig := []syscall.Signal{syscall.SIGKILL, syscall.SIGINT}[i%2]
		t.Run(fmt.Sprintf("%v/%d", sig, i), func(t *testing.T) {
			s := serveLoopback(t, crashEmulatorOptions())
			dir := t.TempDir()
			declared := writeStack(t, dir, s, resources)
			if r := s.run(t, dir, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
				t.Fatalf("apply: %d\n%s", r.code, tail(r.stderr, 2000))
			}
			// Update: a tag on every resource.
			src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			tagged := strings.ReplaceAll(string(src), `{ location = "westus",`, `{ location = "westus", tags = { round = "`+strconv.Itoa(i)+`" },`)
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(tagged), 0o644); err != nil {
				t.Fatal(err)
			}
			killAfter(t, s, dir, sig, 1+rng.Intn(resources-2), "apply", "--auto-approve", "--no-color")
			parseState(t, dir)
			if r := s.run(t, dir, "apply", "--auto-approve", "--no-color"); r.code != exitOK {
				t.Fatalf("the rerun of the update: %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
			}
			if r := s.run(t, dir, "plan", "--detailed-exitcode", "--no-color"); r.code != exitOK {
				t.Fatalf("the plan after the update's rerun: %d\n%s", r.code, r.stdout)
			}
			for _, id := range declared[1:] {
				if res, _ := s.em.Resource(id); fmt.Sprint(res.Body["tags"]) != "map[round:"+strconv.Itoa(i)+"]" {
					t.Fatalf("%s has tags %v after the update", id, res.Body["tags"])
				}
			}

			killAfter(t, s, dir, sig, 1+rng.Intn(4), "destroy", "--auto-approve", "--no-color")
			parseState(t, dir)
			if r := s.run(t, dir, "destroy", "--auto-approve", "--no-color"); r.code != exitOK {
				t.Fatalf("the rerun of destroy: %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
			}
			if st := parseState(t, dir); len(st.Resources) != 0 {
				t.Errorf("the state still records %d resources after destroy", len(st.Resources))
			}
			for _, id := range declared {
				if _, ok := s.em.Resource(id); ok {
					t.Errorf("%s still exists after destroy", id)
				}
			}
		})
	}
}

// TestCrashWithBlobBackend: an apply killed with SIGKILL while it holds
// the blob lease leaves the lease behind. The rerun refuses, naming the
// lock and the force-unlock command; after force-unlock the rerun
// converges with nothing created twice and no orphan.
func TestCrashWithBlobBackend(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	container := azuritetest.NewContainer(t, conn)
	s := serveLoopback(t, crashEmulatorOptions())
	dir := t.TempDir()
	declared := writeStack(t, dir, s, 20)
	backend := fmt.Sprintf("azapply {\n  backend \"azureblob\" {\n    account_url = \"https://devstoreaccount1.blob.core.windows.net\"\n    container = %q\n    key = \"crash/app.json\"\n  }\n}\n", container)
	if err := os.WriteFile(filepath.Join(dir, "backend.hcl"), []byte(backend), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{azureblob.ConnectionStringEnv + "=" + conn}
	run := func(args ...string) binResult {
		t.Helper()
		cmd, out, errb := s.command(dir, args...)
		cmd.Env = append(cmd.Env, env...)
		_ = cmd.Run()
		return binResult{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
	}
	cmd, _, _ := s.command(dir, "apply", "--auto-approve", "--no-color")
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); writesSoFar(s.em) < 8 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	r := run("apply", "--auto-approve", "--no-color")
	m := regexp.MustCompile(`azapply force-unlock ([0-9a-f-]+)`).FindStringSubmatch(r.stderr)
	if r.code != exitError || m == nil {
		t.Fatalf("the rerun while the dead run's lease stands: exit %d, want 1 and the force-unlock command\n%s", r.code, tail(r.stderr, 2000))
	}
	if r := run("force-unlock", "--force", m[1]); r.code != exitOK {
		t.Fatalf("force-unlock: exit %d\n%s", r.code, tail(r.stderr, 2000))
	}
	if r := run("apply", "--auto-approve", "--no-color"); r.code != exitOK {
		t.Fatalf("the rerun: exit %d\n%s\n%s", r.code, r.stdout, tail(r.stderr, 2000))
	}
	if r := run("plan", "--detailed-exitcode", "--no-color"); r.code != exitOK {
		t.Fatalf("plan after the rerun: exit %d\n%s", r.code, r.stdout)
	}
	st := pulledState(t, s, dir, env)
	if o := orphans(s.em, st, declared); len(o) > 0 {
		t.Errorf("orphans: %v", o)
	}
	if twice := createdTwice(s.em); len(twice) > 0 {
		t.Errorf("created twice: %v", twice)
	}
}
