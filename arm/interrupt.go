package arm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// ErrInterrupted is a request the client did not send, or stopped waiting
// to resend, because the first interrupt came (see WithInterrupt).
var ErrInterrupted = errors.New("interrupted")

type interruptKey struct{}

// WithInterrupt returns a context whose requests stop when ch closes (the
// first Ctrl-C or SIGTERM): from then on no new request is sent, and every
// wait before a resend (a 429's Retry-After, a backoff, a busy parent, the
// pacer) ends at once with ErrInterrupted. The polls of operations ARM has
// already accepted go on (see Wait and Finishing): cancel the context to
// stop those too.
func WithInterrupt(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, interruptKey{}, ch)
}

func interruptOf(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(interruptKey{}).(<-chan struct{})
	return ch
}

type finishingKey struct{}

// Finishing marks ctx as finishing an operation ARM has accepted: its
// requests (polls, the read of the result) are sent after an interrupt.
func Finishing(ctx context.Context) context.Context {
	return context.WithValue(ctx, finishingKey{}, true)
}

func isFinishing(ctx context.Context) bool {
	v, _ := ctx.Value(finishingKey{}).(bool)
	return v
}

func closed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// interruptible reports the interrupt channel of a request that must stop
// at it (nil for one that finishes an accepted operation).
func interruptible(ctx context.Context) <-chan struct{} {
	if isFinishing(ctx) {
		return nil
	}
	return interruptOf(ctx)
}

type attemptsKey struct{}

// interruptPolicy sends no request once the interrupt came, and turns an
// answer that azcore would back off and resend into ErrInterrupted. It
// counts the attempts on the wire, so that watchInterrupt cancels the
// request's context only between attempts (in a backoff), never while ARM
// may be accepting one.
type interruptPolicy struct{ retryStatus []int }

func (p interruptPolicy) Do(req *policy.Request) (*http.Response, error) {
	ctx := req.Raw().Context()
	ch := interruptible(ctx)
	if ch == nil {
		return req.Next()
	}
	if err := ctx.Err(); err != nil {
		return nil, refusedError{fmt.Errorf("%w: %s %s was not sent", ErrInterrupted, req.Raw().Method, req.Raw().URL.Path)}
	}
	attempts, _ := ctx.Value(attemptsKey{}).(*atomic.Int32)
	if attempts != nil {
		attempts.Add(1)
		defer attempts.Add(-1)
	}
	if closed(ch) {
		return nil, refusedError{fmt.Errorf("%w: %s %s was not sent", ErrInterrupted, req.Raw().Method, req.Raw().URL.Path)}
	}
	resp, err := req.Next()
	if !closed(ch) {
		return resp, err
	}
	if err != nil {
		return nil, refusedError{fmt.Errorf("%w while waiting for an answer that would be resent: %w", ErrInterrupted, err)}
	}
	if slices.Contains(p.retryStatus, resp.StatusCode) {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, refusedError{fmt.Errorf("%w: ARM answered %s %s with %d, and azapply does not resend it", ErrInterrupted, req.Raw().Method, req.Raw().URL.Path, resp.StatusCode)}
	}
	return resp, err
}

// watchInterrupt returns a context that is cancelled, with ErrInterrupted
// as its cause, when the interrupt comes while no attempt of the request is
// on the wire: that ends azcore's backoff and the pacer's waits at once.
func watchInterrupt(ctx context.Context) (context.Context, func()) {
	ch := interruptible(ctx)
	if ch == nil {
		return ctx, func() {}
	}
	attempts := new(atomic.Int32)
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, attemptsKey{}, attempts))
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ch:
		}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for attempts.Load() > 0 {
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
		cancel(ErrInterrupted)
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// sleepInterruptible waits d, or until ctx ends or the interrupt comes.
func sleepInterruptible(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-interruptible(ctx):
		return ErrInterrupted
	}
}
