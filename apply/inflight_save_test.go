package apply

import (
	"context"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// pollingClient reports progress as arm.Client does for a long-running
// operation: once when polling starts, then after each of polls unfinished
// polls, all with the same resume token.
type pollingClient struct {
	*fakeClient
	polls int
}

func (c pollingClient) Do(ctx context.Context, r arm.Request) (*arm.Response, error) {
	if r.Progress != nil {
		for i := 0; i <= c.polls; i++ {
			r.Progress(arm.Progress{Method: r.Method, ID: r.ID, Status: "InProgress", Polls: i, ResumeToken: "token-of-" + r.ID})
		}
	}
	return c.fakeClient.Do(ctx, r)
}

// TestInFlightSavedOncePerOperation: the operation in flight is written to
// the state when polling starts, not again after every poll (each save is
// a whole state write), and the resource is saved once more when done. A
// create is also recorded once before it is sent (so that a crash between
// ARM's answer and the next write leaves no orphan): three saves in all.
func TestInFlightSavedOncePerOperation(t *testing.T) {
	for _, polls := range []int{0, 1, 5} {
		st := state.New()
		var inFlightSeen int
		saves := 0
		save := func(s *state.State, _ ...string) error {
			saves++
			if len(s.InFlight()) > 0 {
				inFlightSeen++
			}
			return nil
		}
		p := &plan.Plan{Changes: []*plan.Change{create("resource.a", sub+"/resourceGroups/a")}}
		res, err := Run(context.Background(), Options{Plan: p, Client: pollingClient{newFake(), polls}, State: st, Save: save})
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || saves != 3 || inFlightSeen != 2 {
			t.Errorf("polls=%d: added %d, %d saves (%d with the operation in flight); want 1 added, 3 saves, 2 in flight",
				polls, res.Added, saves, inFlightSeen)
		}
		if len(st.InFlight()) != 0 {
			t.Errorf("polls=%d: the finished operation is still recorded in flight", polls)
		}
	}
}
