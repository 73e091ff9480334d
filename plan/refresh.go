package plan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
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
func Refresh(ctx context.Context, r Reader, targets []Target, parallelism int) ([]map[string]any, error) {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	bodies := make([]map[string]any, len(targets))
	errs := make([]error, len(targets))
	container := containers(targets)
	done := make([]chan struct{}, len(targets))
	for i := range done {
		done[i] = make(chan struct{})
	}
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			if c := container[i]; c >= 0 {
				select {
				case <-done[c]:
				case <-ctx.Done():
					errs[i] = ctx.Err()
					return
				}
				if errs[c] == nil && bodies[c] == nil {
					slog.Debug("refresh: absent with its container", "id", t.ID, "container", targets[c].ID)
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			bodies[i], errs[i] = read(ctx, r, t.ID, t.APIVersion)
		}()
	}
	wg.Wait()
	return bodies, errors.Join(errs...)
}

// containers gives, for each target, the index of the nearest other target
// whose ID contains it on a segment boundary (compared case-insensitively,
// as ARM compares IDs), or -1.
func containers(targets []Target) []int {
	index := make(map[string]int, len(targets))
	for i, t := range targets {
		k := strings.ToLower(strings.TrimSuffix(t.ID, "/"))
		if _, dup := index[k]; !dup {
			index[k] = i
		}
	}
	out := make([]int, len(targets))
	for i, t := range targets {
		out[i] = -1
		k := strings.ToLower(strings.TrimSuffix(t.ID, "/"))
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
