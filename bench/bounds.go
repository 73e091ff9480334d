package main

import (
	"math"
	"time"

	"github.com/azapply/azapply/emulator"
)

// limits are the emulator's settings that make up the lower bounds.
type limits struct {
	throttle   *emulator.Throttle // nil: no buckets
	latency    time.Duration
	polls      int           // polls of every long-running operation
	retryAfter time.Duration // the wait before each poll
}

// need is the least a phase must send: reads and writes against the
// subscription's buckets, and its longest chain of dependent round trips.
type need struct {
	Reads, Writes int
	Critical      time.Duration
	// Chain is the least time of the writes ARM runs one after another
	// (the subnets of one network), from the start of the apply.
	Chain time.Duration
}

// bound is a phase's lower bound and what sets it.
type bound struct {
	Read, Write, Critical, Chain time.Duration
}

func (b bound) max() time.Duration { return max(b.Read, b.Write, b.Critical, b.Chain) }

// binding names the term that sets the bound.
func (b bound) binding() string {
	switch b.max() {
	case 0:
		return "none"
	case b.Read:
		return "read bucket"
	case b.Write:
		return "write bucket"
	case b.Chain:
		return "subnet chain"
	}
	return "critical path"
}

func (l limits) bound(n need) bound {
	b := bound{Critical: n.Critical, Chain: n.Chain}
	if t := l.throttle; t != nil {
		b.Read = bucketTime(n.Reads, t.ReadBurst, t.ReadRate)
		b.Write = bucketTime(n.Writes, t.WriteBurst, t.WriteRate)
	}
	return b
}

// bucketTime is how long k requests take through a full bucket: the burst
// is free, the rest come at the refill rate.
func bucketTime(k int, burst, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(math.Max(0, float64(k)-burst) / rate * float64(time.Second))
}

// lro is the least one long-running create takes: the PUT, a wait and a
// poll per poll, and the GET of the result.
func (l limits) lro() time.Duration {
	return time.Duration(l.polls)*(l.retryAfter+l.latency) + 2*l.latency
}

// planNeed: one GET per resource, all at once.
func (l limits) planNeed(s shape) need {
	return need{Reads: s.N, Critical: l.latency}
}

// applyNeed: the refresh (a GET of each resource group, answered 404:
// everything else is inside one, so it is absent too), a PUT per resource,
// the GET of each group's result (its create is synchronous), and for each
// asynchronous create (all but the groups) its polls and the GET of the
// result; the critical path is the group, then the network, then
// one subnet (the graph's own chain, not counting the serialization of the
// subnets, which is shown on its own).
func (l limits) applyNeed(s shape) need {
	async := s.N - s.Groups
	return need{
		Reads:    2*s.Groups + async*(l.polls+1),
		Writes:   s.N,
		Critical: l.latency + l.latency + 2*l.lro(),
		Chain:    l.chainBound(s),
	}
}

// chainBound is the least time of an apply whose subnets go one at a
// time: the group, the network, then every subnet.
func (l limits) chainBound(s shape) time.Duration {
	return 2*l.latency + l.lro() + l.serialChain(s)
}

// serialChain is the least time the subnets take one after another.
func (l limits) serialChain(s shape) time.Duration {
	return time.Duration(s.Subnets) * l.lro()
}

// collectionPlanNeed: a plan with --refresh collection, as plan.RefreshWith
// reads the stack: each collection of MinCollection or more (the groups,
// each group's public IPs, the subnets) is listed in pages of pageSize,
// with the GET that checks it; the rest (a group's one security group, the
// network) is read by GET. The critical path is the groups' pages, then the
// longer of a group's IP pages and the network's GET followed by the
// subnets' pages.
func (l limits) collectionPlanNeed(s shape, pageSize int) need {
	reads, groupPages := listCost(s.Groups, pageSize)
	reads += s.Groups + 1 // the security groups, the network
	subnets, subnetPages := listCost(s.Subnets, pageSize)
	reads += subnets
	ipPages := 0
	for g := range s.Groups {
		k := s.IPs / s.Groups
		if g < s.IPs%s.Groups {
			k++
		}
		r, p := listCost(k, pageSize)
		reads += r
		ipPages = max(ipPages, p)
	}
	return need{Reads: reads, Critical: time.Duration(max(groupPages, 1)+max(ipPages, 1+subnetPages)) * l.latency}
}

// listCost is the reads of k targets in one collection of k items, and the
// pages read one after another: a GET each below 3; else the pages (at
// most k-2 of them, the rest by GET) and the GET that checks them.
func listCost(k, pageSize int) (reads, pages int) {
	if k < 3 {
		return k, min(k, 1)
	}
	pages = (k + pageSize - 1) / pageSize
	if maxPages := max(1, k-2); pages > maxPages {
		return maxPages + 1 + k - maxPages*pageSize, maxPages
	}
	return pages + 1, pages
}
