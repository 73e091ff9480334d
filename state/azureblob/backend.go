package azureblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/azapply/azapply/state"
)

// Backend stores the state in an Azure Storage block blob. Its lock is a
// blob lease, renewed while held, with the holder's state.LockInfo in the
// blob's metadata (lease.go); every write is conditional on the ETag read,
// so two writers can never overwrite each other, and the first write under
// a lease snapshots the previous version (version.go); saves under the
// lease go to a journal blob beside it (journal.go).
type Backend struct {
	opts   Options
	client *blockblob.Client
	where  string

	// lease is this run's lock; it guards itself, since its renewer runs
	// beside the writes.
	lease heldLease

	// mu serializes the reads and writes of the state blob and its
	// journal (apply saves from several workers), and guards version and
	// journal.
	mu      sync.Mutex
	version storedVersion
	journal journalBlob
}

func (b *Backend) String() string { return b.where }

// Read downloads the state and replays its journal; a missing or empty
// blob is a new empty state (or the state its journal made). A journal
// older than the state (a crash between a compaction's upload and the
// journal's removal) is ignored, and removed when this backend holds the
// lease.
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	s, err := b.read(ctx)
	for try := 0; try < 2 && state.IsJournalError(err); try++ {
		if b.lease.held() != "" {
			break
		}
		// Without the lease, a run holding it may have compacted its
		// journal and started the next between the two downloads.
		s, err = b.read(ctx)
	}
	return s, err
}

func (b *Backend) read(ctx context.Context) (*state.State, error) {
	data, etag, err := b.download(ctx)
	var s *state.State
	switch {
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		b.mu.Lock()
		b.version.saw(nil, false)
		b.mu.Unlock()
	case err != nil:
		return nil, b.explain("reading", err)
	default:
		b.mu.Lock()
		b.version.saw(etag, len(bytes.TrimSpace(data)) > 0)
		b.mu.Unlock()
		if len(bytes.TrimSpace(data)) > 0 {
			if s, err = state.Decode(data, b.where); err != nil {
				return nil, err
			}
		}
	}
	var serial int64
	var lineage string
	if s != nil {
		serial, lineage = s.Serial, s.Lineage
	}
	s, pending, err := b.replay(ctx, s)
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = state.New()
	}
	b.mu.Lock()
	b.version.holds(serial, lineage, int64(len(data)))
	b.journal.pending = pending
	b.mu.Unlock()
	return s, nil
}

func (b *Backend) download(ctx context.Context) ([]byte, *azcore.ETag, error) {
	resp, err := b.client.DownloadStream(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return data, resp.ETag, nil
}

// Write uploads s if the blob is still the version last read, then
// removes the journal, whose changes s holds.
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.write(ctx, s)
}

// write is Write with b.mu held.
func (b *Backend) write(ctx context.Context, s *state.State) error {
	l := b.lease.view()
	if l.lost != nil {
		return fmt.Errorf("the lock on the state %s was lost (%v); nothing was written. Another run may hold it now: check, then run the command again", b.where, l.lost)
	}
	if l.id != "" && b.version.stored && !l.snapshotted {
		if _, err := b.client.CreateSnapshot(ctx, &blob.CreateSnapshotOptions{
			AccessConditions: &blob.AccessConditions{LeaseAccessConditions: access(l.id)},
		}); err != nil {
			if isLeaseError(err) {
				return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
			}
			return b.explain("keeping a snapshot of the previous state", err)
		}
	}
	// One snapshot per lock: the version before this run's first write.
	b.lease.wrote()
	serial := s.Serial
	s.Serial++
	data, err := state.Encode(s)
	if err != nil {
		s.Serial = serial
		return err
	}
	opts := &blockblob.UploadOptions{
		Metadata:    l.meta,
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("application/json")},
		AccessConditions: &blob.AccessConditions{
			ModifiedAccessConditions: b.version.condition(),
			LeaseAccessConditions:    access(l.id),
		},
	}
	resp, err := b.client.Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), opts)
	if err == nil {
		b.written(ctx, s, resp.ETag, len(data))
		slog.Debug("state written", "blob", b.where, "serial", s.Serial, "resources", len(s.Resources))
		return nil
	}
	if isConditionFailed(err) {
		// The upload may have landed and only its answer been lost, so
		// that a retry then failed on the ETag the upload itself changed.
		if cur, etag, derr := b.download(ctx); derr == nil && bytes.Equal(cur, data) {
			b.written(ctx, s, etag, len(data))
			slog.Debug("state write confirmed after a lost response", "blob", b.where, "serial", s.Serial)
			return nil
		}
		s.Serial = serial
		if l.id != "" && !b.stillLeased(ctx, l.id) {
			return fmt.Errorf("the lock on the state %s was lost and someone else changed the state since; nothing was written. Check who holds the lock now, then run the command again", b.where)
		}
		return &state.ConflictError{Where: b.where, Detail: "its ETag no longer matches the version this run read"}
	}
	s.Serial = serial
	if isLeaseError(err) && l.id == "" {
		return fmt.Errorf("the state %s is locked by another run, and this one does not hold the lock; nothing was written: %w", b.where, err)
	}
	if isLeaseError(err) {
		return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
	}
	return b.explain("writing", err)
}

// written notes that the state blob is now at version etag and holds s
// (size bytes), and removes the journal, whose changes s holds. The caller
// holds b.mu.
func (b *Backend) written(ctx context.Context, s *state.State, etag *azcore.ETag, size int) {
	b.version.saw(etag, true)
	b.version.holds(s.Serial, s.Lineage, int64(size))
	b.journal.drop(ctx)
}

func isConditionFailed(err error) bool {
	if bloberror.HasCode(err, bloberror.ConditionNotMet, bloberror.BlobAlreadyExists) {
		return true
	}
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == 412 && !isLeaseError(err)
}

func isLeaseError(err error) bool {
	return bloberror.HasCode(err, bloberror.LeaseIDMismatchWithBlobOperation, bloberror.LeaseLost,
		bloberror.LeaseNotPresentWithBlobOperation, bloberror.LeaseIDMissing, bloberror.LeaseIsBrokenAndCannotBeRenewed,
		bloberror.LeaseIDMismatchWithLeaseOperation, bloberror.LeaseNotPresentWithLeaseOperation, bloberror.LeaseIsBreakingAndCannotBeAcquired)
}

// explain words a storage error for the person reading it.
func (b *Backend) explain(doing string, err error) error {
	switch {
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return fmt.Errorf("%s the state %s: the container %q does not exist; create it (az storage container create --name %s) and run the command again", doing, b.where, b.opts.Container, b.opts.Container)
	case bloberror.HasCode(err, bloberror.AuthenticationFailed, bloberror.AuthorizationFailure, bloberror.AuthorizationPermissionMismatch):
		return fmt.Errorf("%s the state %s: access denied; the identity needs the Storage Blob Data Contributor role on the container: %w", doing, b.where, err)
	}
	return fmt.Errorf("%s the state %s: %w", doing, b.where, err)
}
