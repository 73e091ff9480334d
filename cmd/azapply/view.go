package main

import "github.com/azapply/azapply/cmd/azapply/views"

// operationView is the view of plan, apply, destroy or drift, chosen once
// when its flags are parsed: JSON for --format json, markdown for --format
// markdown (plan and drift), else text. Colour only on a terminal, and
// never with --no-color.
func operationView(command, format string, noColor bool, s *IOStreams) views.Operation {
	return views.NewOperation(command, views.Format(format), views.Streams{Out: s.Out, Err: s.Err, Color: s.OutTerminal && !noColor})
}

// closeWorkspace releases the workspace, reporting a failure (the state
// not written, the lock not released) to report.
func closeWorkspace(w *workspace, report func(error)) {
	if err := w.close(); err != nil {
		report(err)
	}
}

// fail shows err through v: the command ends with exit 1 and prints
// nothing more.
func fail(v views.Operation, err error) error {
	v.Error(err)
	return errShown
}

// viewStreams are the streams of a view: colour only on a terminal, and
// never with --no-color.
func viewStreams(s *IOStreams, noColor bool) views.Streams {
	return views.Streams{Out: s.Out, Err: s.Err, Color: s.OutTerminal && !noColor}
}
