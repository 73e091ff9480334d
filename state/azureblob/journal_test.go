package azureblob

import (
	"bytes"
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azuritetest"
	"github.com/azapply/azapply/state/internal/statetest"
)

func journalExists(t *testing.T, b *Backend) bool {
	t.Helper()
	_, err := b.journal.client.GetProperties(context.Background(), nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// TestBlobJournal: under the lease, saves go to the append blob beside the
// state; another reader (no lease) replays it and sees the state in memory
// after every save; Compact uploads the state and removes the journal.
// A run that ends without compacting leaves the journal for the next,
// whose first save folds it in.
func TestBlobJournal(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	b := newTestBlob(t, conn, container)
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	s, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range statetest.JournalSteps() {
		st.Change(s)
		if err := b.Append(ctx, s, st.Names...); err != nil {
			t.Fatalf("%s: %v", st.Name, err)
		}
		got, err := newTestBlob(t, conn, container).Read(ctx)
		if err != nil {
			t.Fatalf("%s: %v", st.Name, err)
		}
		if g, w := statetest.Encode(t, got), statetest.Encode(t, s); !bytes.Equal(g, w) {
			t.Fatalf("%s: another reader sees\n%s\nwant\n%s", st.Name, g, w)
		}
	}
	if !journalExists(t, b) {
		t.Fatal("no journal blob")
	}
	if data, _, err := b.download(ctx); err != nil || len(bytes.TrimSpace(data)) != 0 {
		t.Fatalf("the state blob was written before any compaction: %q %v", data, err)
	}
	if err := b.Compact(ctx, s); err != nil {
		t.Fatal(err)
	}
	if journalExists(t, b) {
		t.Fatal("the journal is still there after Compact")
	}
	stored, err := b.readKey(ctx, "prod/app.json")
	if err != nil || stored.Serial != s.Serial || !bytes.Equal(statetest.Encode(t, stored), statetest.Encode(t, s)) {
		t.Fatalf("the compacted state is %+v (%v), want serial %d", stored, err, s.Serial)
	}

	// A run that stops without compacting.
	statetest.SetStep("resource.late", 9).Change(s)
	if err := b.Append(ctx, s, "resource.late"); err != nil {
		t.Fatal(err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	next := newTestBlob(t, conn, container)
	if _, err := next.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = next.Unlock(ctx) }()
	s2, err := next.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(statetest.Encode(t, s2), statetest.Encode(t, s)) {
		t.Fatalf("the next run reads\n%s\nwant\n%s", statetest.Encode(t, s2), statetest.Encode(t, s))
	}
	statetest.SetStep("resource.later", 10).Change(s2)
	if err := next.Append(ctx, s2, "resource.later"); err != nil {
		t.Fatal(err)
	}
	if journalExists(t, next) {
		t.Fatal("the first save after replaying a journal did not fold it into the state")
	}
}

// TestBlobJournalOnlyUnderLease: without the lease, a save writes the
// state whole (conditional on its ETag) and makes no journal.
func TestBlobJournalOnlyUnderLease(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	b := newTestBlob(t, conn, azuritetest.NewContainer(t, conn))
	s, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.a", 1).Change(s)
	if err := b.Append(ctx, s, "resource.a"); err != nil {
		t.Fatal(err)
	}
	if journalExists(t, b) {
		t.Fatal("a journal was written without the lease")
	}
	if got, err := b.readKey(ctx, "prod/app.json"); err != nil || got.Get("resource.a") == nil {
		t.Fatalf("the state was not written whole: %v", err)
	}
}

// TestBlobJournalStaleAndForeign: a journal left beside a newer state is
// ignored (and removed under the lease); a block appended to this run's
// journal by anything else makes its next append fail and the save after
// write the state whole.
func TestBlobJournalStaleAndForeign(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	b := newTestBlob(t, conn, container)
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Unlock(ctx) }()
	s, _ := b.Read(ctx)
	for _, st := range statetest.JournalSteps()[:3] {
		st.Change(s)
		if err := b.Append(ctx, s, st.Names...); err != nil {
			t.Fatal(err)
		}
	}
	old, _, err := b.journal.download(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Compact(ctx, s); err != nil {
		t.Fatal(err)
	}
	// The crash between the upload and the removal.
	if _, err := b.journal.client.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.journal.client.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(old)), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := newTestBlob(t, conn, container).Read(ctx); err != nil || !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
		t.Fatalf("a lockless reader replayed the stale journal or failed: %v", err)
	}
	if !journalExists(t, b) {
		t.Fatal("a lockless reader removed the journal")
	}
	if got, err := b.Read(ctx); err != nil || !bytes.Equal(statetest.Encode(t, got), statetest.Encode(t, s)) {
		t.Fatalf("the stale journal was replayed or failed: %v", err)
	}
	if journalExists(t, b) {
		t.Fatal("the stale journal is still there after a read under the lease")
	}

	s, _ = b.Read(ctx)
	statetest.SetStep("resource.x", 1).Change(s)
	if err := b.Append(ctx, s, "resource.x"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.journal.client.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader([]byte("{}\n"))), &appendblob.AppendBlockOptions{}); err != nil {
		t.Fatal(err)
	}
	statetest.SetStep("resource.y", 2).Change(s)
	if err := b.Append(ctx, s, "resource.y"); err == nil {
		t.Fatal("an append after a foreign block succeeded")
	}
	if err := b.Append(ctx, s, "resource.y"); err != nil {
		t.Fatalf("the save after a failed append: %v", err)
	}
	if journalExists(t, b) {
		t.Fatal("the save after a failed append did not write the state whole")
	}
	if got, err := b.readKey(ctx, "prod/app.json"); err != nil || got.Get("resource.y") == nil || got.Get("resource.x") == nil {
		t.Fatalf("the state written whole lacks the saves: %v", err)
	}
}
