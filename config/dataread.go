package config

import (
	"context"
	"errors"
	"fmt"
)

// readWithin reads the data instance in, bounded by its timeouts { read }
// when it sets one.
func readWithin(ctx context.Context, in *Instance, read ReadFunc) (map[string]any, error) {
	if in.Timeouts.Read <= 0 {
		return read(ctx, in)
	}
	readCtx, cancel := context.WithTimeout(ctx, in.Timeouts.Read)
	defer cancel()
	body, err := read(readCtx, in)
	if err != nil && errors.Is(readCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		return nil, fmt.Errorf("gave up reading it (its timeouts { read = ... } allow %s): %w", in.Timeouts.Read, err)
	}
	return body, err
}
