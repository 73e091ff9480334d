package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/plan"
)

// DefaultPurgeWait bounds the wait for a purged name to be free.
const DefaultPurgeWait = 10 * time.Minute

// softDeletedCreate settles a create that ARM refused because a
// soft-deleted resource holds its name (t's conflict): by recovering it
// and then sending the declared body (SoftDeleted "recover", the default),
// or by purging it and then creating anew ("purge").
func (r *runner) softDeletedCreate(ctx context.Context, c *plan.Change, t *plan.SoftDeleteType, req arm.Request, refused error) (*arm.Response, error) {
	declared, _ := req.Body.(map[string]any)
	location, _ := declared["location"].(string)
	mode := r.o.SoftDeleted
	if mode == "" {
		mode = plan.SoftDeletedRecover
	}
	// Purging destroys for good: only what the plan said it would purge.
	// A deleted resource the plan did not see (its read was refused, or it
	// was deleted since) is recovered, which loses nothing.
	if mode == plan.SoftDeletedPurge && (c.SoftDelete == nil || c.SoftDelete.OnCreate != plan.SoftDeletedPurge) {
		return nil, fmt.Errorf("%w\nA soft-deleted %s holds its name, and the plan did not show it, so azapply did not purge it: run plan again, review the purge it shows, and apply that", refused, t.Noun)
	}
	if mode == plan.SoftDeletedPurge {
		deleted := t.DeletedID(c.ID, location)
		if deleted == "" {
			return nil, fmt.Errorf("%w\nA soft-deleted %s holds its name, and its location is not known, so azapply cannot purge it: purge it yourself, then run apply again", refused, t.Noun)
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: c.Address, Message: fmt.Sprintf(
			"a soft-deleted %s holds its name: purging it for good, then creating anew (soft_deleted = \"purge\")", t.Noun)})
		if err := r.purge(ctx, t, deleted); err != nil {
			return nil, fmt.Errorf("%w\npurging the soft-deleted %s %s: %w", refused, t.Noun, deleted, err)
		}
		return r.o.Client.Do(ctx, req)
	}
	r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: c.Address, Message: fmt.Sprintf(
		"a soft-deleted %s holds its name: recovering it, then sending the declared body (soft_deleted = \"recover\"; \"purge\" would purge it and create anew)", t.Noun)})
	recover := req
	recover.IfMatch, recover.IfNoneMatch = "", ""
	rb, _ := body.Copy(declared).(map[string]any)
	if rb == nil {
		rb = map[string]any{}
	}
	setDotted(rb, t.RecoverPath, t.RecoverValue)
	recover.Body = rb
	if _, err := r.o.Client.Do(ctx, recover); err != nil {
		return nil, fmt.Errorf("%w\nrecovering the soft-deleted %s: %w", refused, t.Noun, err)
	}
	return r.o.Client.Do(ctx, req)
}

// purge purges the deleted resource and waits until ARM no longer shows it.
func (r *runner) purge(ctx context.Context, t *plan.SoftDeleteType, deleted string) error {
	if _, err := r.o.Client.Do(ctx, t.PurgeRequest(deleted)); err != nil && !arm.IsNotFound(err) {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultPurgeWait)
	defer cancel()
	wait := r.o.RegisterPoll
	if wait <= 0 {
		wait = time.Second
	}
	for {
		_, err := r.o.Client.Get(ctx, deleted, t.APIVersion)
		if arm.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("it was still there %s after the purge: %w", DefaultPurgeWait, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 15*time.Second)
	}
}

// purgeAfterDelete purges what the delete of c (or of the resources it
// took with it) left soft-deleted, when PurgeOnDestroy asks.
func (r *runner) purgeAfterDelete(ctx context.Context, c *plan.Change, id string) error {
	if !r.o.PurgeOnDestroy {
		return nil
	}
	targets := []*plan.Change{c}
	targets = append(targets, r.deletedWith[c.Address]...)
	for _, d := range targets {
		did := d.ID
		if d == c {
			did = id
		}
		t := plan.SoftDeleteOf(did)
		if t == nil || d.Live == nil {
			continue
		}
		location, _ := d.Live["location"].(string)
		deleted := t.DeletedID(did, location)
		if deleted == "" {
			continue
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: d.Address, Message: fmt.Sprintf(
			"purging the soft-deleted %s (purge_on_destroy = true)", t.Noun)})
		if err := r.purge(ctx, t, deleted); err != nil {
			return fmt.Errorf("%s: it was deleted, and purging the soft-deleted %s %s failed (purge it yourself before creating one of the same name): %w", d.Address, t.Noun, deleted, err)
		}
	}
	return nil
}

// setDotted sets a dotted path of m, creating maps on the way.
func setDotted(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}
