package views

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/fleet"
)

// Fleet writes the report of `azapply fleet plan|drift` in format: text
// (a line per stack, then each stack that is not clean as plan or drift
// shows it), markdown (one summary for an issue or a chat message) or JSON
// (one document holding each stack's JSON plan).
func Fleet(s Streams, r *fleet.Report, format Format) error {
	switch format {
	case JSON:
		return fleetJSON(s.Out, r)
	case Markdown:
		return fleetMarkdown(s.Out, r)
	}
	return fleetText(s.Out, r, s.Color)
}

// FleetError shows an error that stopped the fleet before any stack ran
// (a bad flag, a pattern that matches nothing): with JSON, as diagnostic
// lines on standard output, as every JSON view does; else as text on
// standard error.
func FleetError(s Streams, format Format, err error) {
	if format == JSON {
		(&jsonView{s: s}).Error(err)
		return
	}
	// Nothing is left to tell of a failure to write an error.
	_ = WriteError(s.Err, err, s.Color)
}

// fleetStatus is a stack's status in a few words: clean, 3 changes,
// 2 drifted, error: the first line of the error.
func fleetStatus(st fleet.Result) string {
	switch st.Status {
	case fleet.Changes:
		if st.Count == 1 {
			return "1 change"
		}
		return fmt.Sprintf("%d changes", st.Count)
	case fleet.Drifted:
		return fmt.Sprintf("%d drifted", st.Count)
	case fleet.Failed:
		return "error: " + firstLine(st.Err)
	}
	return string(st.Status)
}

// firstLine is the first line of err's message, cut at 200 characters.
func firstLine(err error) string {
	if err == nil {
		return ""
	}
	msg, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:199]) + "…"
	}
	return msg
}

// fleetSummary is the report's counts in a sentence.
func fleetSummary(r *fleet.Report) string {
	n := len(r.Stacks)
	parts := []string{fmt.Sprintf("%d clean", r.Count(fleet.Clean))}
	if r.Kind == fleet.Drift {
		parts = append(parts, fmt.Sprintf("%d drifted", r.Count(fleet.Drifted)))
	} else {
		parts = append(parts, fmt.Sprintf("%d with changes", r.Count(fleet.Changes)))
	}
	parts = append(parts, fmt.Sprintf("%d failed", r.Count(fleet.Failed)))
	noun := "stacks"
	if n == 1 {
		noun = "stack"
	}
	return fmt.Sprintf("%d %s: %s.", n, noun, strings.Join(parts, ", "))
}

// emptyShard says that the shard got no stack.
func emptyShard(r *fleet.Report) string {
	if r.Skipped == 1 {
		return fmt.Sprintf("Shard %s has no stack: the one stack given belongs to another shard. Nothing to do.", r.Shard)
	}
	return fmt.Sprintf("Shard %s has no stack: the %d stacks given belong to other shards. Nothing to do.", r.Shard, r.Skipped)
}
