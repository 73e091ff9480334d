package apply

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// EventKind says what happened to an operation.
type EventKind string

// The events an operation goes through.
const (
	EventStart    EventKind = "start"
	EventProgress EventKind = "progress"
	EventComplete EventKind = "complete"
	EventFailed   EventKind = "failed"
	// EventWarning is a note about a finished operation, in Message.
	EventWarning EventKind = "warning"
	// EventMoved says the state now records the resource at Address under
	// the address in Message (a moved block); no request was sent.
	EventMoved EventKind = "moved"
	// EventWaiting is a wait within a window of ARM's eventual
	// consistency (a resource not shown yet after its create, still shown
	// after its delete, a principal not replicated yet): Message says why
	// and for how long at most.
	EventWaiting EventKind = "waiting"
)

// Op is the kind of an operation.
type Op string

// The operations apply performs.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	// OpRead reads a data source deferred to apply.
	OpRead Op = "read"
	// OpPost runs an action.
	OpPost Op = "action"
)

// Event is one progress report.
type Event struct {
	Time    time.Time     `json:"time"`
	Kind    EventKind     `json:"event"`
	Op      Op            `json:"operation"`
	Address string        `json:"address"`
	ID      string        `json:"id,omitempty"`
	Elapsed time.Duration `json:"-"`
	Error   string        `json:"error,omitempty"`
	Message string        `json:"message,omitempty"`
}

// Reporter receives progress events. Implementations must be safe for
// concurrent use: operations run in parallel.
type Reporter interface {
	Report(Event)
}

// TextReporter prints one plain line per event, as Terraform does, with no
// cursor movement, so that logs and pipes read well.
type TextReporter struct {
	mu sync.Mutex
	W  io.Writer
}

var opWords = map[Op][4]string{
	// start, still, done noun, failed noun
	OpCreate: {"Creating...", "Still creating...", "Creation", "Creation"},
	OpUpdate: {"Modifying...", "Still modifying...", "Modifications", "Modification"},
	OpDelete: {"Destroying...", "Still destroying...", "Destruction", "Destruction"},
	OpRead:   {"Reading...", "Still reading...", "Read", "Read"},
	OpPost:   {"Running...", "Still running...", "Action", "Action"},
}

// Report prints e.
func (r *TextReporter) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	words := opWords[e.Op]
	switch e.Kind {
	case EventStart:
		if e.Op == OpCreate || e.Op == OpPost {
			fmt.Fprintf(r.W, "%s: %s\n", e.Address, words[0])
		} else {
			fmt.Fprintf(r.W, "%s: %s [id=%s]\n", e.Address, words[0], e.ID)
		}
	case EventProgress:
		if e.Message != "" {
			fmt.Fprintf(r.W, "%s: %s [%s elapsed: %s]\n", e.Address, words[1], seconds(e.Elapsed), e.Message)
		} else {
			fmt.Fprintf(r.W, "%s: %s [%s elapsed]\n", e.Address, words[1], seconds(e.Elapsed))
		}
	case EventComplete:
		if e.Op == OpDelete || e.Op == OpPost {
			fmt.Fprintf(r.W, "%s: %s complete after %s\n", e.Address, words[2], seconds(e.Elapsed))
		} else {
			fmt.Fprintf(r.W, "%s: %s complete after %s [id=%s]\n", e.Address, words[2], seconds(e.Elapsed), e.ID)
		}
	case EventFailed:
		fmt.Fprintf(r.W, "%s: %s failed after %s\n", e.Address, words[3], seconds(e.Elapsed))
	case EventWarning:
		fmt.Fprintf(r.W, "%s: Warning: %s\n", e.Address, e.Message)
	case EventMoved:
		fmt.Fprintf(r.W, "%s: Moved to %s (no request sent)\n", e.Address, e.Message)
	case EventWaiting:
		fmt.Fprintf(r.W, "%s: Waiting: %s\n", e.Address, e.Message)
	}
}

// JSONReporter writes one JSON object per line per event.
type JSONReporter struct {
	mu sync.Mutex
	W  io.Writer
}

// Report writes e as a JSON line.
func (r *JSONReporter) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := struct {
		Event
		ElapsedSeconds float64 `json:"elapsed_seconds"`
	}{e, e.Elapsed.Seconds()}
	b, err := json.Marshal(line)
	if err != nil {
		return
	}
	_, _ = r.W.Write(append(b, '\n'))
}

// seconds prints a duration as Terraform does: 34s, 2m10s.
func seconds(d time.Duration) string {
	return d.Round(time.Second).String()
}
