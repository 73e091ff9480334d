package azureblob

import (
	"context"
	"errors"
	"testing"
)

// TestHeldLease: a lease found lost stays lost after Unlock ends it, so a
// write without the lock still refuses, until the next Lock begins a new
// one; the first write under each lease is the one that snapshots.
func TestHeldLease(t *testing.T) {
	var l heldLease
	if v := l.view(); v.id != "" || v.lost != nil || v.snapshotted {
		t.Fatalf("a new lease is %+v, want none held", v)
	}
	_, stop := context.WithCancel(context.Background())
	defer stop()
	l.begin("id1", map[string]*string{}, stop, make(chan struct{}))
	if l.held() != "id1" || l.view().snapshotted {
		t.Fatalf("after begin: %+v", l.view())
	}
	l.wrote()
	if !l.view().snapshotted {
		t.Fatal("the first write under the lease is not recorded")
	}
	gone := errors.New("lease lost")
	l.markLost(gone)
	id, gotStop, done, lost := l.end()
	if id != "id1" || gotStop == nil || done == nil || lost != gone {
		t.Fatalf("end = %q, %v, %v, %v; want id1, its stop and done, and the loss", id, gotStop != nil, done != nil, lost)
	}
	if v := l.view(); v.id != "" || v.meta != nil || v.lost != gone {
		t.Fatalf("after end: %+v, want no lease and the loss kept", v)
	}
	l.begin("id2", nil, stop, make(chan struct{}))
	if v := l.view(); v.id != "id2" || v.lost != nil || v.snapshotted {
		t.Fatalf("a new lease after a lost one: %+v, want id2, not lost, no write yet", v)
	}
}
