package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// received is how many requests the emulator has received so far,
// answered or not.
func received(em *emulator.Server) int {
	c := em.Counters()
	return c.Total + c.InFlight
}

// TestInterruptedPlanSendsNothingMore interrupts a plan (and a drift) that reads 60
// resources through a slow read bucket: it sends no further request,
// prints no plan and exits 1. (It used to send every remaining GET and
// exit 0 with a full plan.)
func TestInterruptedPlanSendsNothingMore(t *testing.T) {
	const resources = 60
	fast := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	writeStack(t, dir, fast, resources)
	fast.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, 0)
	world, err := fast.em.MarshalWorld()
	if err != nil {
		t.Fatal(err)
	}

	// The same world behind a read bucket that refills at 5 a second.
	slow := serveLoopback(t, emulator.Options{Throttle: &emulator.Throttle{ReadBurst: 5, ReadRate: 5, WriteBurst: 100, WriteRate: 100, DeleteBurst: 100, DeleteRate: 100}})
	if err := slow.em.UnmarshalWorld(world); err != nil {
		t.Fatal(err)
	}
	writeStack(t, dir, slow, resources)

	for _, tc := range []struct {
		command string
		sig     syscall.Signal
	}{{"plan", syscall.SIGINT}, {"plan", syscall.SIGTERM}, {"drift", syscall.SIGINT}} {
		t.Run(tc.command+" "+tc.sig.String(), func(t *testing.T) {
			sig := tc.sig
			base := received(slow.em)
			cmd, out, errb := slow.command(dir, tc.command, "--no-color")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			for received(slow.em)-base < 10 {
				time.Sleep(time.Millisecond)
			}
			_ = cmd.Process.Signal(sig)
			atSignal := received(slow.em)
			err := <-exited
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			more := received(slow.em) - atSignal
			if code != 1 {
				t.Errorf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, tail(errb.String(), 2000))
			}
			if strings.Contains(out.String(), "Plan:") || strings.Contains(out.String(), "No changes") || strings.Contains(out.String(), "drift") {
				t.Errorf("an interrupted plan printed a plan:\n%s", out)
			}
			if !strings.Contains(errb.String(), "interrupted") {
				t.Errorf("stderr does not say the plan was interrupted:\n%s", tail(errb.String(), 2000))
			}
			// Requests already on their way when the signal came may
			// arrive (at most the refresh's parallelism); nothing after.
			if more > 10 {
				t.Errorf("%d requests arrived after the signal, of %d resources", more, resources)
			}
		})
	}
}

// TestEmulatorServeStopsOnFirstSignal: one SIGTERM stops `azapply
// emulator serve` cleanly (it used to need two).
func TestEmulatorServeStopsOnFirstSignal(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binPath, "emulator", "serve", "--addr", "127.0.0.1:0", "--ca-file", filepath.Join(dir, "ca.pem"),
		"--state", filepath.Join(dir, "world.json"))
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	serving := false
	for lines.Scan() {
		if strings.Contains(lines.Text(), "serving ARM on") {
			serving = true
			break
		}
	}
	if !serving {
		t.Fatal("the emulator never said it was serving")
	}
	go func() {
		for lines.Scan() {
		}
	}()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the emulator stopped with %v, want a clean exit", err)
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("the emulator was still running a minute after one SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dir, "world.json")); err != nil {
		t.Errorf("the world was not saved on the way out: %v", err)
	}
}

// TestInterruptEndsThrottledWait interrupts an apply whose writes wait out
// a 429 whose Retry-After is over a minute and a half: the first SIGINT
// ends the wait at once, nothing more is written, and apply exits 1
// saying it was interrupted.
func TestInterruptEndsThrottledWait(t *testing.T) {
	s := serveLoopback(t, emulator.Options{IntegerRetryAfter: true,
		Throttle: &emulator.Throttle{ReadBurst: 1000, ReadRate: 1000, WriteBurst: 2, WriteRate: 0.01, DeleteBurst: 10, DeleteRate: 10}})
	dir := t.TempDir()
	writeStack(t, dir, s, 8)
	cmd, out, errb := s.command(dir, "apply", "--auto-approve", "--no-color")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for s.em.Counters().ByStatus[429] == 0 {
		select {
		case err := <-exited:
			t.Fatalf("apply ended (%v) before it was throttled:\n%s", err, out)
		case <-time.After(time.Millisecond):
		}
	}
	writes := func() int { return s.em.Counters().ByMethod["PUT"] }
	_ = cmd.Process.Signal(syscall.SIGINT)
	atSignal := writes()
	select {
	case err := <-exited:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Errorf("apply ended with %v, want exit code 1", err)
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("apply still waited a minute after the interrupt (the 429 asked for over 90s):\n%s", tail(errb.String(), 2000))
	}
	if more := writes() - atSignal; more > 0 {
		t.Errorf("%d PUTs were sent after the interrupt", more)
	}
	if !strings.Contains(errb.String(), "interrupted while waiting to resend it") {
		t.Errorf("stderr does not say apply was interrupted:\n%s", tail(errb.String(), 3000))
	}
}
