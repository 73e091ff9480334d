package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
)

// pagedLister serves a collection of pages, counting the lists it starts
// and the pages it sends; gate, when set, holds every list until closed.
type pagedLister struct {
	pages       []arm.Page
	fail        atomic.Int32 // lists left to fail
	lists, sent atomic.Int32
	gate        chan struct{}
}

func (l *pagedLister) List(ctx context.Context, collection, apiVersion string, fn func(arm.Page) bool) error {
	l.lists.Add(1)
	if l.gate != nil {
		<-l.gate
	}
	if l.fail.Add(-1) >= 0 {
		return errors.New("ARM answered 500")
	}
	for _, p := range l.pages {
		l.sent.Add(1)
		if !fn(copyPage(p)) {
			return nil
		}
	}
	return nil
}

func pages(n int) []arm.Page {
	var out []arm.Page
	for i := range n {
		p := arm.Page{Items: []map[string]any{{"id": fmt.Sprintf("/x/%d", i), "tags": map[string]any{"n": fmt.Sprint(i)}}}}
		if i < n-1 {
			p.NextLink = fmt.Sprintf("https://next/%d", i+1)
		}
		out = append(out, p)
	}
	return out
}

// collect lists through the cache and returns the items' IDs, reading at
// most max pages.
func collect(t *testing.T, c *ListCache, l *pagedLister, scope string, max int) []string {
	t.Helper()
	var ids []string
	n := 0
	err := c.List(context.Background(), l, scope, "/subscriptions/s/resourceGroups", "2021-04-01", func(p arm.Page) bool {
		n++
		for _, it := range p.Items {
			ids = append(ids, it["id"].(string))
			// A plan may change what it is given: no other stack sees it.
			it["tags"].(map[string]any)["n"] = "changed"
		}
		return n < max
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestListCacheListsOnceForConcurrentStacks(t *testing.T) {
	l := &pagedLister{pages: pages(3), gate: make(chan struct{})}
	c := NewListCache()
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = collect(t, c, l, "endpoint|principal", 10)
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them all ask before the list answers
	close(l.gate)
	wg.Wait()
	if n := l.lists.Load(); n != 1 {
		t.Errorf("ARM was asked for the list %d times, want 1", n)
	}
	for i, ids := range got {
		if len(ids) != 3 {
			t.Errorf("stack %d got %v, want the 3 items", i, ids)
		}
	}
	if c.Listed() != 1 || c.Shared() != 7 {
		t.Errorf("Listed %d, Shared %d; want 1 and 7", c.Listed(), c.Shared())
	}
	// Every stack changed the tags it got: the cache's copy is intact.
	if v := l.pages[0].Items[0]["tags"].(map[string]any)["n"]; v != "0" {
		t.Errorf("the lister's page was changed: %v", v)
	}
	again := 0
	_ = c.List(context.Background(), l, "endpoint|principal", "/subscriptions/s/resourceGroups", "2021-04-01", func(p arm.Page) bool {
		if v := p.Items[0]["tags"].(map[string]any)["n"]; v == "changed" {
			t.Errorf("a stack saw another's change to a listed body")
		}
		again++
		return true
	})
	if again != 3 {
		t.Errorf("replayed %d pages, want 3", again)
	}
}

func TestListCacheKeys(t *testing.T) {
	l := &pagedLister{pages: pages(1)}
	c := NewListCache()
	collect(t, c, l, "endpoint|alice", 10)
	collect(t, c, l, "endpoint|alice", 10)
	collect(t, c, l, "endpoint|bob", 10) // another principal may see other items
	if n := l.lists.Load(); n != 2 {
		t.Errorf("ARM was asked %d times, want 2 (one per principal)", n)
	}
}

func TestListCacheDoesNotKeepFailures(t *testing.T) {
	l := &pagedLister{pages: pages(2)}
	l.fail.Store(1)
	c := NewListCache()
	err := c.List(context.Background(), l, "s", "/c", "1", func(arm.Page) bool { return true })
	if err == nil {
		t.Fatal("the failed list returned no error")
	}
	n := 0
	if err := c.List(context.Background(), l, "s", "/c", "1", func(arm.Page) bool { n++; return true }); err != nil {
		t.Fatalf("the list after a failure: %v", err)
	}
	if n != 2 || l.lists.Load() != 2 {
		t.Errorf("got %d pages after the failure from %d lists, want 2 pages from a second list", n, l.lists.Load())
	}
}

// TestListCacheReadsOnPastAShortList: a first stack read one page and
// stopped; a second wants them all: it gets the cached page, then the rest
// from ARM, each page once.
func TestListCacheReadsOnPastAShortList(t *testing.T) {
	l := &pagedLister{pages: pages(3)}
	c := NewListCache()
	if ids := collect(t, c, l, "s", 1); len(ids) != 1 {
		t.Fatalf("the first stack got %v, want 1 item", ids)
	}
	ids := collect(t, c, l, "s", 10)
	want := []string{"/x/0", "/x/1", "/x/2"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("the second stack got %v, want %v", ids, want)
	}
}

// TestListCacheSurvivesAPanickingReader: a stack whose page handler panics
// (the fleet fails that stack) does not leave the others waiting for its
// list: the next reader lists the collection itself.
func TestListCacheSurvivesAPanickingReader(t *testing.T) {
	l := &pagedLister{pages: pages(2)}
	c := NewListCache()
	func() {
		defer func() { _ = recover() }()
		_ = c.List(context.Background(), l, "s", "/c", "1", func(arm.Page) bool { panic("a stack's bug") })
		t.Fatal("the handler did not panic")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := 0
	if err := c.List(ctx, l, "s", "/c", "1", func(arm.Page) bool { n++; return true }); err != nil {
		t.Fatalf("the list after a panicking reader: %v", err)
	}
	if n != 2 || l.lists.Load() != 2 {
		t.Errorf("got %d pages from %d lists, want 2 pages from a second list", n, l.lists.Load())
	}
}
