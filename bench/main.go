// Command bench measures azapply against the emulator served on loopback
// with ARM's token buckets and latency: for stacks of N resources it times
// a full-create apply, a no-change plan and a plan after 1% drift (each
// plan also with --refresh collection), counts
// the requests, and compares each wall time with its lower bound from the
// token buckets and the dependency graph.
//
// It builds the azapply binary and runs it as a subprocess, so that the CPU
// time and peak RSS reported are the tool's own, not the emulator's.
//
//	go run ./bench                      # N = 100, throttled, 20 ms latency
//	go run ./bench -sizes 100,1000      # about 8 minutes
//	go run ./bench -sizes 10000 -throttle=false -latency 0 -seed
//	go run ./bench -fleet                # 20 stacks of 60: one process vs 20
//
// `go test ./bench` runs it once on a small stack without throttling
// (bench_test.go); the measurements themselves are not tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/azapply/azapply/emulator"
)

type options struct {
	sizes    []int
	throttle bool
	// readRate, when set, is the read bucket's refill per second.
	readRate    float64
	latency     time.Duration
	polls       int
	retryAfter  time.Duration
	drift       float64
	parallelism int
	out         string
	keep        bool
	profile     string
	seed        bool
	collection  bool
	pageSize    int
	// fleet runs the fleet phase (fleet.go) instead of the stack sizes.
	fleet                  bool
	fleetStacks, fleetSize int
}

func main() {
	if isLauncher() {
		serveLaunches(os.Stdin, os.Stdout)
		return
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "100", "comma-separated stack sizes, e.g. 100,1000 (about 8 minutes throttled; 10000 about 45 minutes, of which apply 27: -seed skips apply)")
	fs.BoolVar(&o.throttle, "throttle", true, "ARM's default token buckets (reads 250 + 25/s, writes 200 + 10/s)")
	fs.Float64Var(&o.readRate, "read-rate", 0, "with -throttle, the read bucket's refill per second instead of ARM's 25 (e.g. 5: a shared subscription; the client learns it)")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency the emulator adds to every request")
	fs.IntVar(&o.polls, "polls", 3, "polls of every long-running create (0: creates are synchronous)")
	fs.DurationVar(&o.retryAfter, "retry-after", time.Second, "the Retry-After of a running operation")
	fs.Float64Var(&o.drift, "drift", 0.01, "the fraction of resources changed out of band before the last plan")
	fs.IntVar(&o.parallelism, "parallelism", 0, "azapply's --parallelism (0: its default, 32 for apply and destroy, 10 for plan)")
	fs.StringVar(&o.out, "o", "", "also write the markdown report to this file")
	fs.BoolVar(&o.seed, "seed", false, "create the world and the state directly instead of timing apply (under throttling, apply of 10,000 takes about 27 minutes)")
	fs.BoolVar(&o.collection, "collection", true, "also time each plan with --refresh collection")
	fs.IntVar(&o.pageSize, "page-size", 100, "items per page of the emulator's collection GETs")
	fs.StringVar(&o.profile, "profile", "", "write a CPU profile, a heap profile and a heap profile of the peak (NAME.peak) of each azapply run into this directory (for go tool pprof)")
	fs.BoolVar(&o.fleet, "fleet", false, "instead of the stack sizes: -fleet-stacks stacks of -fleet-size resources in one subscription, checked for drift by one azapply fleet drift, by a process each side by side, and one after another (about 3 minutes throttled)")
	fs.IntVar(&o.fleetStacks, "fleet-stacks", 20, "with -fleet, how many stacks")
	fs.IntVar(&o.fleetSize, "fleet-size", 60, "with -fleet, the resources of each stack")
	fs.BoolVar(&o.keep, "keep", false, "keep the stacks, states, logs and each phase's request log (their directory is printed)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("-sizes %q: give positive whole numbers separated by commas, e.g. 100,1000", *sizes)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.drift <= 0 || o.drift > 1 {
		return o, fmt.Errorf("-drift %v: give a fraction above 0 and at most 1", o.drift)
	}
	if o.pageSize < 1 {
		return o, fmt.Errorf("-page-size %d: give a number of at least 1", o.pageSize)
	}
	if o.readRate < 0 || (o.readRate > 0 && !o.throttle) {
		return o, errors.New("-read-rate needs -throttle and cannot be negative")
	}
	if o.fleet && (o.fleetStacks < 3 || o.fleetSize < 4) {
		return o, errors.New("-fleet needs -fleet-stacks of at least 3 and -fleet-size of at least 4")
	}
	if o.polls < 0 || o.latency < 0 || o.retryAfter < 0 {
		return o, errors.New("-polls, -latency and -retry-after cannot be negative")
	}
	return o, nil
}

func (o options) limits() limits {
	l := limits{latency: o.latency, polls: o.polls, retryAfter: o.retryAfter}
	if o.throttle {
		l.throttle = o.bucket()
	}
	return l
}

// bucket is ARM's default token buckets, with the read refill of -read-rate.
func (o options) bucket() *emulator.Throttle {
	t := emulator.DefaultThrottle()
	if o.readRate > 0 {
		t.ReadRate = o.readRate
	}
	return t
}

// emulatorOptions: ARM's behaviour as the issue sets it. Resource groups are
// created synchronously, as ARM does; every other PUT is an
// Azure-AsyncOperation that answers "in progress" polls-1 times.
func (o options) emulatorOptions() emulator.Options {
	opts := emulator.Options{RetryAfter: o.retryAfter, IntegerRetryAfter: o.retryAfter%time.Second == 0,
		Faults: emulator.Faults{Latency: o.latency}, PageSize: o.pageSize}
	if o.throttle {
		opts.Throttle = o.bucket()
	}
	if o.polls > 0 {
		opts.Operations = []emulator.OperationRule{
			{Type: "Microsoft.Resources/resourceGroups", Method: "PUT", Operation: emulator.Operation{Pattern: emulator.Sync}},
			{Method: "PUT", Operation: emulator.Operation{Pattern: emulator.AsyncOperation, Polls: o.polls - 1}},
		}
	}
	return opts
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	// First, while the bench is small (see launcher.go).
	l, err := startLauncher(ctx)
	if err != nil {
		return err
	}
	if l != nil {
		defer l.close()
	}
	dir, err := os.MkdirTemp("", "azapply-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stdout, "Keeping the stacks, states and logs in", dir)
	} else {
		defer func() { _ = os.RemoveAll(dir) }()
	}
	fmt.Fprintln(stdout, "Building azapply...")
	path, err := buildBinary(ctx, dir)
	if err != nil {
		return err
	}
	bin := binary{path: path, launcher: l}
	if o.fleet {
		r, err := benchFleet(ctx, o, bin, dir, stdout)
		if err != nil {
			return fmt.Errorf("the fleet: %w", err)
		}
		report := fleetMarkdown(o, r)
		fmt.Fprint(stdout, "\n", report)
		if o.out != "" {
			return os.WriteFile(o.out, []byte(report), 0o644)
		}
		return nil
	}
	var results []sizeResult
	for _, n := range o.sizes {
		r, err := benchSize(ctx, o, bin, dir, n, stdout)
		if err != nil {
			return fmt.Errorf("the stack of %d resources: %w", n, err)
		}
		results = append(results, r)
	}
	report := markdown(o, results)
	fmt.Fprint(stdout, "\n", report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644)
	}
	return nil
}
