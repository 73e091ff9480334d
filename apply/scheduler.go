package apply

import (
	"context"
	"errors"
	"slices"
	"sync"
)

type outcome struct {
	n   *node
	err error
}

// schedule is what a walk knows of its nodes: how many of its deps each
// still waits for, who waits for each, and those ready to start.
type schedule struct {
	waiting    map[*node]int
	dependents map[*node][]*node
	ready      *readyQueue
}

func newSchedule(nodes []*node) *schedule {
	s := &schedule{waiting: map[*node]int{}, dependents: map[*node][]*node{},
		ready: newReadyQueue(len(nodes))}
	for _, n := range nodes {
		s.waiting[n] = len(n.deps)
		for _, d := range n.deps {
			s.dependents[d] = append(s.dependents[d], n)
		}
		if len(n.deps) == 0 {
			s.ready.push(n)
		}
	}
	return s
}

// done marks n succeeded: the nodes that waited only for it are ready.
func (s *schedule) done(n *node) {
	for _, d := range s.dependents[n] {
		s.waiting[d]--
		if s.waiting[d] == 0 {
			s.ready.push(d)
		}
	}
}

// walk runs the nodes of one phase, each once all its deps succeeded, at
// most Parallelism at a time.
func (r *runner) walk(ctx context.Context, nodes []*node) error {
	if len(nodes) == 0 {
		return nil
	}
	sched := newSchedule(nodes)
	results := make(chan outcome)
	work, stop := r.startWorkers(ctx, min(r.o.Parallelism, len(nodes)), results)
	defer stop()
	running, started := 0, 0
	stopping := false
	drain := r.o.Drain
	var errs []error
	for {
		for !stopping && running < r.o.Parallelism {
			n, held := sched.ready.take(r.locks)
			if n == nil {
				break
			}
			running++
			started++
			work <- job{n, held}
		}
		if running == 0 {
			break
		}
		select {
		case out := <-results:
			running--
			if out.err != nil {
				errs = append(errs, out.err)
				stopping = true
				continue
			}
			sched.done(out.n)
		case <-drain:
			drain = nil
			stopping = true
		}
	}
	r.res.NotStarted += len(nodes) - started
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if stopping {
		return ErrInterrupted
	}
	return nil
}

// job is a node to run, with its parent's lock held for it.
type job struct {
	n    *node
	held func()
}

// startWorkers starts n workers that live for a phase, each running the
// jobs it takes from work and sending their outcomes to results; stop ends
// them. A goroutine per node grew a new stack for the evaluation and the
// request of each. A worker holds a node from the moment it takes it until
// its outcome is received, so while fewer than n run, one is free to take
// the next.
func (r *runner) startWorkers(ctx context.Context, n int, results chan<- outcome) (work chan<- job, stop func()) {
	jobs := make(chan job)
	var workers sync.WaitGroup
	for range n {
		workers.Go(func() {
			for j := range jobs {
				results <- outcome{j.n, r.run(ctx, j.n, j.held)}
			}
		})
	}
	return jobs, func() {
		close(jobs)
		workers.Wait()
	}
}

// readyQueue holds the nodes whose dependencies are done, those under a
// parent that serializes its children apart, in a queue per parent.
type readyQueue struct {
	refs map[*node]lockRef
	// serial are the nodes under serializing parents, by parent lock key;
	// parents are the keys with nodes waiting, in the order each came.
	serial  map[string][]*node
	parents []string
	other   []*node
}

func newReadyQueue(size int) *readyQueue {
	return &readyQueue{refs: make(map[*node]lockRef, size), serial: map[string][]*node{}}
}

func (q *readyQueue) push(n *node) {
	ref, ok := q.refs[n]
	if !ok {
		ref = lockRefOf(n.id)
		q.refs[n] = ref
	}
	if !ref.serialized {
		q.other = append(q.other, n)
		return
	}
	if len(q.serial[ref.key]) == 0 {
		q.parents = append(q.parents, ref.key)
	}
	q.serial[ref.key] = append(q.serial[ref.key], n)
}

// take removes and returns a node that can start now, with its parent's
// lock taken for it, or nil. A node waiting for its parent's lock would
// hold one of the Parallelism slots doing nothing, so those whose parent
// is busy stay queued until the write under it ends (and sends its
// result). Children of a serializing parent go first: each parent takes
// one slot at a time, and the chain of its children, started last, would
// be what the apply waits for at its end. Each parent's lock is tried
// once, for the first of its children, not once per child waiting.
func (q *readyQueue) take(locks *parentLocks) (*node, func()) {
	for i, key := range q.parents {
		list := q.serial[key]
		release, ok := locks.tryAcquire(q.refs[list[0]])
		if !ok {
			continue
		}
		n := list[0]
		if len(list) == 1 {
			delete(q.serial, key)
			q.parents = slices.Delete(q.parents, i, i+1)
		} else {
			q.serial[key] = list[1:]
		}
		return n, release
	}
	for i, n := range q.other {
		if release, ok := locks.tryAcquire(q.refs[n]); ok {
			if i == 0 {
				q.other = q.other[1:] // the usual case: no copy
			} else {
				q.other = slices.Delete(q.other, i, i+1)
			}
			return n, release
		}
	}
	return nil, nil
}

// ErrInterrupted reports an apply stopped by Drain before it finished.
var ErrInterrupted = errors.New("apply was interrupted: operations in flight finished and were recorded, the rest did not start; run apply again to continue")
