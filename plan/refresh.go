package plan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// Reader reads live resources. *arm.Client is one.
type Reader interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
}

// DefaultParallelism is how many GETs a refresh runs at once unless told.
const DefaultParallelism = 10

// Target is one resource to read: an ID at an api-version.
type Target struct {
	ID         string
	APIVersion string
	// Timeout bounds the GET of the target (its timeouts { read }); none
	// when 0. A read by collection (RefreshByCollection) is not bounded by
	// it: one list serves many targets.
	Timeout time.Duration
}

// Refresh GETs every target concurrently, at most parallelism at a time
// (DefaultParallelism when it is not positive), and returns the bodies in
// the targets' order. A 404 is a nil body, not an error. Every failure is
// reported, not only the first.
//
// A target inside another target (a virtual network in a declared resource
// group, a subnet in a declared network, a role assignment on a declared
// account) waits for that one's answer: when it is absent, so is everything
// inside it, and Refresh answers nil without a GET. An apply that creates a
// stack therefore reads only its outermost resources, not each of them.
// When the container exists, or could not be read, the target is read as
// usual.
//
// Refresh is RefreshWith in RefreshByResource mode.
func Refresh(ctx context.Context, r Reader, targets []Target, parallelism int) ([]map[string]any, error) {
	return RefreshWith(ctx, r, targets, RefreshOptions{Parallelism: parallelism})
}

// RefreshOptions tune RefreshWith.
type RefreshOptions struct {
	// Parallelism bounds the requests in flight (DefaultParallelism when
	// not positive).
	Parallelism int
	// Mode is RefreshByResource (the default) or RefreshByCollection.
	Mode RefreshMode
	// keep, when set, is called with each body read and returns what to
	// keep of it (Build keeps the state's copy of a body that did not
	// change, see share.go).
	keep func(i int, body map[string]any) map[string]any
}

// RefreshWith reads the targets as Refresh does, and in
// RefreshByCollection mode (when r is also a Lister) reads the targets
// that share a collection by listing it, verified against a GET (see
// collection.go). The bodies are the ones a GET of each target gives.
func RefreshWith(ctx context.Context, r Reader, targets []Target, o RefreshOptions) ([]map[string]any, error) {
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	f := &refresher{
		r:         r,
		targets:   targets,
		bodies:    make([]map[string]any, len(targets)),
		errs:      make([]error, len(targets)),
		container: containers(targets),
		done:      make([]chan struct{}, len(targets)),
		sem:       make(chan struct{}, o.Parallelism),
		keep:      o.keep,
	}
	for i := range f.done {
		f.done[i] = make(chan struct{})
	}
	grouped := make([]bool, len(targets))
	var wg sync.WaitGroup
	l, canList := r.(Lister)
	if o.Mode == RefreshByCollection && !canList {
		slog.Debug("refresh: the reader cannot list collections; reading each resource")
	}
	if o.Mode == RefreshByCollection && canList {
		for _, g := range collectionGroups(targets) {
			for _, m := range g.members {
				grouped[m] = true
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.group(ctx, l, g)
			}()
		}
	}
	// The targets read one by one go to parallelism workers, not to a
	// goroutine (and its stack) each, which for 10,000 targets held tens
	// of MB. They take the targets outermost first, so that the container
	// a worker waits for was taken before, by another worker or a group.
	var order []int
	for i := range targets {
		if !grouped[i] {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return strings.Count(targets[order[a]].ID, "/") < strings.Count(targets[order[b]].ID, "/")
	})
	var next atomic.Int64
	for range min(o.Parallelism, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1) - 1)
				if n >= len(order) {
					return
				}
				i := order[n]
				if !f.absentWithContainer(ctx, i) {
					f.get(ctx, i)
				}
				close(f.done[i])
			}
		}()
	}
	wg.Wait()
	if f.keep != nil {
		for i, b := range f.bodies {
			if b != nil {
				f.bodies[i] = f.keep(i, b)
			}
		}
	}
	return f.bodies, errors.Join(f.errs...)
}

