package state

import "context"

// Stager is a Journaler that splits a save in two, so that a caller who
// guards the state with a lock holds it only while the changes are
// encoded, not while they are written and synced: saves of operations that
// finish together can then be committed together (apply's group commit),
// one append and one sync for all of them.
type Stager interface {
	Journaler
	// Stage encodes the changes to s at the addresses changed (as Append
	// would record them) and bumps the serial of s; the caller must not
	// change s meanwhile. commit writes and syncs what was staged: the
	// changes are durable once it returns nil. Stages are committed one at
	// a time, in the order they were made; after a commit fails, the
	// commits of the stages made before the failure was known fail too
	// (their record would follow a torn one), and the next save writes the
	// state whole. When a save must write the whole state (no address, a
	// journal that would not extend the stored state, or compaction), Stage
	// writes it and commit does nothing.
	Stage(ctx context.Context, s *State, changed ...string) (commit func() error, err error)
}

// Stage is Save split in two (see Stager): for a backend that cannot
// split its saves, it saves at once and commit does nothing.
func Stage(ctx context.Context, b Backend, s *State, changed ...string) (commit func() error, err error) {
	if st, ok := b.(Stager); ok {
		return st.Stage(ctx, s, changed...)
	}
	return noCommit, Save(ctx, b, s, changed...)
}

func noCommit() error { return nil }
