package azureblob

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/azapply/azapply/state"
)

// metadata keys on the state blob that describe the lock holder.
const (
	metaLockID   = "azapplylockid"
	metaLockInfo = "azapplylockinfo"
)

// heldLease is this run's lease on the state blob: the lock. Its renewer
// runs beside the writes and may find it lost at any moment, so it guards
// itself; Backend.mu, when both are taken, is taken first.
type heldLease struct {
	mu sync.Mutex
	// id is the lease's, the lock's ID; "" while no lease is held.
	id string
	// meta is the lock's record in the blob's metadata, kept by every
	// upload (an upload replaces the metadata).
	meta map[string]*string
	// lost is the error with which a renewal found the lease gone: the
	// next write refuses. It stays until the next Lock.
	lost error
	// stop ends the renewer, which closes done when it has.
	stop context.CancelFunc
	done chan struct{}
	// snapshotted says this lease's first write was made: the one that
	// kept a snapshot of the version it replaced.
	snapshotted bool
}

// leaseView is what a write needs of the lease, read at once.
type leaseView struct {
	id          string
	meta        map[string]*string
	lost        error
	snapshotted bool
}

// view returns the lease as it is now.
func (l *heldLease) view() leaseView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return leaseView{id: l.id, meta: l.meta, lost: l.lost, snapshotted: l.snapshotted}
}

// held returns the lease's ID, "" when none is held.
func (l *heldLease) held() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.id
}

// begin records a lease just taken, renewed until stop is called.
func (l *heldLease) begin(id string, meta map[string]*string, stop context.CancelFunc, done chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.id, l.meta, l.lost, l.snapshotted = id, meta, nil, false
	l.stop, l.done = stop, done
}

// end forgets the lease and returns what releasing it needs: its ID (""
// when none was held), its renewer's stop and done, and whether a renewal
// found it lost.
func (l *heldLease) end() (id string, stop context.CancelFunc, done chan struct{}, lost error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, stop, done, lost = l.id, l.stop, l.done, l.lost
	l.id, l.meta, l.stop, l.done = "", nil, nil, nil
	return id, stop, done, lost
}

// wrote notes that a write was made under this lease (or none): its first
// write has kept its snapshot.
func (l *heldLease) wrote() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snapshotted = true
}

// markLost records that a renewal found the lease gone.
func (l *heldLease) markLost(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lost = err
}

// access is the lease condition of a request made under the lease id, nil
// when none is held.
func access(id string) *blob.LeaseAccessConditions {
	if id == "" {
		return nil
	}
	return &blob.LeaseAccessConditions{LeaseID: to.Ptr(id)}
}

// stillLeased reports whether the lease id is still the blob's, by
// renewing it.
func (b *Backend) stillLeased(ctx context.Context, id string) bool {
	lc, err := lease.NewBlobClient(b.client, &lease.BlobClientOptions{LeaseID: to.Ptr(id)})
	if err != nil {
		return false
	}
	_, err = lc.RenewLease(ctx, nil)
	return err == nil
}

// Lock takes a lease on the blob (creating an empty blob first when there is
// none), records info in its metadata, and renews the lease until Unlock.
func (b *Backend) Lock(ctx context.Context, info state.LockInfo) (state.LockInfo, error) {
	if b.lease.held() != "" {
		return state.LockInfo{}, fmt.Errorf("the state %s is already locked by this run", b.where)
	}
	_, err := b.client.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}},
	})
	if err != nil && !isConditionFailed(err) && !bloberror.HasCode(err, bloberror.LeaseIDMissing) {
		return state.LockInfo{}, b.explain("locking", err)
	}
	info.ID = state.NewLockID()
	lc, err := lease.NewBlobClient(b.client, &lease.BlobClientOptions{LeaseID: to.Ptr(info.ID)})
	if err != nil {
		return state.LockInfo{}, err
	}
	acq, err := lc.AcquireLease(ctx, int32(b.opts.LeaseDuration/time.Second), nil)
	if err != nil {
		if bloberror.HasCode(err, bloberror.LeaseAlreadyPresent, bloberror.LeaseIsBreakingAndCannotBeAcquired) {
			return state.LockInfo{}, &state.LockedError{Where: b.where, Info: b.holder(ctx)}
		}
		return state.LockInfo{}, b.explain("locking", err)
	}
	raw, _ := json.Marshal(info)
	meta := map[string]*string{
		metaLockID:   to.Ptr(info.ID),
		metaLockInfo: to.Ptr(base64.StdEncoding.EncodeToString(raw)),
	}
	set, err := b.client.SetMetadata(ctx, meta, &blob.SetMetadataOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: access(info.ID)},
	})
	if err != nil {
		_, _ = lc.ReleaseLease(context.WithoutCancel(ctx), nil)
		return state.LockInfo{}, b.explain("recording the lock on", err)
	}
	renewCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	b.mu.Lock()
	b.version.follow(acq.ETag, set.ETag)
	b.lease.begin(info.ID, meta, stop, done)
	b.mu.Unlock()
	go b.renew(renewCtx, lc, done)
	slog.Debug("state locked", "blob", b.where, "lock", info.ID)
	return info, nil
}

