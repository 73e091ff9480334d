package azureblob

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/azapply/azapply/state"
)

// ConnectionStringEnv names the environment variable that holds a
// storage connection string for the azureblob backend, e.g. Azurite's
// development account. When set it is used instead of the account URL and
// the azidentity credential.
const ConnectionStringEnv = "AZAPPLY_BLOB_CONNECTION_STRING"

// SASTokenEnv names the environment variable that holds a SAS token
// (the query string, with or without the leading ?) for the azureblob backend.
const SASTokenEnv = "AZAPPLY_BLOB_SAS_TOKEN"

// metadata keys on the state blob that describe the lock holder.
const (
	metaLockID   = "azapplylockid"
	metaLockInfo = "azapplylockinfo"
)

// Options locate and authenticate the azureblob backend.
type Options struct {
	// AccountURL is https://ACCOUNT.blob.core.windows.net (http only on
	// loopback, for Azurite).
	AccountURL string
	Container  string
	// Key is the blob's name, e.g. prod/app.json.
	Key string
	// ConnectionString, when set, is used instead of AccountURL and
	// Credential.
	ConnectionString string
	// SASToken, when set, authenticates by SAS instead of Credential.
	SASToken string
	// Credential is the azidentity credential used otherwise.
	Credential azcore.TokenCredential
	// Transport sends the HTTP requests; the default client when nil.
	Transport policy.Transporter
	// Retry tunes azcore's retries; zero values take its defaults.
	Retry policy.RetryOptions
	// LeaseDuration is how long one lease lasts before it must be renewed:
	// 15s to 60s; 60s when zero. It is renewed every third of it.
	LeaseDuration time.Duration
}

// Backend stores the state in an Azure Storage block blob. Its lock is a blob
// lease, renewed while held, with the holder's state.LockInfo in the blob's
// metadata; every write is conditional on the ETag read, so two writers can
// never overwrite each other; the first write under a lock snapshots the
// previous version.
type Backend struct {
	opts   Options
	client *blockblob.Client
	where  string
	// journal is the append blob KEY.journal beside the state (see
	// Append); journalWhere names it in messages.
	journal      *appendblob.Client
	journalWhere string

	mu          sync.Mutex
	etag        *azcore.ETag // of the version last read or written; nil: none read
	stored      bool         // the blob held a state when last read
	leaseID     string
	lockMeta    map[string]*string
	leaseErr    error
	stopRenew   context.CancelFunc
	renewDone   chan struct{}
	snapshotted bool
	// knownSerial and knownLin are the stored state's as last read or
	// written, stateSize its size. journalETag is this run's journal's
	// version (nil: none started), journalSize its size, journalSerial
	// the serial its last record gave the state; pending says the stored
	// state lacks changes a journal holds.
	knownSerial   int64
	knownLin      string
	stateSize     int64
	journalETag   *azcore.ETag
	journalSize   int64
	journalSerial int64
	pending       bool
}

// New returns the azureblob backend for o. Nothing is sent yet.
func New(o Options) (*Backend, error) {
	if o.Container == "" || o.Key == "" {
		return nil, errors.New(`the azureblob backend needs container and key: backend "azureblob" { account_url = "https://ACCOUNT.blob.core.windows.net"  container = "tfstate"  key = "prod/app.json" }`)
	}
	if o.LeaseDuration == 0 {
		o.LeaseDuration = 60 * time.Second
	}
	if o.LeaseDuration < 15*time.Second || o.LeaseDuration > 60*time.Second {
		return nil, fmt.Errorf("the blob lease duration %s is outside 15s to 60s", o.LeaseDuration)
	}
	copts := &blockblob.ClientOptions{}
	copts.Retry = o.Retry
	if copts.Retry.TryTimeout == 0 {
		// A hung connection must not hang the command (and the lease).
		copts.Retry.TryTimeout = time.Minute
	}
	if o.Transport != nil {
		copts.Transport = o.Transport
	}
	var client *blockblob.Client
	var journal *appendblob.Client
	var err error
	jopts := &appendblob.ClientOptions{ClientOptions: copts.ClientOptions}
	switch {
	case o.ConnectionString != "":
		client, err = blockblob.NewClientFromConnectionString(o.ConnectionString, o.Container, o.Key, copts)
		if err == nil {
			journal, err = appendblob.NewClientFromConnectionString(o.ConnectionString, o.Container, o.Key+journalSuffix, jopts)
		}
	default:
		var base string
		base, err = checkAccountURL(o.AccountURL)
		if err != nil {
			return nil, err
		}
		blobURL := base + "/" + url.PathEscape(o.Container) + "/" + escapeKey(o.Key)
		switch {
		case o.SASToken != "":
			sas := "?" + strings.TrimPrefix(o.SASToken, "?")
			client, err = blockblob.NewClientWithNoCredential(blobURL+sas, copts)
			if err == nil {
				journal, err = appendblob.NewClientWithNoCredential(blobURL+url.PathEscape(journalSuffix)+sas, jopts)
			}
		case o.Credential != nil:
			client, err = blockblob.NewClient(blobURL, o.Credential, copts)
			if err == nil {
				journal, err = appendblob.NewClient(blobURL+url.PathEscape(journalSuffix), o.Credential, jopts)
			}
		default:
			return nil, fmt.Errorf("the azureblob backend has no credential: sign in with the Azure CLI or set %s or %s", ConnectionStringEnv, SASTokenEnv)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the azureblob backend: %w", err)
	}
	return &Backend{opts: o, client: client, where: withoutQuery(client.URL()), journal: journal, journalWhere: withoutQuery(journal.URL())}, nil
}

// journalSuffix names the journal blob beside the state blob.
const journalSuffix = ".journal"

// withoutQuery is a blob URL without its query: never print a SAS token.
func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = ""
	return u.String()
}

func checkAccountURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if raw == "" || err != nil || u.Host == "" {
		return "", fmt.Errorf("the azureblob backend's account_url %q is not a URL: write it as https://ACCOUNT.blob.core.windows.net", raw)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", fmt.Errorf("the azureblob backend's account_url %q is not https: only an emulator on loopback may use http", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
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
		b.mu.Lock()
		leased := b.leaseID != ""
		b.mu.Unlock()
		if leased {
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
		b.etag, b.stored = nil, false
		b.mu.Unlock()
	case err != nil:
		return nil, b.explain("reading", err)
	default:
		b.mu.Lock()
		b.etag, b.stored = etag, len(bytes.TrimSpace(data)) > 0
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
	b.knownSerial, b.knownLin, b.stateSize, b.pending = serial, lineage, int64(len(data)), pending
	b.mu.Unlock()
	return s, nil
}

// replay applies the journal blob, if any, to s (nil when no state is
// stored), and reports whether it held changes the state blob lacks.
func (b *Backend) replay(ctx context.Context, s *state.State) (*state.State, bool, error) {
	resp, err := b.journal.DownloadStream(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return s, false, nil
	}
	if err != nil {
		return nil, false, b.explain("reading the journal of", err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, false, b.explain("reading the journal of", err)
	}
	out, info, err := state.ReplayJournal(s, data, b.journalWhere, b.where)
	if err != nil {
		return nil, false, err
	}
	b.mu.Lock()
	leased := b.leaseID != ""
	b.mu.Unlock()
	if info.Stale && leased {
		// The state already holds everything in it; If-Match, so that a
		// journal started since is never removed.
		_, err := b.journal.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{
			ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: resp.ETag}}})
		if err != nil {
			slog.Debug("could not remove a stale state journal", "blob", b.journalWhere, "error", err)
		}
	}
	slog.Debug("state journal read", "blob", b.journalWhere, "records", info.Records, "torn", info.Torn, "stale", info.Stale)
	return out, !info.Stale, nil
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
	if b.leaseErr != nil {
		return fmt.Errorf("the lock on the state %s was lost (%v); nothing was written. Another run may hold it now: check, then run the command again", b.where, b.leaseErr)
	}
	if b.leaseID != "" && b.stored && !b.snapshotted {
		if _, err := b.client.CreateSnapshot(ctx, &blob.CreateSnapshotOptions{
			AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: &b.leaseID}},
		}); err != nil {
			if isLeaseError(err) {
				return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
			}
			return b.explain("keeping a snapshot of the previous state", err)
		}
	}
	// One snapshot per lock: the version before this run's first write.
	b.snapshotted = true
	serial := s.Serial
	s.Serial++
	data, err := state.Encode(s)
	if err != nil {
		s.Serial = serial
		return err
	}
	cond := &blob.ModifiedAccessConditions{}
	if b.etag != nil {
		cond.IfMatch = b.etag
	} else {
		cond.IfNoneMatch = to.Ptr(azcore.ETagAny)
	}
	opts := &blockblob.UploadOptions{
		Metadata:         b.lockMeta,
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: to.Ptr("application/json")},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: cond},
	}
	if b.leaseID != "" {
		opts.AccessConditions.LeaseAccessConditions = &blob.LeaseAccessConditions{LeaseID: &b.leaseID}
	}
	resp, err := b.client.Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), opts)
	if err == nil {
		b.etag, b.stored = resp.ETag, true
		b.written(ctx, s, len(data))
		slog.Debug("state written", "blob", b.where, "serial", s.Serial, "resources", len(s.Resources))
		return nil
	}
	if isConditionFailed(err) {
		// The upload may have landed and only its answer been lost, so
		// that a retry then failed on the ETag the upload itself changed.
		if cur, etag, derr := b.download(ctx); derr == nil && bytes.Equal(cur, data) {
			b.etag, b.stored = etag, true
			b.written(ctx, s, len(data))
			slog.Debug("state write confirmed after a lost response", "blob", b.where, "serial", s.Serial)
			return nil
		}
		s.Serial = serial
		if b.leaseID != "" && !b.stillLeased(ctx) {
			return fmt.Errorf("the lock on the state %s was lost and someone else changed the state since; nothing was written. Check who holds the lock now, then run the command again", b.where)
		}
		return &state.ConflictError{Where: b.where, Detail: "its ETag no longer matches the version this run read"}
	}
	s.Serial = serial
	if isLeaseError(err) && b.leaseID == "" {
		return fmt.Errorf("the state %s is locked by another run, and this one does not hold the lock; nothing was written: %w", b.where, err)
	}
	if isLeaseError(err) {
		return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
	}
	return b.explain("writing", err)
}

