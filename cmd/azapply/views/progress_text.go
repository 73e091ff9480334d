package views

import (
	"fmt"
	"io"
	"time"

	"github.com/azapply/azapply/apply"
)

// opWords are, for each operation, what a progress line says when it
// starts, while it runs, and the noun of its end and of its failure.
func opWords(op apply.Op) (start, still, done, failed string) {
	switch op {
	case apply.OpCreate:
		return "Creating...", "Still creating...", "Creation", "Creation"
	case apply.OpUpdate:
		return "Modifying...", "Still modifying...", "Modifications", "Modification"
	case apply.OpDelete:
		return "Destroying...", "Still destroying...", "Destruction", "Destruction"
	case apply.OpRead:
		return "Reading...", "Still reading...", "Read", "Read"
	case apply.OpPost:
		return "Running...", "Still running...", "Action", "Action"
	}
	return "Working...", "Still working...", "Operation", "Operation"
}

// writeEvent prints one plain line per event, as Terraform does, with no
// cursor movement, so that logs and pipes read well.
func writeEvent(w io.Writer, e apply.Event) {
	start, still, done, failed := opWords(e.Op)
	switch e.Kind {
	case apply.EventStart:
		if e.Op == apply.OpCreate || e.Op == apply.OpPost {
			fmt.Fprintf(w, "%s: %s\n", e.Address, start)
		} else {
			fmt.Fprintf(w, "%s: %s [id=%s]\n", e.Address, start, e.ID)
		}
	case apply.EventProgress:
		if e.Message != "" {
			fmt.Fprintf(w, "%s: %s [%s elapsed: %s]\n", e.Address, still, seconds(e.Elapsed), e.Message)
		} else {
			fmt.Fprintf(w, "%s: %s [%s elapsed]\n", e.Address, still, seconds(e.Elapsed))
		}
	case apply.EventComplete:
		if e.Op == apply.OpDelete || e.Op == apply.OpPost {
			fmt.Fprintf(w, "%s: %s complete after %s\n", e.Address, done, seconds(e.Elapsed))
		} else {
			fmt.Fprintf(w, "%s: %s complete after %s [id=%s]\n", e.Address, done, seconds(e.Elapsed), e.ID)
		}
	case apply.EventFailed:
		fmt.Fprintf(w, "%s: %s failed after %s\n", e.Address, failed, seconds(e.Elapsed))
	case apply.EventWarning:
		fmt.Fprintf(w, "%s: Warning: %s\n", e.Address, e.Message)
	case apply.EventMoved:
		fmt.Fprintf(w, "%s: Moved to %s (no request sent)\n", e.Address, e.Message)
	case apply.EventWaiting:
		fmt.Fprintf(w, "%s: Waiting: %s\n", e.Address, e.Message)
	}
}

// seconds prints a duration as Terraform does: 34s, 2m10s.
func seconds(d time.Duration) string {
	return d.Round(time.Second).String()
}
