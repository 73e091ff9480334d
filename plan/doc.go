// Package plan decides what apply must do. It refreshes (concurrent GETs of
// every declared, state-tracked and data resource, or, opted into, verified
// collection GETs where several share a collection), has the body engine
// (package body) diff each desired body three ways against the live one and
// the last apply (DESIGN.md, "The diff"), find drift and build each
// update's request, and returns a Plan: a list of changes, each with an
// action and the paths that differ. It renders plans (text, markdown, JSON),
// writes and reads saved plan files, and checks that a saved plan is still
// fresh. It never writes anything: not to Azure, not to the state.
package plan
