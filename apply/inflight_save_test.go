package apply

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// pollingClient reports progress as arm.Client does for a long-running
// operation: once when polling starts, then after each of polls unfinished
// polls, all with the same resume token. With recorded set, the operation
// then runs on until recorded is closed.
type pollingClient struct {
	*fakeClient
	polls    int
	recorded chan struct{}
}

func (c pollingClient) Do(ctx context.Context, r arm.Request) (*arm.Response, error) {
	if r.Progress != nil {
		for i := 0; i <= c.polls; i++ {
			r.Progress(arm.Progress{Method: r.Method, ID: r.ID, Status: "InProgress", Polls: i, ResumeToken: "token-of-" + r.ID})
		}
		if c.recorded != nil {
			select {
			case <-c.recorded:
			case <-time.After(time.Minute):
				return nil, errors.New("the operation in flight was never saved")
			}
		}
	}
	return c.fakeClient.Do(ctx, r)
}

// TestInFlightSavedOncePerOperation: the operation in flight is written to
// the state once when polling starts, not again after every poll, and
// without holding the operation up: while it runs on, its record is
// committed on its own (within lazySave); the resource is saved once more
// when done. A create is also recorded once before it is sent (so that a
// crash between ARM's answer and the next write leaves no orphan): three
// saves in all.
func TestInFlightSavedOncePerOperation(t *testing.T) {
	for _, polls := range []int{0, 1, 5} {
		st := state.New()
		var withToken int
		saves := 0
		recorded := make(chan struct{})
		save := func(s *state.State, _ ...string) error {
			saves++
			for _, r := range s.InFlight() {
				if r.InFlight.ResumeToken != "" {
					withToken++
					close(recorded)
				}
			}
			return nil
		}
		p := &plan.Plan{Changes: []*plan.Change{create("resource.a", sub+"/resourceGroups/a")}}
		res, err := Run(context.Background(), Options{Plan: p, Client: pollingClient{newFake(), polls, recorded}, State: st, Save: save})
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || saves != 3 || withToken != 1 {
			t.Errorf("polls=%d: added %d, %d saves (%d with the operation's resume token); want 1 added, 3 saves, 1 with the token",
				polls, res.Added, saves, withToken)
		}
		if len(st.InFlight()) != 0 {
			t.Errorf("polls=%d: the finished operation is still recorded in flight", polls)
		}
	}
}
