package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
)

// The windows of ARM's eventual consistency that apply waits out, unless
// a resource's retry block lengthens them. They are bounds, not delays:
// apply moves on as soon as ARM shows what it wrote.
const (
	// ReadAfterCreateWindow bounds the wait for a resource just created to
	// answer its GET (a region that has not seen the write answers 404).
	ReadAfterCreateWindow = 2 * time.Minute
	// ReplicationWindow bounds the resends of a write refused with a
	// directory-replication error (PrincipalNotFound: a principal created
	// moments ago), and of the codes a retry block adds.
	ReplicationWindow = 5 * time.Minute
	// DeleteWindow bounds the wait, after a DELETE succeeded, for the GET
	// to answer 404: until then a create of the same ID (the second half of
	// a replace) would fail with 409.
	DeleteWindow = 5 * time.Minute
)

// maxSettleDelay caps the wait between two tries in a window.
const maxSettleDelay = 15 * time.Second

// errInterruptedWait ends a wait at the first interrupt.
var errInterruptedWait = errors.New("interrupted while waiting")

// errStillShown is a GET that still answers 200 after a DELETE succeeded.
var errStillShown = errors.New("ARM still shows the resource after its DELETE succeeded")

// window is the consistency window of a resource: def, or its retry
// block's within when that is longer.
func (r *runner) window(address string, def time.Duration) time.Duration {
	if rs := r.retrySettings(address); rs != nil && rs.Within > def {
		return rs.Within
	}
	return def
}

func (r *runner) retrySettings(address string) *config.Retry {
	if in, ok := r.insts[address]; ok {
		return in.Retry
	}
	return nil
}

// replicationError reports whether err is one to resend within the
// replication window: ARM's consistency class, or a code the resource's
// retry block names.
func (r *runner) replicationError(address string, err error) (string, bool) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	if arm.Classify(err) == arm.Consistency {
		return fmt.Sprintf("ARM answered %s, which the directory's replication lag causes", ae.Code), true
	}
	if rs := r.retrySettings(address); rs != nil {
		for _, c := range rs.Codes {
			if strings.EqualFold(c, ae.Code) {
				return fmt.Sprintf("ARM answered %s, which the retry block names", ae.Code), true
			}
		}
	}
	return "", false
}

// settle calls try until it succeeds, fails with an error classify does
// not mark as one to wait out, or the window ends. Each wait is reported
// as an EventWaiting. The first interrupt (Drain) or ctx ends the wait.
func (r *runner) settle(ctx context.Context, n *node, window time.Duration, classify func(error) (string, bool), try func() error) error {
	start := r.o.Now()
	delay := r.o.ConsistencyDelay
	for {
		err := try()
		if err == nil {
			return nil
		}
		reason, wait := classify(err)
		if !wait {
			return err
		}
		waited := r.o.Now().Sub(start)
		if waited+delay > window {
			return fmt.Errorf("%s, still after %s (its window is %s; a retry block's within lengthens it): %w", reason, seconds(waited), window, err)
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWaiting, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: waited,
			Message: fmt.Sprintf("%s; trying again in %s (waited %s of at most %s)", reason, seconds(delay), seconds(waited), window)})
		if perr := r.pause(ctx, delay); perr != nil {
			return fmt.Errorf("%s; %w: %w", reason, perr, err)
		}
		delay = min(delay*2, maxSettleDelay)
	}
}

// pause waits d, or until ctx ends or the first interrupt.
func (r *runner) pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-r.o.Drain:
		return errInterruptedWait
	}
}

// readBack reads a resource after its write. A resource just created may
// answer 404 for a while: that is waited out within its window.
func (r *runner) readBack(ctx context.Context, n *node) (*arm.Response, error) {
	c := n.change
	var live *arm.Response
	err := r.settle(ctx, n, r.window(c.Address, ReadAfterCreateWindow), func(err error) (string, bool) {
		if n.op == OpCreate && arm.IsNotFound(err) {
			return "ARM does not show the new resource yet (its GET answers 404)", true
		}
		return "", false
	}, func() error {
		var err error
		// It ends an operation ARM accepted: read even after an interrupt.
		live, err = r.o.Client.Get(arm.Finishing(ctx), c.ID, c.APIVersion)
		return err
	})
	return live, err
}

// confirmDeleted waits, after a DELETE succeeded, until the resource's GET
// answers 404, within its window: ARM may show a deleted resource
// (Deleting) for a while, and a create of the same ID meanwhile fails.
func (r *runner) confirmDeleted(ctx context.Context, n *node, resp *arm.Response) error {
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil // it did not exist
	}
	// A 204 may say it did not exist, or end a long-running delete (the
	// Location URL's answer): read it either way.
	c := n.change
	return r.settle(ctx, n, r.window(c.Address, DeleteWindow), func(err error) (string, bool) {
		if errors.Is(err, errStillShown) {
			return "ARM still shows the deleted resource (its GET answers 200)", true
		}
		return "", false
	}, func() error {
		_, err := r.o.Client.Get(arm.Finishing(ctx), n.id, c.APIVersion)
		switch {
		case arm.IsNotFound(err):
			return nil
		case err == nil:
			return errStillShown
		}
		return fmt.Errorf("reading it after the delete: %w", err)
	})
}

// finalReadNotFound reports whether err is the 404 of the GET that ends a
// long-running write (not the write's own answer, whose 404 says its
// parent is missing): the write succeeded, and ARM does not show it yet.
func finalReadNotFound(err error) bool {
	var ae *arm.Error
	return arm.IsNotFound(err) && errors.As(err, &ae) && ae.Method == http.MethodGet
}
