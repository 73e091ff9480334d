// Package plan decides what apply must do. It refreshes (GETs every declared
// and every state-tracked resource), diffs each desired body against the live
// one, and returns a Plan: a list of changes, each with an action and the
// paths that differ. It renders plans for people. It never writes anything:
// not to Azure, not to the state.
package plan