// renew keeps the lease alive; a renewal that fails marks the lock lost, so
// that the next Write refuses instead of writing without it.
func (b *Backend) renew(ctx context.Context, lc *lease.BlobClient, done chan struct{}) {
	defer close(done)
	every := b.opts.LeaseDuration / 3
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if _, err := lc.RenewLease(ctx, nil); err != nil {
			if ctx.Err() != nil {
				return
			}
			if isLeaseError(err) {
				b.lease.markLost(err)
				slog.Debug("state lock lost", "blob", b.where, "err", err)
				return
			}
			// A passing network error: try again at the next tick, while
			// the lease still has two thirds of its time to run.
			slog.Debug("renewing the state lock failed; retrying", "blob", b.where, "err", err)
		}
	}
}

// holder reads the lock info from the blob's metadata.
func (b *Backend) holder(ctx context.Context) state.LockInfo {
	var info state.LockInfo
	props, err := b.client.GetProperties(ctx, nil)
	if err != nil {
		return info
	}
	if v := metaValue(props.Metadata, metaLockInfo); v != "" {
		if raw, err := base64.StdEncoding.DecodeString(v); err == nil {
			_ = json.Unmarshal(raw, &info)
		}
	}
	if info.ID == "" {
		info.ID = metaValue(props.Metadata, metaLockID)
	}
	return info
}

// metaValue looks a key up case-insensitively: the service may return
// metadata keys with another casing.
func metaValue(m map[string]*string, key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) && v != nil {
			return *v
		}
	}
	return ""
}

// Unlock clears the lock info and releases the lease.
func (b *Backend) Unlock(ctx context.Context) error {
	b.mu.Lock()
	id, stop, done, lost := b.lease.end()
	// A journal not compacted is left for the next run to replay.
	b.journal.forget()
	b.mu.Unlock()
	if id == "" {
		return nil
	}
	stop()
	<-done
	if lost != nil {
		return nil // someone else holds it now: not ours to release
	}
	lc, err := lease.NewBlobClient(b.client, &lease.BlobClientOptions{LeaseID: to.Ptr(id)})
	if err != nil {
		return err
	}
	b.mu.Lock()
	before := b.version.etag
	b.mu.Unlock()
	set, err := b.client.SetMetadata(ctx, map[string]*string{}, &blob.SetMetadataOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: access(id)},
	})
	if err != nil && !isLeaseError(err) {
		return b.explain("clearing the lock on", err)
	}
	if err == nil {
		b.mu.Lock()
		b.version.follow(before, set.ETag)
		b.mu.Unlock()
	}
	if _, err := lc.ReleaseLease(ctx, nil); err != nil && !isLeaseError(err) {
		return b.explain("unlocking", err)
	}
	return nil
}

// ForceUnlock breaks the lease of the lock with the given ID.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	props, err := b.client.GetProperties(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return fmt.Errorf("the state %s does not exist: there is nothing to unlock", b.where)
	}
	if err != nil {
		return b.explain("reading the lock on", err)
	}
	if props.LeaseState == nil || *props.LeaseState != lease.StateTypeLeased {
		return fmt.Errorf("the state %s is not locked: there is nothing to unlock", b.where)
	}
	cur := metaValue(props.Metadata, metaLockID)
	if cur == "" {
		return fmt.Errorf("the state %s is leased, but not by azapply (its metadata names no lock): find who holds the lease, or break it with 'az storage blob lease break'", b.where)
	}
	if cur != id {
		return fmt.Errorf("the state %s has lock %q, not %q: check the ID and run force-unlock again", b.where, cur, id)
	}
	lc, err := lease.NewBlobClient(b.client, nil)
	if err != nil {
		return err
	}
	if _, err := lc.BreakLease(ctx, &lease.BlobBreakOptions{BreakPeriod: to.Ptr(int32(0))}); err != nil {
		return b.explain("breaking the lock on", err)
	}
	if _, err := b.client.SetMetadata(ctx, map[string]*string{}, nil); err != nil {
		return b.explain("clearing the lock record on", err)
	}
	return nil
}
