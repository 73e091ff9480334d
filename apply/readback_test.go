package apply

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// readingClient answers writes as a long-running operation that ended
// with a GET of the resource (readAfter) or as a synchronous write, and
// counts the GETs apply sends of its own.
type readingClient struct {
	*fakeClient
	readAfter bool
	gets      *atomic.Int32
}

func (c readingClient) Do(ctx context.Context, r arm.Request) (*arm.Response, error) {
	if _, err := c.fakeClient.Do(ctx, r); err != nil {
		return nil, err
	}
	body := map[string]any{"id": r.ID, "properties": map[string]any{"provisioningState": "Succeeded", "readBy": "operation"}}
	return &arm.Response{StatusCode: 200, Body: body, ReadAfterOperation: c.readAfter}, nil
}

func (c readingClient) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	c.gets.Add(1)
	return c.fakeClient.Get(ctx, id, apiVersion)
}

// TestReadBackOnlyWhenNeeded: after a long-running write whose result is
// already a GET of the resource, apply records that result as the output
// without a GET of its own; after any other write it reads the resource.
func TestReadBackOnlyWhenNeeded(t *testing.T) {
	for _, readAfter := range []bool{true, false} {
		c := readingClient{fakeClient: newFake(), readAfter: readAfter, gets: &atomic.Int32{}}
		st := state.New()
		p := &plan.Plan{Changes: []*plan.Change{create("resource.a", sub+"/resourceGroups/a"), create("resource.b", sub+"/resourceGroups/b")}}
		if _, err := Run(context.Background(), Options{Plan: p, Client: c, State: st}); err != nil {
			t.Fatal(err)
		}
		wantGets, wantOutput := int32(2), "resource.a" // the fake's GET echoes the body sent
		if readAfter {
			wantGets, wantOutput = 0, "operation"
		}
		if got := c.gets.Load(); got != wantGets {
			t.Errorf("readAfter=%v: %d GETs after the writes, want %d", readAfter, got, wantGets)
		}
		r := st.Get("resource.a")
		if r == nil || !strings.Contains(jsonString(t, r.Output), wantOutput) {
			t.Errorf("readAfter=%v: output %v, want it to hold %q", readAfter, r, wantOutput)
		}
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
