package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as the bench's launcher (launcher.go),
// which starts a copy of the running executable.
func TestMain(m *testing.M) {
	if isLauncher() {
		serveLaunches(os.Stdin, os.Stdout)
		return
	}
	os.Exit(m.Run())
}

// TestBounds pins the lower bounds docs/performance.md quotes for N = 1,000 under
// ARM's default throttling, 20 ms latency and creates of 3 polls a second
// apart.
func TestBounds(t *testing.T) {
	o, err := parseFlags([]string{"-sizes", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := shapeOf(1000)
	if err != nil {
		t.Fatal(err)
	}
	l := o.limits()
	near := func(d time.Duration, want float64) bool { return d.Seconds() > want-0.05 && d.Seconds() < want+0.05 }

	plan := l.bound(l.planNeed(s))
	if !near(plan.max(), 30.0) || plan.binding() != "read bucket" {
		t.Errorf("plan bound = %v (%s), want 30.0 s (read bucket)", plan.max(), plan.binding())
	}
	need := l.applyNeed(s)
	if need.Reads != 3960 || need.Writes != 1000 {
		t.Errorf("apply needs %d reads and %d writes, want 3,960 and 1,000", need.Reads, need.Writes)
	}
	apply := l.bound(need)
	if !near(apply.Read, 148.4) || !near(apply.Write, 80.0) || !near(apply.Chain, 158.1) || apply.binding() != "subnet chain" {
		t.Errorf("apply bound = read %v, write %v, chain %v (%s), want 148.4 s, 80.0 s, 158.1 s (subnet chain)",
			apply.Read, apply.Write, apply.Chain, apply.binding())
	}
}

// TestBenchRunsEndToEnd runs the bench as `go run ./bench` would, on a
// small stack without throttling, and checks that its report has every
// phase with its requests.
func TestBenchRunsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds azapply and runs it seven times")
	}
	report := filepath.Join(t.TempDir(), "report.md")
	o, err := parseFlags([]string{"-sizes", "20", "-throttle=false", "-latency", "0", "-polls", "2",
		"-retry-after", "10ms", "-drift", "0.1", "-o", report})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, o, &out); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 20 | apply (create all) |",
		"| 20 | plan (no change) |",
		"| 20 | plan (no change, --refresh collection) |",
		"| 20 | plan (10% drift) |",
		"| 20 | plan (10% drift, --refresh collection) |",
		"PUT 20",
		"Per-parent serialization",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the report has no %q:\n%s", want, data)
		}
	}
}

// TestBenchFleetRunsEndToEnd runs the fleet phase on a small fleet
// without throttling: every way of running it finds the two stacks that
// drifted, and the report has a row for each.
func TestBenchFleetRunsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds azapply and runs it nine times")
	}
	report := filepath.Join(t.TempDir(), "report.md")
	o, err := parseFlags([]string{"-fleet", "-fleet-stacks", "4", "-fleet-size", "12", "-throttle=false", "-latency", "0", "-o", report})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, o, &out); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4 stacks of 12 resources", "| one process (fleet drift) |", "| 4 processes side by side |",
		"| 4 processes one after another |", "| 0 | "} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the report has no %q:\n%s", want, data)
		}
	}
}
