// Package apply carries out a plan: it walks the changes in dependency order,
// issues PUT and DELETE through the ARM client, waits for each operation to
// finish, reads every created or updated resource back, and records the
// result in the state after every operation. It is the only package that
// changes Azure and the state.
//
// Where things are: run.go is Run and its options; graph.go turns the plan
// into the operations of three phases and what each waits for;
// scheduler.go walks a phase, Parallelism at a time, under the parent
// locks of serialize.go; operation.go runs one operation (its timeout,
// progress, and the retries of a busy parent or a principal not yet
// replicated), and op.go says what each kind of operation is called and
// which timeout bounds it. Each kind has its file: write.go (create and
// update), delete.go, read.go (a data source deferred to apply) and
// actions.go (an action's POST). record.go is what goes into the state,
// and saver.go how it is made durable: the saves of operations that finish
// together are committed together (group commit), and an operation is
// reported done only once its record is; evaluate.go the bodies and IDs
// known only during apply; resume.go the operations an earlier run left in
// flight.
package apply
