package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

func markdown(o options, results []sizeResult) string {
	var b strings.Builder
	thr := "no throttling"
	if o.throttle {
		thr = "ARM's default throttling (reads 250 + 25/s, writes 200 + 10/s)"
		if o.readRate > 0 {
			thr = fmt.Sprintf("ARM's token buckets with a slow read refill (reads 250 + %g/s, writes 200 + 10/s)", o.readRate)
		}
	}
	par := "its default parallelism"
	if o.parallelism > 0 {
		par = fmt.Sprintf("--parallelism %d", o.parallelism)
	}
	fmt.Fprintf(&b, "Emulator over TLS on loopback: %s, %v latency, creates of %d polls with Retry-After %v; azapply %s.\n\n",
		thr, o.latency, o.polls, o.retryAfter, par)
	b.WriteString("| N | phase | wall | lower bound (set by) | ratio | requests | 429s | peak concurrency | peak RSS | CPU | CPU per resource |\n")
	b.WriteString("|--:|---|--:|---|--:|---|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		for _, p := range r.Phases {
			lb := p.Bound.max()
			ratio := "–"
			if lb > 0 {
				ratio = fmt.Sprintf("%.2f", p.Run.Wall.Seconds()/lb.Seconds())
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s (%s) | %s | %s | %d | %d | %d MB | %s | %.2f ms |\n",
				r.Shape.N, p.Name, secs(p.Run.Wall), secs(lb), p.Bound.binding(), ratio, requests(p),
				p.Counters.ByStatus[429], p.Counters.Peak, p.Run.RSS>>20, secs(p.Run.CPU),
				float64(p.Run.CPU.Microseconds())/1000/float64(r.Shape.N))
		}
	}
	var applied []sizeResult
	for _, r := range results {
		if r.Applied {
			applied = append(applied, r)
		}
	}
	if len(applied) == 0 {
		b.WriteString("\nApply was not timed (-seed): the world and the state were created directly.\n")
		return b.String()
	}
	b.WriteString("\nBounds of each apply: ")
	for i, r := range applied {
		if i > 0 {
			b.WriteString("; ")
		}
		p := r.Phases[0].Bound
		fmt.Fprintf(&b, "N = %d: read bucket %s, write bucket %s, critical path %s, subnet chain %s", r.Shape.N, secs(p.Read), secs(p.Write), secs(p.Critical), secs(p.Chain))
	}
	b.WriteString(".\n\nPer-parent serialization (the subnets of one virtual network are written one at a time):\n\n")
	b.WriteString("| N | subnets | serial chain (least) | subnet window in apply | share of apply wall | apply bound with the chain | ratio |\n|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range applied {
		wall := r.Phases[0].Run.Wall
		withChain := max(r.Phases[0].Bound.max(), r.ChainBound)
		ratio := "–"
		if withChain > 0 {
			ratio = fmt.Sprintf("%.2f", wall.Seconds()/withChain.Seconds())
		}
		fmt.Fprintf(&b, "| %d | %d | %s | %s | %.0f%% | %s | %s |\n", r.Shape.N, r.Shape.Subnets, secs(r.SerialChain), secs(r.SubnetWindow),
			100*r.SubnetWindow.Seconds()/wall.Seconds(), secs(withChain), ratio)
	}
	return b.String()
}

func secs(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func byMethod(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// requests are a phase's requests by method, with the collection GETs
// among the GETs.
func requests(p phaseResult) string {
	s := byMethod(p.Counters.ByMethod)
	if p.Lists > 0 {
		s = strings.Replace(s, fmt.Sprintf("GET %d", p.Counters.ByMethod["GET"]), fmt.Sprintf("GET %d (%d lists)", p.Counters.ByMethod["GET"], p.Lists), 1)
	}
	return s
}