// refresher is one refresh in progress: each target's body or error, and
// a channel closed once they are set.
type refresher struct {
	r         Reader
	targets   []Target
	bodies    []map[string]any
	errs      []error
	container []int
	done      []chan struct{}
	sem       chan struct{}
	keep      func(i int, body map[string]any) map[string]any
}

// absentWithContainer waits for target i's container, if any, and reports
// whether i is absent because its container is (or the wait ended with
// ctx, whose error is then i's).
func (f *refresher) absentWithContainer(ctx context.Context, i int) bool {
	c := f.container[i]
	if c < 0 {
		return false
	}
	select {
	case <-f.done[c]:
	case <-ctx.Done():
		f.errs[i] = ctx.Err()
		return true
	}
	if f.errs[c] == nil && f.bodies[c] == nil {
		slog.Debug("refresh: absent with its container", "id", f.targets[i].ID, "container", f.targets[c].ID)
		return true
	}
	return false
}

// acquire takes one of the parallelism slots, or fails with ctx.
func (f *refresher) acquire(ctx context.Context) error {
	select {
	case f.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *refresher) release() { <-f.sem }

// get GETs target i into its body and error.
func (f *refresher) get(ctx context.Context, i int) {
	if err := f.acquire(ctx); err != nil {
		f.errs[i] = err
		return
	}
	defer f.release()
	t := f.targets[i]
	if t.Timeout <= 0 {
		f.bodies[i], f.errs[i] = read(ctx, f.r, t.ID, t.APIVersion)
	} else {
		readCtx, cancel := context.WithTimeout(ctx, t.Timeout)
		f.bodies[i], f.errs[i] = read(readCtx, f.r, t.ID, t.APIVersion)
		if f.errs[i] != nil && errors.Is(readCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			f.errs[i] = fmt.Errorf("gave up reading %s (its timeouts { read = ... } allow %s): %w", t.ID, t.Timeout, f.errs[i])
		}
		cancel()
	}
	if f.keep != nil && f.bodies[i] != nil {
		f.bodies[i] = f.keep(i, f.bodies[i])
	}
}

// containers gives, for each target, the index of the nearest other target
// whose ID contains it on a segment boundary (compared case-insensitively,
// as ARM compares IDs), or -1.
func containers(targets []Target) []int {
	index := make(map[string]int, len(targets))
	for i, t := range targets {
		k := armid.Key(t.ID)
		if _, dup := index[k]; !dup {
			index[k] = i
		}
	}
	out := make([]int, len(targets))
	for i, t := range targets {
		out[i] = -1
		k := armid.Key(t.ID)
		for j := strings.LastIndexByte(k, '/'); j > 0; j = strings.LastIndexByte(k[:j], '/') {
			if c, ok := index[k[:j]]; ok {
				out[i] = c
				break
			}
		}
	}
	return out
}

// read GETs a resource; absent (404) is a nil body, not an error.
func read(ctx context.Context, r Reader, id, apiVersion string) (map[string]any, error) {
	slog.Debug("refresh", "id", id, "api_version", apiVersion)
	resp, err := r.Get(ctx, id, apiVersion)
	if arm.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", id, err)
	}
	if resp.Body == nil {
		return map[string]any{}, nil
	}
	return resp.Body, nil
}

// DataSource is a data block: a resource that is only read.
type DataSource struct {
	Address    string
	ID         string
	APIVersion string
}

// ReadData reads data sources concurrently and returns their bodies by
// address. A data source that does not exist is an error, since whatever
// refers to it cannot be evaluated. Configuration evaluation takes the
// result as the data blocks' values (before resources are evaluated).
func ReadData(ctx context.Context, r Reader, ds []DataSource, parallelism int) (map[string]map[string]any, error) {
	targets := make([]Target, len(ds))
	for i, d := range ds {
		targets[i] = Target{ID: d.ID, APIVersion: d.APIVersion}
	}
	bodies, err := Refresh(ctx, r, targets, parallelism)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]any, len(ds))
	var missing []error
	for i, d := range ds {
		if bodies[i] == nil {
			missing = append(missing, fmt.Errorf("%s: %s does not exist (api-version %s): check its id, or create it first", d.Address, d.ID, d.APIVersion))
			continue
		}
		out[d.Address] = bodies[i]
	}
	return out, errors.Join(missing...)
}
