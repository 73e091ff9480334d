package plan

// This file holds refresh by collection: the targets that share a
// collection (the public IPs of a resource group, the subnets of a
// network) are read with one list instead of one GET each, where ARM's list
// gives exactly what a GET gives.

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// RefreshMode says how a refresh reads live resources.
type RefreshMode string

const (
	// RefreshByResource GETs each resource: the default.
	RefreshByResource RefreshMode = "resource"
	// RefreshByCollection lists each collection that holds MinCollection or
	// more targets at one api-version, and checks the list against a GET of
	// one of them; any doubt falls back to a GET of each.
	RefreshByCollection RefreshMode = "collection"
)

// ParseRefreshMode reads a mode as written in the provider block or the
// --refresh flag; "" is RefreshByResource.
func ParseRefreshMode(s string) (RefreshMode, error) {
	switch RefreshMode(s) {
	case "", RefreshByResource:
		return RefreshByResource, nil
	case RefreshByCollection:
		return RefreshByCollection, nil
	}
	return "", fmt.Errorf("refresh %q: choose %s (a GET of each resource) or %s (one list per collection, verified)", s, RefreshByResource, RefreshByCollection)
}

// Lister reads collection GETs page by page. *arm.Client is one.
type Lister interface {
	List(ctx context.Context, collection, apiVersion string, fn func(arm.Page) bool) error
}

// MinCollection is how many targets must share a collection (and an
// api-version) for RefreshByCollection to list it: with fewer, a list and
// the GET that checks it save nothing.
const MinCollection = 3

// collectionGroup is the targets (indices, in the targets' order, each ID
// once) that one collection GET lists.
type collectionGroup struct {
	collection, apiVersion string
	members                []int
}

// collectionGroups groups the targets by collection and api-version and
// keeps the groups of at least MinCollection.
func collectionGroups(targets []Target) []collectionGroup {
	var order []string
	groups := map[string]*collectionGroup{}
	seen := map[string]bool{}
	for i, t := range targets {
		id := armid.Key(t.ID)
		if seen[id] {
			continue // a second target of the same ID gets its own GET
		}
		seen[id] = true
		c, ok := collectionOf(t.ID)
		if !ok {
			continue
		}
		k := strings.ToLower(c) + "?" + strings.ToLower(t.APIVersion)
		g, ok := groups[k]
		if !ok {
			g = &collectionGroup{collection: c, apiVersion: t.APIVersion}
			groups[k] = g
			order = append(order, k)
		}
		g.members = append(g.members, i)
	}
	var out []collectionGroup
	for _, k := range order {
		if g := groups[k]; len(g.members) >= MinCollection {
			out = append(out, *g)
		}
	}
	return out
}

// collectionOf is the collection GET that lists a resource: the
// subscription's resource groups for a group, {group}/providers/{ns}/{type}
// for a resource in a group, {parent}/{childType} for a child resource.
// Extension resources (a role assignment on something), and resources at
// subscription or tenant scope, have none here: their lists mix in
// inherited or other scopes' items.
func collectionOf(id string) (string, bool) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	n := len(segs)
	if n < 4 || n%2 != 0 || !strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "resourceGroups") {
		return "", false
	}
	for _, s := range segs {
		if s == "" {
			return "", false
		}
	}
	if n > 4 {
		if n < 8 || !strings.EqualFold(segs[4], "providers") {
			return "", false
		}
		for i := 6; i < n; i += 2 {
			if strings.EqualFold(segs[i], "providers") {
				return "", false
			}
		}
	}
	return "/" + strings.Join(segs[:n-1], "/"), true
}

