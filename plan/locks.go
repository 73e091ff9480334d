package plan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// LockAPIVersion is the api-version of the management locks list.
const LockAPIVersion = "2016-09-01"

// Lock is a management lock (Microsoft.Authorization/locks) that blocks a
// planned change: a CanNotDelete or ReadOnly lock on the resource, on what
// contains it, or, for a delete, on anything inside it; for an update, a
// ReadOnly lock on it or on what contains it.
type Lock struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
	// Scope is the ID the lock is on.
	Scope string `json:"scope"`
	Notes string `json:"notes,omitempty"`
}

// Remedy is what to do about the lock, as one sentence.
func (l Lock) Remedy() string {
	return fmt.Sprintf("remove the lock first (az lock delete --ids %s), or drop the change", l.ID)
}

// LockedWhat names what a lock refuses of c: its delete, replacement or
// update.
func LockedWhat(c *Change) string {
	switch c.Action {
	case Replace:
		return "replacement (delete, then create)"
	case Update:
		return "update"
	}
	return "delete"
}

// updateScope is the scope whose lock list holds the locks that apply to
// an update of c: its resource group (ARM's list there holds the locks on
// the group, above it and on what is in it), else its subscription; ""
// for a change that is no update.
func updateScope(c *Change) string {
	if c.Action != Update {
		return ""
	}
	id, err := armid.Parse(c.ID)
	if err != nil || id.SubscriptionID() == "" {
		return ""
	}
	if rg := id.ResourceGroup(); rg != "" {
		return "/subscriptions/" + id.SubscriptionID() + "/resourceGroups/" + rg
	}
	return "/subscriptions/" + id.SubscriptionID()
}

// deleteTarget is the ID a change deletes ("" when it deletes nothing of
// its own, or goes with its group's delete): a delete's, or the prior
// resource of a replace.
func deleteTarget(c *Change) string {
	switch {
	case c.DeletedWith != "":
		return "" // its group's delete takes it; the group's list holds its locks
	case c.Action == Delete:
		return c.ID
	case c.Action == Replace && c.PriorID != "":
		return c.PriorID
	case c.Action == Replace:
		return c.ID
	}
	return ""
}

// readLocks lists the management locks at the scope of every delete and
// replace of the plan, and at the resource group (or subscription) of every
// update (one list per scope: ARM's list at a scope holds the locks at it,
// above it and, for a group, inside it), and records on each change the
// locks that would refuse it: either level a delete, ReadOnly an update. A reader that cannot
// list, or a list ARM refuses (no permission to read locks), leaves the
// plan as it is: the delete then meets the lock, if any, at apply.
func readLocks(ctx context.Context, r Reader, changes []*Change, parallelism int) error {
	lister, ok := r.(Lister)
	if !ok {
		return nil
	}
	scopes := map[string]string{}
	for _, c := range changes {
		if id := deleteTarget(c); id != "" {
			scopes[strings.ToLower(id)] = id
		}
		if sc := updateScope(c); sc != "" {
			scopes[strings.ToLower(sc)] = sc
		}
	}
	if len(scopes) == 0 {
		return nil
	}
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	var (
		mu    sync.Mutex
		found = map[string]Lock{}
		errs  []error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, parallelism)
	)
	for _, scope := range scopes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			locks, err := listLocks(ctx, lister, scope)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, l := range locks {
				found[strings.ToLower(l.ID)] = l
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	all := make([]Lock, 0, len(found))
	for _, l := range found {
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return strings.ToLower(all[i].ID) < strings.ToLower(all[j].ID) })
	for _, c := range changes {
		if id := deleteTarget(c); id != "" {
			// Either level refuses a delete at, under or above it.
			for _, l := range all {
				if armid.IsUnder(id, l.Scope) || armid.Equal(id, l.Scope) || armid.IsUnder(l.Scope, id) {
					c.Locks = append(c.Locks, l)
				}
			}
		}
		if updateScope(c) != "" {
			// ReadOnly refuses a write at or under it.
			for _, l := range all {
				if strings.EqualFold(l.Level, "ReadOnly") && (armid.IsUnder(c.ID, l.Scope) || armid.Equal(c.ID, l.Scope)) {
					c.Locks = append(c.Locks, l)
				}
			}
		}
	}
	return nil
}

// listLocks reads the locks ARM lists at scope. A refusal (403, 404, 400)
// is no lock known: it is logged, not an error.
func listLocks(ctx context.Context, l Lister, scope string) ([]Lock, error) {
	var out []Lock
	err := l.List(ctx, strings.TrimSuffix(scope, "/")+"/providers/Microsoft.Authorization/locks", LockAPIVersion, func(p arm.Page) bool {
		for _, item := range p.Items {
			out = append(out, lockOf(item))
		}
		return true
	})
	var ae *arm.Error
	if errors.As(err, &ae) && ae.StatusCode < http.StatusInternalServerError && ae.StatusCode != http.StatusTooManyRequests {
		slog.Debug("plan: could not read the management locks; deletes are not checked against them", "scope", scope, "status", ae.StatusCode, "code", ae.Code)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the management locks at %s: %w", scope, err)
	}
	return out, nil
}

func lockOf(item map[string]any) Lock {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	props, _ := item["properties"].(map[string]any)
	l := Lock{ID: str(item, "id"), Name: str(item, "name"), Level: str(props, "level"), Notes: str(props, "notes")}
	if i := strings.LastIndex(strings.ToLower(l.ID), "/providers/microsoft.authorization/locks/"); i >= 0 {
		l.Scope = l.ID[:i]
	}
	return l
}

// LockedChanges lists, one line each, the changes whose delete a lock
// refuses: apply starts none of a plan that has any.
func LockedChanges(p *Plan) []string {
	var out []string
	for _, c := range p.Changes {
		for _, l := range c.Locks {
			out = append(out, fmt.Sprintf("%s: the %s lock %q on %s refuses its %s: %s", c.Address, l.Level, l.Name, l.Scope, LockedWhat(c), l.Remedy()))
		}
	}
	return out
}