// written notes that the state blob now holds s (size bytes) and removes
// the journal, whose changes s holds. A journal that cannot be removed is
// older than the state now, so reads ignore it. The caller holds b.mu.
func (b *Backend) written(ctx context.Context, s *state.State, size int) {
	b.knownSerial, b.knownLin, b.stateSize = s.Serial, s.Lineage, int64(size)
	if b.journalETag != nil || b.pending {
		if _, err := b.journal.Delete(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound) {
			slog.Debug("could not remove the state journal", "blob", b.journalWhere, "error", err)
		}
	}
	b.journalETag, b.journalSize, b.pending = nil, 0, false
}

// Append records the changes to s at the addresses changed (and its
// outputs, for state.OutputsChanged) as one block appended to the append blob
// KEY.journal, and bumps the serial of s; see state.Journaler. It appends only
// while this run holds the state blob's lease, each block conditional on
// the journal's ETag and append position, so that nothing else's writes
// are interleaved and a resent block is never appended twice. It writes
// the whole state instead without the lease, with no address given, when
// the stored state is not the one this backend last read or wrote at s's
// serial, and when the block would take the journal past the size of the
// state (compaction, see compactAt).
func (b *Backend) Append(ctx context.Context, s *state.State, changed ...string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(changed) == 0 || b.leaseID == "" || b.leaseErr != nil {
		return b.write(ctx, s)
	}
	if b.journalETag != nil && (b.journalSerial != s.Serial || b.knownLin != s.Lineage && b.stored) {
		return b.write(ctx, s)
	}
	var header []byte
	if b.journalETag == nil {
		ok, err := b.startJournal(ctx, s)
		if err != nil {
			slog.Debug("could not start a state journal; writing the state whole", "blob", b.journalWhere, "error", err)
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
	if b.journalSize+int64(len(block)) > state.CompactAt(b.stateSize) {
		return b.write(ctx, s)
	}
	resp, err := b.journal.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(block)), &appendblob.AppendBlockOptions{
		AppendPositionAccessConditions: &appendblob.AppendPositionAccessConditions{AppendPosition: to.Ptr(b.journalSize)},
		AccessConditions:               &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: b.journalETag}},
	})
	etag := resp.ETag
	if err != nil && (isConditionFailed(err) || bloberror.HasCode(err, bloberror.AppendPositionConditionNotMet)) {
		// The block may have landed and only its answer been lost.
		if cur, e, derr := b.downloadJournal(ctx); derr == nil && int64(len(cur)) == b.journalSize+int64(len(block)) && bytes.HasSuffix(cur, block) {
			etag, err = e, nil
		}
	}
	if err != nil {
		// The journal is no longer known to be this run's alone: the next
		// save writes the state whole, with Write's checks.
		b.journalETag = nil
		if isLeaseError(err) {
			return fmt.Errorf("the lock on the state %s was lost; nothing was written. Another run may hold it now: check, then run the command again: %w", b.where, err)
		}
		return b.explain("appending to the journal of", err)
	}
	s.Serial++
	b.journalETag, b.journalSize, b.journalSerial, b.pending = etag, b.journalSize+int64(len(block)), s.Serial, true
	return nil
}

