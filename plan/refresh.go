package plan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

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
func Refresh(ctx context.Context, r Reader, targets []Target, parallelism int) ([]map[string]any, error) {
	return refresh(ctx, r, targets, parallelism, nil)
}

// refresh is Refresh; keep, when set, is called with each body as it
// arrives (from the worker that read it) and returns what to keep of it.
func refresh(ctx context.Context, r Reader, targets []Target, parallelism int, keep func(i int, body map[string]any) map[string]any) ([]map[string]any, error) {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	bodies := make([]map[string]any, len(targets))
	errs := make([]error, len(targets))
	// parallelism workers take the targets in order: not a goroutine (and
	// its stack) per target, which for 10,000 targets held tens of MB.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(parallelism, len(targets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(targets) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				bodies[i], errs[i] = read(ctx, r, targets[i].ID, targets[i].APIVersion)
				if keep != nil && bodies[i] != nil {
					bodies[i] = keep(i, bodies[i])
				}
			}
		}()
	}
	wg.Wait()
	return bodies, errors.Join(errs...)
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
