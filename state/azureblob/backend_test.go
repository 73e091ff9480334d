package azureblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/azapply/azapply/state"
	"github.com/azapply/azapply/state/azuritetest"
	"github.com/azapply/azapply/state/internal/statetest"
)

func newTestBlob(t *testing.T, connStr, container string) *Backend {
	t.Helper()
	b, err := New(Options{ConnectionString: connStr, Container: container, Key: "prod/app.json", LeaseDuration: 15 * time.Second,
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBlobWriteReadSnapshot(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	b := newTestBlob(t, conn, container)
	info, err := b.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 0 || len(s.Resources) != 0 {
		t.Fatalf("a new blob reads as %+v", s)
	}
	for i := 0; i < 3; i++ {
		s.Set(&state.Resource{Address: fmt.Sprintf("resource.r%d", i), ID: "/x"})
		if err := b.Write(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.holder(ctx); got.ID != info.ID || got.Operation != "apply" {
		t.Errorf("the blob's metadata names %+v, want lock %s", got, info.ID)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	// A second run: its first write snapshots the version it replaces.
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	s, err = b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 3 || len(s.Resources) != 3 {
		t.Fatalf("read back serial %d with %d resources, want 3 and 3", s.Serial, len(s.Resources))
	}
	s.Remove("resource.r0")
	if err := b.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	snaps := snapshots(t, conn, container, "prod/app.json")
	if len(snaps) != 1 {
		t.Fatalf("%d snapshots, want 1 (the version before the second run)", len(snaps))
	}
	snap, err := state.Decode(snaps[0], "snapshot")
	if err != nil || snap.Serial != 3 {
		t.Fatalf("the snapshot is %v (%v), want serial 3", snap, err)
	}
}

func snapshots(t *testing.T, conn, container, key string) [][]byte {
	t.Helper()
	ctx := context.Background()
	c, err := azblob.NewClientFromConnectionString(conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	pager := c.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Include: azblob.ListBlobsInclude{Snapshots: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Segment.BlobItems {
			if *it.Name != key || it.Snapshot == nil || *it.Snapshot == "" {
				continue
			}
			bc, err := c.ServiceClient().NewContainerClient(container).NewBlobClient(key).WithSnapshot(*it.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := bc.DownloadStream(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out = append(out, data)
		}
	}
	return out
}

func TestBlobLockContentionAndForceUnlock(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	a, b := newTestBlob(t, conn, container), newTestBlob(t, conn, container)
	info, err := a.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lock(ctx, state.NewLockInfo("plan"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info.ID != info.ID || le.Info.Operation != "apply" || le.Info.PID != os.Getpid() {
		t.Fatalf("second Lock error = %v, want a state.LockedError naming the holder", err)
	}
	if !strings.Contains(err.Error(), "azapply force-unlock "+info.ID) {
		t.Errorf("the lock error %q does not say how to break a stale lease", err)
	}
	// A writer that skips the lock cannot write under someone else's lease.
	sb, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, sb); err == nil || !strings.Contains(err.Error(), "locked by another run") {
		t.Errorf("Write without the lock while another run holds it: %v", err)
	}
	if err := b.ForceUnlock(ctx, "not-the-id"); err == nil || !strings.Contains(err.Error(), "not \"not-the-id\"") {
		t.Errorf("ForceUnlock with a wrong ID: %v", err)
	}
	if err := b.ForceUnlock(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, state.NewLockInfo("plan")); err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(ctx, info.ID); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("ForceUnlock of a free blob: %v", err)
	}
}

func TestBlobLostLease(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	a, other := newTestBlob(t, conn, container), newTestBlob(t, conn, container)
	info, err := a.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	// Someone breaks the lock and takes it while a still runs.
	if err := other.ForceUnlock(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	s.Set(&state.Resource{Address: "resource.late", ID: "/x"})
	err = a.Write(ctx, s)
	if err == nil || !strings.Contains(err.Error(), "lock on the state") {
		t.Fatalf("Write after losing the lease: %v, want a refusal", err)
	}
	if s.Serial != 1 {
		t.Errorf("the refused write moved the serial to %d", s.Serial)
	}
	got, err := other.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("resource.late") != nil || got.Serial != 1 {
		t.Errorf("the blob holds serial %d with %v: the write without the lease landed", got.Serial, statetest.Addresses(got))
	}
	if err := a.Unlock(ctx); err != nil {
		t.Errorf("Unlock after losing the lease: %v", err)
	}
	if err := other.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestBlobLeaseRenewalFailureIsNoticed(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	a, other := newTestBlob(t, conn, container), newTestBlob(t, conn, container)
	info, err := a.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.ForceUnlock(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	// The renewal (every 5s for a 15s lease) finds the lease broken.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if a.lease.view().lost != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the renewal never noticed the broken lease")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := a.Write(ctx, s); err == nil || !strings.Contains(err.Error(), "was lost") {
		t.Fatalf("Write after the renewal failed: %v", err)
	}
	_ = a.Unlock(ctx)
}

func TestBlobETagConflict(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	a, b := newTestBlob(t, conn, container), newTestBlob(t, conn, container)
	sa, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(ctx, sa); err != nil {
		t.Fatal(err)
	}
	s1, err := a.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s2.Set(&state.Resource{Address: "resource.b", ID: "/b"})
	if err := b.Write(ctx, s2); err != nil {
		t.Fatal(err)
	}
	s1.Set(&state.Resource{Address: "resource.a", ID: "/a"})
	err = a.Write(ctx, s1)
	var ce *state.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("the second writer got %v, want a state.ConflictError", err)
	}
	got, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("resource.b") == nil || got.Get("resource.a") != nil || got.Serial != 2 {
		t.Errorf("after the conflict the blob holds serial %d with %v, want b's write only", got.Serial, statetest.Addresses(got))
	}

	// A new blob that someone else creates between Read and Write.
	c, d := newTestBlob(t, conn, container), newTestBlob(t, conn, container)
	c.opts.Key, d.opts.Key = "other.json", "other.json"
	c = mustBlob(t, c.opts)
	d = mustBlob(t, d.opts)
	sc, _ := c.Read(ctx)
	sd, _ := d.Read(ctx)
	if err := d.Write(ctx, sd); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, sc); !errors.As(err, &ce) {
		t.Errorf("creating a blob someone else created: %v, want a state.ConflictError", err)
	}
}

func mustBlob(t *testing.T, o Options) *Backend {
	t.Helper()
	b, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// faultTransport breaks the upload of the state (a PUT with a body): after
// sending it (the answer is lost) or before (nothing arrives).
type faultTransport struct {
	next       *http.Client
	afterSend  bool
	failPuts   atomic.Int32 // how many state uploads still fail
	seenFaults atomic.Int32
}

func (f *faultTransport) Do(req *http.Request) (*http.Response, error) {
	isUpload := req.Method == http.MethodPut && req.URL.Query().Get("comp") == "" && req.ContentLength > 0
	if isUpload && f.failPuts.Add(-1) >= 0 {
		f.seenFaults.Add(1)
		if f.afterSend {
			resp, err := f.next.Do(req)
			if err == nil {
				resp.Body.Close()
			}
		}
		return nil, errors.New("connection reset by peer (injected)")
	}
	return f.next.Do(req)
}

func TestBlobNetworkErrorDuringWrite(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		afterSend bool
		fails     int32
		wantErr   bool
	}{
		{"answer lost, the retry finds its own write", true, 1, false},
		{"request lost once, the retry lands", false, 1, false},
		{"every attempt lost", false, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			container := azuritetest.NewContainer(t, conn)
			ft := &faultTransport{next: &http.Client{}, afterSend: tt.afterSend}
			b, err := New(Options{ConnectionString: conn, Container: container, Key: "s.json", Transport: ft, LeaseDuration: 15 * time.Second,
				Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = b.Unlock(ctx) }()
			s, err := b.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Write(ctx, s); err != nil {
				t.Fatal(err)
			}
			s.Set(&state.Resource{Address: "resource.a", ID: "/a"})
			ft.failPuts.Store(tt.fails)
			err = b.Write(ctx, s)
			if ft.seenFaults.Load() == 0 {
				t.Fatal("no fault was injected: the test does not test anything")
			}
			ft.failPuts.Store(0)
			got, rerr := newTestBlob(t, conn, container).readKey(ctx, "s.json")
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatal("Write succeeded though every attempt failed")
				}
				if s.Serial != 1 || got.Serial != 1 || got.Get("resource.a") != nil {
					t.Errorf("after a failed write: memory serial %d, blob serial %d %v; want both 1 without resource.a", s.Serial, got.Serial, statetest.Addresses(got))
				}
				// The next write, with the network back, lands.
				if err := b.Write(ctx, s); err != nil {
					t.Fatalf("the write after the network came back: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got.Serial != 2 || got.Get("resource.a") == nil {
				t.Errorf("the blob holds serial %d with %v, want 2 with resource.a", got.Serial, statetest.Addresses(got))
			}
			// The backend knows the new ETag: the next write is not a conflict.
			if err := b.Write(ctx, s); err != nil {
				t.Fatalf("the next write: %v", err)
			}
		})
	}
}

// readKey reads another key of the same container, without the lock.
func (b *Backend) readKey(ctx context.Context, key string) (*state.State, error) {
	o := b.opts
	o.Key = key
	nb, err := New(o)
	if err != nil {
		return nil, err
	}
	return nb.Read(ctx)
}

func TestBlobConcurrentWritersInTwoProcesses(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	container := azuritetest.NewContainer(t, conn)
	const n = 8
	var cmds []*exec.Cmd
	for _, tag := range []string{"a", "b"} {
		cmd := statetest.Helper(t, fmt.Sprintf("writer:%d:%s", n, tag), container)
		cmd.Env = append(cmd.Env, ConnectionStringEnv+"="+conn)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	b := newTestBlob(t, conn, container)
	b.opts.Key = "state.json"
	s, err := mustBlob(t, b.opts).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2*n || len(s.Resources) != 2*n {
		t.Fatalf("serial %d with %d resources, want %d of each: an update was lost", s.Serial, len(s.Resources), 2*n)
	}
}

func TestNewBlobRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr string
	}{
		{"no container", Options{AccountURL: "https://a.blob.core.windows.net", Key: "k"}, "needs container and key"},
		{"plain http", Options{AccountURL: "http://a.blob.core.windows.net", Container: "c", Key: "k", SASToken: "sv=1"}, "not https"},
		{"not a URL", Options{AccountURL: "a.blob", Container: "c", Key: "k", SASToken: "sv=1"}, "not a URL"},
		{"no credential", Options{AccountURL: "https://a.blob.core.windows.net", Container: "c", Key: "k"}, "no credential"},
		{"lease too long", Options{AccountURL: "https://a.blob.core.windows.net", Container: "c", Key: "k", SASToken: "sv=1", LeaseDuration: time.Hour}, "outside 15s to 60s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	b, err := New(Options{AccountURL: "http://127.0.0.1:10000/devstoreaccount1", Container: "c", Key: "a b/state.json", SASToken: "?sig=SECRET"})
	if err != nil {
		t.Fatalf("http on loopback is for emulators and allowed: %v", err)
	}
	if strings.Contains(b.String(), "SECRET") || !strings.HasSuffix(b.String(), "/c/a%20b/state.json") {
		t.Errorf("String() = %q: it must name the blob and never the SAS token", b.String())
	}
}

// TestBlobKill9DuringWrites kills a writer mid-run: the blob holds a whole
// state, and its lease, left behind, names the dead run until force-unlock
// breaks it.
func TestBlobKill9DuringWrites(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	cmd := statetest.Helper(t, "churn", container)
	cmd.Env = append(cmd.Env, ConnectionStringEnv+"="+conn)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := newTestBlob(t, conn, container)
	b.opts.Key = "state.json"
	b = mustBlob(t, b.opts)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if s, err := b.Read(ctx); err == nil && s.Serial >= 3 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the writer never reached serial 3")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(15 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	s, err := b.Read(ctx)
	if err != nil {
		t.Fatalf("after kill -9 the state does not read: %v", err)
	}
	if s.Serial < 3 {
		t.Fatalf("serial %d after kill -9, want at least 3", s.Serial)
	}
	_, err = b.Lock(ctx, state.NewLockInfo("apply"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info.PID != cmd.Process.Pid || le.Info.Operation != "churn" {
		t.Fatalf("Lock after the holder died: %v, want a state.LockedError naming pid %d", err, cmd.Process.Pid)
	}
	if err := b.ForceUnlock(ctx, le.Info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// The lock's metadata changes the blob's ETag but not the state in it: a
// state read before Lock may still be written under it, and after Unlock.
func TestBlobReadBeforeLock(t *testing.T) {
	conn := azuritetest.ConnectionString(t)
	ctx := context.Background()
	container := azuritetest.NewContainer(t, conn)
	b := newTestBlob(t, conn, container)
	s, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, s); err != nil {
		t.Fatal(err)
	}
	s, err = b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, s); err != nil {
		t.Fatalf("Write under the lock of a state read before it: %v", err)
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, s); err != nil {
		t.Fatalf("Write after Unlock: %v", err)
	}
	got, err := newTestBlob(t, conn, container).Read(ctx)
	if err != nil || got.Serial != 3 {
		t.Fatalf("the blob holds serial %v (%v), want 3", got, err)
	}
}
