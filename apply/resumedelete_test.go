package apply

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state"
)

// eventLog records the events reported.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) Report(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// TestResumedDeleteWaitsForTheNotFound: a delete an earlier run started
// and did not see end is, once resumed, done only when the resource's GET
// answers 404, as a fresh delete is: ARM still shows the resource
// (Deleting) for a while after the operation ends, and a create of the
// same ID meanwhile fails. The wait is reported.
func TestResumedDeleteWaitsForTheNotFound(t *testing.T) {
	srv := emulator.New(emulator.Options{RetryAfter: time.Millisecond, Consistency: emulator.Consistency{LingeringDelete: 300 * time.Millisecond}})
	srv.SetOperations(emulator.OperationRule{Type: "Microsoft.ContainerRegistry/registries", Method: "DELETE",
		Operation: emulator.Operation{Pattern: emulator.Location, Polls: 2}})
	client := emulatorClient(t, srv)
	s := newStack(t, client)
	s.write(registryConfig("Basic", ""))
	if _, err := s.apply(context.Background(), Options{}); err != nil {
		t.Fatal(err)
	}

	// An earlier run sent the DELETE and crashed while polling it.
	ctx, cancel := context.WithCancel(context.Background())
	first, err := client.Send(ctx, arm.Request{Method: http.MethodDelete, ID: emuACR, APIVersion: "2023-07-01"})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	_, _ = client.Wait(ctx, first, arm.WaitOptions{Progress: func(p arm.Progress) {
		if token == "" {
			token = p.ResumeToken
			cancel()
		}
	}})
	cancel()
	if token == "" {
		t.Fatal("the delete gave no resume token")
	}
	s.st.StartOperation("resource.acr", emuACR, "2023-07-01", state.Operation{Method: http.MethodDelete, ResumeToken: token, Started: time.Now()})

	events := &eventLog{}
	if err := ResumeInFlight(context.Background(), Options{Client: client, State: s.st, Reporter: events, ConsistencyDelay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if s.st.Get("resource.acr") != nil {
		t.Fatal("the resumed delete left its record in the state")
	}
	if _, err := client.Get(context.Background(), emuACR, "2023-07-01"); !arm.IsNotFound(err) {
		t.Fatalf("right after the resumed delete, GET answers %v; want 404: the resume did not wait for it", err)
	}
	waits := 0
	for _, e := range events.events {
		if e.Kind == EventWaiting && e.Address == "resource.acr" {
			waits++
		}
	}
	if waits == 0 {
		t.Errorf("the wait for the 404 was not reported: %+v", events.events)
	}
}
