package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/azapply/azapply/emulator"
)

// phaseResult is one azapply run and what the emulator saw of it.
type phaseResult struct {
	Name     string
	Run      measured
	Counters emulator.Counters
	// Lists are the collection GETs among the GETs (each page counts).
	Lists int
	Bound bound
}

// countLists counts the collection GETs in a request log: their paths, such
// as .../providers/{ns}/{type} or .../{childType}, have an odd number of
// segments where a resource ID has an even number.
func countLists(entries []emulator.LogEntry) int {
	n := 0
	for _, e := range entries {
		p := strings.Trim(e.Path, "/")
		if e.Method == "GET" && strings.HasPrefix(strings.ToLower(p), "subscriptions/") && strings.Count(p, "/")%2 == 0 {
			n++
		}
	}
	return n
}

// sizeResult is every phase of one stack size.
type sizeResult struct {
	Shape  shape
	Phases []phaseResult
	// SubnetWindow is how long the apply spent from the first subnet PUT
	// to the end of the last subnet's operation; SerialChain the least
	// those writes can take one after another.
	SubnetWindow, SerialChain time.Duration
	// ChainBound is the apply's critical path when the subnets must be
	// written one at a time: refresh, group, network, then every subnet.
	ChainBound time.Duration
	// Applied is false when the stack was seeded: Phases[0] is then a plan.
	Applied bool
}

func benchSize(ctx context.Context, o options, bin binary, root string, n int, log io.Writer) (sizeResult, error) {
	s, err := shapeOf(n)
	if err != nil {
		return sizeResult{}, err
	}
	lim := o.limits()
	res := sizeResult{Shape: s, SerialChain: lim.serialChain(s), ChainBound: lim.chainBound(s)}
	dir := filepath.Join(root, fmt.Sprintf("n%d", n))
	srv, err := serve(root, o.emulatorOptions())
	if err != nil {
		return res, err
	}
	defer srv.close()
	if err := writeStack(dir, s, srv.endpoint); err != nil {
		return res, err
	}
	flags := []string{}
	if o.parallelism > 0 {
		flags = append(flags, "--parallelism", fmt.Sprint(o.parallelism))
	}
	phase := func(name, logName string, want int, nd need, args ...string) error {
		fmt.Fprintf(log, "N = %d: %s...\n", n, name)
		m, err := runAzapply(ctx, bin, dir, srv.caFile, filepath.Join(dir, logName), o.profile, append(args, flags...)...)
		if err != nil {
			return err
		}
		if m.ExitCode != want {
			return fmt.Errorf("%s: azapply exited %d, want %d: see %s (run with -keep)", name, m.ExitCode, want, filepath.Join(dir, logName))
		}
		if o.keep {
			if err := writeRequestLog(filepath.Join(dir, logName+".requests.csv"), srv.server().RequestLog()); err != nil {
				return err
			}
		}
		requestLog := srv.server().RequestLog()
		res.Phases = append(res.Phases, phaseResult{Name: name, Run: m, Counters: srv.server().Counters(), Lists: countLists(requestLog), Bound: lim.bound(nd)})
		fmt.Fprintf(log, "  %.1fs wall, %.2fs CPU, %d MB\n", m.Wall.Seconds(), m.CPU.Seconds(), m.RSS>>20)
		return nil
	}

	if o.seed {
		fmt.Fprintf(log, "N = %d: seeding the world and the state (apply not timed)...\n", n)
		if err := seed(ctx, srv, dir); err != nil {
			return res, err
		}
	} else {
		if err := phase("apply (create all)", "apply.log", 0, lim.applyNeed(s), "apply", "--auto-approve"); err != nil {
			return res, err
		}
		res.Applied = true
		res.SubnetWindow = subnetWindow(srv.server().RequestLog())
	}

	if err := srv.nextPhase(); err != nil {
		return res, err
	}
	if err := phase("plan (no change)", "plan.log", 0, lim.planNeed(s), "plan", "--detailed-exitcode"); err != nil {
		return res, err
	}
	collectionNeed := lim.collectionPlanNeed(s, o.pageSize)
	if o.collection {
		if err := srv.nextPhase(); err != nil {
			return res, err
		}
		if err := phase("plan (no change, --refresh collection)", "plan-collection.log", 0, collectionNeed,
			"plan", "--detailed-exitcode", "--refresh", "collection"); err != nil {
			return res, err
		}
	}

	if err := srv.nextPhase(); err != nil {
		return res, err
	}
	for _, id := range s.driftTargets(o.drift) {
		patch := map[string]any{"tags": map[string]any{"env": "drifted"}}
		if strings.Contains(id, "/subnets/") {
			patch = map[string]any{"properties": map[string]any{"addressPrefix": "10.255.255.0/24"}}
		}
		if err := srv.server().ChangeOutOfBand(id, patch); err != nil {
			return res, fmt.Errorf("changing %s out of band: %w", id, err)
		}
	}
	if err := phase(fmt.Sprintf("plan (%g%% drift)", o.drift*100), "drift.log", 2, lim.planNeed(s), "plan", "--detailed-exitcode"); err != nil {
		return res, err
	}
	if o.collection {
		if err := srv.nextPhase(); err != nil {
			return res, err
		}
		if err := phase(fmt.Sprintf("plan (%g%% drift, --refresh collection)", o.drift*100), "drift-collection.log", 2, collectionNeed,
			"plan", "--detailed-exitcode", "--refresh", "collection"); err != nil {
			return res, err
		}
	}
	return res, nil
}

// subnetWindow is the time from the first subnet PUT to the end of the
// last GET of a created subnet (the read of its result after its
// operation).
func subnetWindow(entries []emulator.LogEntry) time.Duration {
	var first, last time.Time
	for _, e := range entries {
		if !strings.Contains(strings.ToLower(e.Path), "/subnets/") {
			continue
		}
		switch {
		case e.Method == "PUT" && (first.IsZero() || e.Time.Before(first)):
			first = e.Time
		case e.Method == "GET" && e.Status == 200:
			if end := e.Time.Add(e.Duration); end.After(last) {
				last = end
			}
		}
	}
	if first.IsZero() || last.Before(first) {
		return 0
	}
	return last.Sub(first)
}

// writeRequestLog writes what the emulator answered in a phase, one line a
// request: seconds since the phase's first request, method, status, path.
func writeRequestLog(file string, entries []emulator.LogEntry) error {
	var b strings.Builder
	b.WriteString("seconds,method,status,path\n")
	var t0 time.Time
	for _, e := range entries {
		if t0.IsZero() || e.Time.Before(t0) {
			t0 = e.Time
		}
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "%.3f,%s,%d,%s\n", e.Time.Sub(t0).Seconds(), e.Method, e.Status, e.Path)
	}
	return os.WriteFile(file, []byte(b.String()), 0o644)
}
