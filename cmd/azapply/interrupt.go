package main

import (
	"context"
	"errors"
)

// A first interrupt (Ctrl-C, SIGTERM) closes the drain channel: apply starts
// nothing new and lets operations in flight finish. A second one cancels the
// context. Read-only commands stop at the first.

type drainKey struct{}

func withDrain(ctx context.Context, drain <-chan struct{}) context.Context {
	return context.WithValue(ctx, drainKey{}, drain)
}

// drainOf returns the channel closed on the first interrupt; nil (never
// closed) when the command runs without one, as in tests.
func drainOf(ctx context.Context) <-chan struct{} {
	d, _ := ctx.Value(drainKey{}).(<-chan struct{})
	return d
}

// stopOnFirstInterrupt returns a context cancelled at the first interrupt,
// for commands that change nothing.
func stopOnFirstInterrupt(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	drain := drainOf(ctx)
	go func() {
		select {
		case <-drain:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// errPlanInterrupted ends a plan or drift stopped by an interrupt: what it
// read is incomplete, so no plan is shown.
var errPlanInterrupted = errors.New("interrupted: azapply stopped reading and sent nothing more; no plan is shown, since what was read is incomplete")

// interrupted reports whether the first interrupt has come.
func interrupted(ctx context.Context) bool {
	select {
	case <-drainOf(ctx):
		return true
	default:
		return false
	}
}
