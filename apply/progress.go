package apply

import (
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

// Event is one progress report. How it is shown is the views' business
// (cmd/azapply/views): the engine only fills it in.
type Event struct {
	Time    time.Time
	Kind    EventKind
	Op      Op
	Address string
	ID      string
	Elapsed time.Duration
	Error   string
	Message string
}

// Reporter is the engine's hook: apply and ResumeInFlight report every
// event of every operation to it, and render nothing themselves; the views
// of cmd/azapply turn the events into text lines or JSON lines.
// Implementations must be safe for concurrent use: operations run in
// parallel.
type Reporter interface {
	Report(Event)
}

// NoReporter drops every event: the Reporter of a run no one watches.
type NoReporter struct{}

// Report drops e.
func (NoReporter) Report(Event) {}

// seconds prints a duration as Terraform does (34s, 2m10s), for the
// messages of errors and events.
func seconds(d time.Duration) string {
	return d.Round(time.Second).String()
}
