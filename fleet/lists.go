package fleet

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/plan"
)

// ListCache lists each collection once for the whole fleet: stacks that
// share a collection (the resource groups of a subscription, the public
// IPs of a group several stacks deploy into) and read it with
// --refresh collection get the pages the first one read. Lists are keyed
// by who reads them (endpoint and principal: another principal may see
// other items), the collection and the api-version. A list asked for while
// another stack reads it waits for that read instead of sending its own.
//
// Only lists that succeeded are kept; a list that failed is read again by
// the next stack that asks. A run lasts minutes, and a plan checks every
// list against a GET of one of its members (see plan.RefreshWith), so a
// list read a little earlier by another stack is as good as its own.
type ListCache struct {
	mu      sync.Mutex
	entries map[string]*listEntry

	listed, shared atomic.Int64
}

// listEntry is one collection's pages, filled once.
type listEntry struct {
	done chan struct{}
	// Set before done is closed; read-only after.
	ok       bool
	pages    []arm.Page
	complete bool
}

// NewListCache returns an empty cache.
func NewListCache() *ListCache {
	return &ListCache{entries: map[string]*listEntry{}}
}

// Listed returns how many lists the cache read from ARM; Shared, how many
// it answered from what another stack read.
func (c *ListCache) Listed() int { return int(c.listed.Load()) }

// Shared returns how many lists were answered with pages another stack read.
func (c *ListCache) Shared() int { return int(c.shared.Load()) }

// List reads collection at apiVersion through l, as plan.Lister does, or
// replays the pages another caller of the same scope (endpoint and
// principal) read. fn is called with each page until it returns false.
func (c *ListCache) List(ctx context.Context, l plan.Lister, scope, collection, apiVersion string, fn func(arm.Page) bool) error {
	key := scope + " " + armid.Key(collection) + "?api-version=" + strings.ToLower(apiVersion)
	for {
		c.mu.Lock()
		e := c.entries[key]
		if e == nil {
			e = &listEntry{done: make(chan struct{})}
			c.entries[key] = e
			c.mu.Unlock()
			return c.fill(ctx, l, key, e, collection, apiVersion, fn)
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !e.ok {
			continue // its reader failed, and took it out: read it again
		}
		c.shared.Add(1)
		more := true
		for _, p := range e.pages {
			if !fn(copyPage(p)) {
				more = false
				break
			}
		}
		if !more || e.complete {
			return nil
		}
		// The first reader stopped before this one would: read on, past
		// the pages already given.
		return listFrom(ctx, l, collection, apiVersion, len(e.pages), fn)
	}
}

// fill reads the collection for the entry, giving fn each page as it
// comes, and keeps copies of the pages read. Whatever ends the read (an
// error, or a panic of fn, which the fleet turns into that stack's
// failure), the entry is done: a failed one is taken out, so that the
// stacks waiting for it read the collection themselves instead of waiting
// for ever.
func (c *ListCache) fill(ctx context.Context, l plan.Lister, key string, e *listEntry, collection, apiVersion string, fn func(arm.Page) bool) error {
	c.listed.Add(1)
	defer func() {
		if !e.ok {
			c.mu.Lock()
			delete(c.entries, key)
			c.mu.Unlock()
		}
		close(e.done)
	}()
	var pages []arm.Page
	complete := false
	err := l.List(ctx, collection, apiVersion, func(p arm.Page) bool {
		pages = append(pages, copyPage(p))
		complete = p.NextLink == ""
		return fn(p)
	})
	if err != nil {
		return err
	}
	e.ok, e.pages, e.complete = true, pages, complete
	return nil
}

// listFrom lists the collection and gives fn the pages after the first
// skip.
func listFrom(ctx context.Context, l plan.Lister, collection, apiVersion string, skip int, fn func(arm.Page) bool) error {
	n := 0
	return l.List(ctx, collection, apiVersion, func(p arm.Page) bool {
		n++
		if n <= skip {
			return true
		}
		return fn(p)
	})
}

// copyPage copies a page deeply: each stack may change the bodies it is
// given (a plan keeps and normalizes them), and the cache gives them to
// several.
func copyPage(p arm.Page) arm.Page {
	items := make([]map[string]any, len(p.Items))
	for i, it := range p.Items {
		items[i], _ = body.Copy(it).(map[string]any)
	}
	return arm.Page{Items: items, NextLink: p.NextLink}
}