// startJournal creates the empty journal blob, when the stored state is
// the one this backend last read or wrote at s's serial (or none is stored
// and s was never written) and no journal is there. The caller holds b.mu.
func (b *Backend) startJournal(ctx context.Context, s *state.State) (bool, error) {
	if b.pending {
		// A journal replayed by Read: the first save folds it in.
		return false, nil
	}
	known := b.stored && b.etag != nil && s.Serial == b.knownSerial && s.Lineage == b.knownLin
	if !known && (b.stored || s.Serial != 0) {
		return false, nil
	}
	resp, err := b.journal.Create(ctx, &appendblob.CreateOptions{
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: to.Ptr("application/x-ndjson")},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}},
	})
	if err != nil {
		return false, err
	}
	b.journalETag, b.journalSize, b.journalSerial = resp.ETag, 0, s.Serial
	return true, nil
}

func (b *Backend) downloadJournal(ctx context.Context) ([]byte, *azcore.ETag, error) {
	resp, err := b.journal.DownloadStream(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return data, resp.ETag, err
}

// Compact uploads s whole when the state blob lacks changes that a journal
// holds (this run's, or one Read replayed), and removes the journal; see
// state.Journaler.
func (b *Backend) Compact(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.pending {
		return nil
	}
	return b.write(ctx, s)
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

// stillLeased reports whether this backend's lease is still the blob's, by
// renewing it.
func (b *Backend) stillLeased(ctx context.Context) bool {
	lc, err := lease.NewBlobClient(b.client, &lease.BlobClientOptions{LeaseID: to.Ptr(b.leaseID)})
	if err != nil {
		return false
	}
	_, err = lc.RenewLease(ctx, nil)
	return err == nil
}

// explain words a storage error for the person reading it.
func (b *Backend) explain(doing string, err error) error {
	switch {
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return fmt.Errorf("%s the state %s: the container %q does not exist; create it (az storage container create --name %s) and run the command again", doing, b.where, b.opts.Container, b.opts.Container)
	case bloberror.HasCode(err, bloberror.AuthenticationFailed, bloberror.AuthorizationFailure, bloberror.AuthorizationPermissionMismatch):
		return fmt.Errorf("%s the state %s: access denied; the identity needs the Storage Backend Data Contributor role on the container: %w", doing, b.where, err)
	}
	return fmt.Errorf("%s the state %s: %w", doing, b.where, err)
}

// Lock takes a lease on the blob (creating an empty blob first when there is
// none), records info in its metadata, and renews the lease until Unlock.
func (b *Backend) Lock(ctx context.Context, info state.LockInfo) (state.LockInfo, error) {
	b.mu.Lock()
	held := b.leaseID != ""
	b.mu.Unlock()
	if held {
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
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: to.Ptr(info.ID)}},
	})
	if err != nil {
		_, _ = lc.ReleaseLease(context.WithoutCancel(ctx), nil)
		return state.LockInfo{}, b.explain("recording the lock on", err)
	}
	renewCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	b.mu.Lock()
	b.followOwnChange(acq.ETag, set.ETag)
	b.leaseID, b.lockMeta, b.leaseErr, b.snapshotted = info.ID, meta, nil, false
	b.stopRenew, b.renewDone = stop, make(chan struct{})
	b.mu.Unlock()
	go b.renew(renewCtx, lc, b.renewDone)
	slog.Debug("state locked", "blob", b.where, "lock", info.ID)
	return info, nil
}

// followOwnChange moves the ETag this backend read to after, when the blob
// was at that version (before) when the lock metadata changed it: the state
// in it is the same, so a Read before Lock still allows a Write after it.
// The caller holds b.mu.
func (b *Backend) followOwnChange(before, after *azcore.ETag) {
	if b.etag != nil && before != nil && after != nil && *b.etag == *before {
		b.etag = after
	}
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
				b.mu.Lock()
				b.leaseErr = err
				b.mu.Unlock()
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
	id, stop, done, lost := b.leaseID, b.stopRenew, b.renewDone, b.leaseErr
	b.leaseID, b.lockMeta, b.stopRenew, b.renewDone = "", nil, nil, nil
	// A journal not compacted is left for the next run to replay.
	b.journalETag = nil
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
	before := b.etag
	b.mu.Unlock()
	set, err := b.client.SetMetadata(ctx, map[string]*string{}, &blob.SetMetadataOptions{
		AccessConditions: &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: to.Ptr(id)}},
	})
	if err != nil && !isLeaseError(err) {
		return b.explain("clearing the lock on", err)
	}
	if err == nil {
		b.mu.Lock()
		b.followOwnChange(before, set.ETag)
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
