package azureblob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/azapply/azapply/state"
)

// journalBlob is the append blob KEY.journal beside the state blob (its
// format is package state's), and this run's place in it. Backend.mu
// guards it.
type journalBlob struct {
	client *appendblob.Client
	// where names the journal in messages.
	where string
	// etag is the version of the journal this run started and appended
	// to; nil when it started none, or no longer knows the journal to be
	// its own alone. size is its size, serial the serial its last record
	// gave the state.
	etag   *azcore.ETag
	size   int64
	serial int64
	// pending says the state blob lacks changes a journal holds: this
	// run's, or one Read replayed.
	pending bool
}

// started reports whether this run has a journal of its own to append to.
func (j *journalBlob) started() bool { return j.etag != nil }

// forget stops appending to this run's journal: the next save writes the
// state whole. The journal itself is left, for the next Read to replay.
func (j *journalBlob) forget() { j.etag = nil }

// create makes the empty journal blob, extending the state at serial; it
// fails when a journal is already there.
func (j *journalBlob) create(ctx context.Context, serial int64) error {
	resp, err := j.client.Create(ctx, &appendblob.CreateOptions{
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: to.Ptr("application/x-ndjson")},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}},
	})
	if err != nil {
		return err
	}
	j.etag, j.size, j.serial = resp.ETag, 0, serial
	return nil
}

// append adds block at the end of this run's journal, conditional on its
// ETag and append position, so that nothing else's writes are interleaved
// and a resent block is never appended twice; the block then gave the
// state the serial `serial`. On an error the journal is forgotten.
func (j *journalBlob) append(ctx context.Context, block []byte, serial int64) error {
	resp, err := j.client.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(block)), &appendblob.AppendBlockOptions{
		AppendPositionAccessConditions: &appendblob.AppendPositionAccessConditions{AppendPosition: to.Ptr(j.size)},
		AccessConditions:               &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: j.etag}},
	})
	etag := resp.ETag
	if err != nil && (isConditionFailed(err) || bloberror.HasCode(err, bloberror.AppendPositionConditionNotMet)) {
		// The block may have landed and only its answer been lost.
		if cur, e, derr := j.download(ctx); derr == nil && int64(len(cur)) == j.size+int64(len(block)) && bytes.HasSuffix(cur, block) {
			etag, err = e, nil
		}
	}
	if err != nil {
		// The journal is no longer known to be this run's alone: the next
		// save writes the state whole, with Write's checks.
		j.forget()
		return err
	}
	j.etag, j.size, j.serial, j.pending = etag, j.size+int64(len(block)), serial, true
	return nil
}

// drop removes the journal once the state blob holds what it recorded. A
// journal that cannot be removed is older than the state now, so reads
// ignore it.
func (j *journalBlob) drop(ctx context.Context) {
	if j.etag != nil || j.pending {
		if _, err := j.client.Delete(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound) {
			slog.Debug("could not remove the state journal", "blob", j.where, "error", err)
		}
	}
	j.etag, j.size, j.pending = nil, 0, false
}

// download returns the journal's bytes and ETag.
func (j *journalBlob) download(ctx context.Context) ([]byte, *azcore.ETag, error) {
	resp, err := j.client.DownloadStream(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return data, resp.ETag, err
}

// removeIf removes the journal if it is still at version etag, so that a
// journal started since is never removed.
func (j *journalBlob) removeIf(ctx context.Context, etag *azcore.ETag) {
	_, err := j.client.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag}}})
	if err != nil {
		slog.Debug("could not remove a stale state journal", "blob", j.where, "error", err)
	}
}

// replay applies the journal blob, if any, to s (nil when no state is
// stored), and reports whether it held changes the state blob lacks.
func (b *Backend) replay(ctx context.Context, s *state.State) (*state.State, bool, error) {
	data, etag, err := b.journal.download(ctx)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return s, false, nil
	}
	if err != nil {
		return nil, false, b.explain("reading the journal of", err)
	}
	out, info, err := state.ReplayJournal(s, data, b.journal.where, b.where)
	if err != nil {
		return nil, false, err
	}
	if info.Stale && b.lease.held() != "" {
		// The state already holds everything in it.
		b.journal.removeIf(ctx, etag)
	}
	slog.Debug("state journal read", "blob", b.journal.where, "records", info.Records, "torn", info.Torn, "stale", info.Stale)
	return out, !info.Stale, nil
}

// Append records the changes to s at the addresses changed (and its
// outputs, for state.OutputsChanged) as one block appended to the append
// blob KEY.journal, and bumps the serial of s; see state.Journaler. It
// appends only while this run holds the state blob's lease, each block
// conditional on the journal's ETag and append position. It writes the
// whole state instead without the lease, with no address given, when the
// stored state is not the one this backend last read or wrote at s's
// serial, and when the block would take the journal past the size of the
// state (compaction, see state.CompactAt).
func (b *Backend) Append(ctx context.Context, s *state.State, changed ...string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l := b.lease.view(); len(changed) == 0 || l.id == "" || l.lost != nil {
		return b.write(ctx, s)
	}
	if b.journal.started() && (b.journal.serial != s.Serial || b.version.lineage != s.Lineage && b.version.stored) {
		return b.write(ctx, s)
	}
	var header []byte
	if !b.journal.started() {
		ok, err := b.startJournal(ctx, s)
		if err != nil {
			slog.Debug("could not start a state journal; writing the state whole", "blob", b.journal.where, "error", err)
		}
		if !ok {
			return b.write(ctx, s)
		}
		if header, err = state.JournalHeader(s); err != nil {
			return err
		}
	}
	line, err := state.JournalRecord(s, s.Serial+1, changed)
	if err != nil {
		return err
	}
	block := append(header, line...)
	if b.journal.size+int64(len(block)) > state.CompactAt(b.version.size) {
		return b.write(ctx, s)
	}
	if err := b.journal.append(ctx, block, s.Serial+1); err != nil {
		if isLeaseError(err) {
			return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
		}
		return b.explain("appending to the journal of", err)
	}
	s.Serial++
	return nil
}

// startJournal creates the empty journal blob, when the stored state is
// the one this backend last read or wrote at s's serial (or none is stored
// and s was never written) and no journal is there. The caller holds b.mu.
func (b *Backend) startJournal(ctx context.Context, s *state.State) (bool, error) {
	if b.journal.pending {
		// A journal replayed by Read: the first save folds it in.
		return false, nil
	}
	if !b.version.isState(s) && (b.version.stored || s.Serial != 0) {
		return false, nil
	}
	if err := b.journal.create(ctx, s.Serial); err != nil {
		return false, err
	}
	return true, nil
}

// Compact uploads s whole when the state blob lacks changes that a journal
// holds (this run's, or one Read replayed), and removes the journal; see
// state.Journaler.
func (b *Backend) Compact(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.journal.pending {
		return nil
	}
	return b.write(ctx, s)
}
