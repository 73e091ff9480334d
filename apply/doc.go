// Package apply carries out a plan: it walks the changes in dependency order,
// issues PUT and DELETE through the ARM client, waits for each operation to
// finish, reads every created or updated resource back, and records the
// result in the state after every operation. It is the only package that
// changes Azure and the state.
package apply
