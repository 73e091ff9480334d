package apply

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/azapply/azapply/arm"
)

// fakeClient is an in-memory ARM for the executor's unit tests. It records
// the order of operations and the peak number in flight, and can refuse
// concurrent writes under one parent as ARM does.
type fakeClient struct {
	mu        sync.Mutex
	resources map[string]map[string]any
	delay     time.Duration
	// fail maps a lower-cased ID to the error its writes return.
	fail map[string]error
	// block makes writes to these IDs wait until their context ends;
	// blockGet does the same to reads, and gets records how each ended.
	block    map[string]bool
	blockGet map[string]bool
	gets     map[string]error
	// busyParents makes a write fail with 409 AnotherOperationInProgress
	// while another write under the same parent is in flight.
	busyParents bool

	inFlight, peak int
	parentsBusy    map[string]int
	started        []string // "PUT id" / "DELETE id" in start order
	finished       map[string]time.Time
	startedAt      map[string]time.Time
	conflicts      int
	// requests are every request Do received, in order.
	requests []arm.Request
	// priority are the requests ("PUT id") sent with arm.WithPriority.
	priority map[string]bool
	// resumed are the resume tokens Resume was called with.
	resumed []string
	// lists are the resource groups listed, lower-cased, in order.
	lists []string
}

func newFake() *fakeClient {
	return &fakeClient{
		resources: map[string]map[string]any{}, fail: map[string]error{}, block: map[string]bool{}, blockGet: map[string]bool{}, gets: map[string]error{},
		parentsBusy: map[string]int{}, priority: map[string]bool{}, finished: map[string]time.Time{}, startedAt: map[string]time.Time{},
	}
}

func (f *fakeClient) Get(ctx context.Context, id, _ string) (*arm.Response, error) {
	f.mu.Lock()
	blocked := f.blockGet[strings.ToLower(id)]
	f.mu.Unlock()
	if blocked {
		<-ctx.Done()
		f.mu.Lock()
		f.gets[strings.ToLower(id)] = ctx.Err()
		f.mu.Unlock()
		return nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.resources[strings.ToLower(id)]
	if !ok {
		return nil, &arm.Error{StatusCode: http.StatusNotFound, Code: "ResourceNotFound", Message: "not found"}
	}
	out := map[string]any{"id": id}
	for k, v := range b {
		out[k] = v
	}
	return &arm.Response{StatusCode: 200, Body: out}, nil
}

func (f *fakeClient) Do(ctx context.Context, r arm.Request) (*arm.Response, error) {
	if err := f.begin(ctx, r.Method, r.ID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := strings.ToLower(r.ID)
	f.requests = append(f.requests, r)
	if arm.HasPriority(ctx) {
		f.priority[r.Method+" "+r.ID] = true
	}
	switch r.Method {
	case http.MethodPut:
		f.resources[key] = r.Body.(map[string]any)
	case http.MethodPatch:
		cur := f.resources[key]
		for k, v := range r.Body.(map[string]any) {
			if v == nil {
				delete(cur, k)
			} else {
				cur[k] = v
			}
		}
	case http.MethodDelete:
		// A delete takes what lies inside with it, as a resource group's does.
		for k := range f.resources {
			if k == key || strings.HasPrefix(k, key+"/") {
				delete(f.resources, k)
			}
		}
	}
	return &arm.Response{StatusCode: 200}, nil
}

// List answers a resource group's list of resources ({group}/resources):
// everything under the group, in one page.
func (f *fakeClient) List(_ context.Context, collection, _ string, fn func(arm.Page) bool) error {
	f.mu.Lock()
	group, ok := strings.CutSuffix(strings.ToLower(collection), "/resources")
	if !ok {
		f.mu.Unlock()
		return &arm.Error{StatusCode: http.StatusBadRequest, Code: "InvalidCollection", Message: "the fake lists only {group}/resources"}
	}
	f.lists = append(f.lists, group)
	var page arm.Page
	for k := range f.resources {
		if strings.HasPrefix(k, group+"/") {
			page.Items = append(page.Items, map[string]any{"id": k, "type": "Test/things"})
		}
	}
	f.mu.Unlock()
	fn(page)
	return nil
}

// begin simulates a write taking f.delay, tracking concurrency.
func (f *fakeClient) begin(ctx context.Context, method, id string) error {
	key := strings.ToLower(id)
	parent := ""
	if p, _, ok := parentResource(id); ok {
		parent = p.Key()
	}
	f.mu.Lock()
	if f.busyParents && parent != "" && f.parentsBusy[parent] > 0 {
		f.conflicts++
		f.mu.Unlock()
		return &arm.Error{StatusCode: http.StatusConflict, Code: "AnotherOperationInProgress", Message: "Another operation on this or dependent resource is in progress."}
	}
	f.parentsBusy[parent]++
	f.inFlight++
	if f.inFlight > f.peak {
		f.peak = f.inFlight
	}
	f.started = append(f.started, method+" "+key)
	f.startedAt[method+" "+key] = time.Now()
	err, block := f.fail[key], f.block[key]
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.parentsBusy[parent]--
		f.finished[method+" "+key] = time.Now()
		f.mu.Unlock()
	}()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}

// Resume finishes a recorded operation at once: the fake's operations are
// synchronous, so a token names an operation that already ended.
func (f *fakeClient) Resume(_ context.Context, token string, _ arm.WaitOptions) (*arm.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resumed = append(f.resumed, token)
	if err, ok := f.fail[token]; ok {
		return nil, err
	}
	return &arm.Response{StatusCode: 200}, nil
}