// group reads the targets of one collection. It lists the collection and,
// at the same time, GETs its first member; the list is trusted only when
// that GET agrees with it: the same body (deep equality of the decoded
// JSON), or absent from both. When that member is absent from both, a
// member the list holds is also read and compared. A member missing from a
// complete list (every page read) is absent, as a 404 would say.
//
// The list reads at most len(members)-2 pages, so that it never costs more
// requests than the GETs it replaces; members not found in those pages are
// read by GET. Any doubt (a list that fails, a body that differs, an ID
// listed twice) reads every member by GET, so the result, errors included,
// is what a GET of each gives.
func (f *refresher) group(ctx context.Context, l Lister, g collectionGroup) {
	defer func() {
		for _, m := range g.members {
			close(f.done[m])
		}
	}()
	// The members share their parent, and so their container.
	if f.absentWithContainer(ctx, g.members[0]) {
		for _, m := range g.members[1:] {
			f.errs[m] = f.errs[g.members[0]]
		}
		return
	}
	first := g.members[0]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.get(ctx, first)
	}()
	listed, complete, listErr := f.list(ctx, l, g)
	wg.Wait()

	checked := map[int]bool{first: true}
	why := ""
	switch {
	case listErr != nil:
		why = listErr.Error()
	default:
		why = f.check(ctx, g, listed, complete, checked)
	}
	var unread []int
	for _, m := range g.members {
		if checked[m] {
			continue
		}
		item, ok := listed[armid.Key(f.targets[m].ID)]
		switch {
		case why != "":
			unread = append(unread, m)
		case ok:
			f.bodies[m] = item
		case !complete:
			unread = append(unread, m)
		}
	}
	if why != "" {
		slog.Debug("refresh: not using the list; reading each resource", "collection", g.collection, "api_version", g.apiVersion, "why", why)
	} else {
		slog.Debug("refresh: listed", "collection", g.collection, "api_version", g.apiVersion, "members", len(g.members),
			"complete", complete, "read_by_get", len(unread)+len(checked))
	}
	f.getEach(ctx, unread)
}

// list reads the collection's pages, at most len(members)-2 of them, into
// its items by ID; complete is true when the last page was read.
func (f *refresher) list(ctx context.Context, l Lister, g collectionGroup) (listed map[string]map[string]any, complete bool, err error) {
	if err := f.acquire(ctx); err != nil {
		return nil, false, err
	}
	defer f.release()
	maxPages := max(1, len(g.members)-2)
	listed = map[string]map[string]any{}
	pages := 0
	var dup string
	err = l.List(ctx, g.collection, g.apiVersion, func(p arm.Page) bool {
		pages++
		for _, item := range p.Items {
			id, _ := item["id"].(string)
			if id == "" {
				continue // nothing to match it by
			}
			k := armid.Key(id)
			if _, ok := listed[k]; ok {
				dup = id
				return false
			}
			listed[k] = item
		}
		if p.NextLink == "" {
			complete = true
			return false
		}
		return pages < maxPages
	})
	if err == nil && dup != "" {
		err = fmt.Errorf("the list holds %s twice", dup)
	}
	return listed, complete, err
}

// check compares the list with the GET of the group's first member, and
// when that says nothing of bodies (absent from both), GETs a member the
// list holds and compares it too; each member read is marked in checked.
// It returns why the list cannot be trusted, or "".
func (f *refresher) check(ctx context.Context, g collectionGroup, listed map[string]map[string]any, complete bool, checked map[int]bool) string {
	first := g.members[0]
	if f.errs[first] != nil {
		return "the GET that checks the list failed"
	}
	item, ok := listed[armid.Key(f.targets[first].ID)]
	switch {
	case ok && !reflect.DeepEqual(item, f.bodies[first]):
		return fmt.Sprintf("the list's item for %s differs from its GET (the list omits or changes values)", f.targets[first].ID)
	case ok:
		return ""
	case f.bodies[first] != nil && complete:
		return fmt.Sprintf("the list lacks %s, which a GET finds", f.targets[first].ID)
	}
	// The first member's GET says nothing of the list's bodies: check one
	// the list holds.
	for _, m := range g.members[1:] {
		item, ok := listed[armid.Key(f.targets[m].ID)]
		if !ok {
			continue
		}
		checked[m] = true
		f.get(ctx, m)
		switch {
		case f.errs[m] != nil:
			return "the GET that checks the list failed"
		case !reflect.DeepEqual(item, f.bodies[m]):
			return fmt.Sprintf("the list's item for %s differs from its GET (the list omits or changes values)", f.targets[m].ID)
		}
		return ""
	}
	if !complete {
		return "no member found in the pages read could be checked"
	}
	return "" // the complete list holds none of them, and a GET agrees
}

// getEach GETs the given targets concurrently.
func (f *refresher) getEach(ctx context.Context, idx []int) {
	var wg sync.WaitGroup
	for _, i := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.get(ctx, i)
		}()
	}
	wg.Wait()
}
