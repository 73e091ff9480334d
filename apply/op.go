package apply

import (
	"fmt"
	"time"

	"github.com/azapply/azapply/config"
)

// The operation kind answers for itself: its verb, the timeouts entry
// that bounds it, and that entry's value. Each is a switch with a case for
// every kind, so that a kind added without its words or its timeout fails
// TestEveryOpHasItsWordsAndTimeout rather than running with none (reads
// once ran with no timeout that way).

// Verb is what an error says the operation was doing: "creating
// /subscriptions/...".
func (op Op) Verb() string {
	switch op {
	case OpCreate:
		return "creating"
	case OpUpdate:
		return "updating"
	case OpDelete:
		return "deleting"
	case OpRead:
		return "reading"
	case OpPost:
		return "running"
	}
	return string(op)
}

// TimeoutName is the entry of a timeouts block that bounds the operation.
// An action's POST is bounded by create, as an action runs when what it
// depends on is created.
func (op Op) TimeoutName() string {
	switch op {
	case OpCreate, OpPost:
		return "create"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	case OpRead:
		return "read"
	}
	return ""
}

// Timeout is the limit t sets on the operation; zero when t sets none.
func (op Op) Timeout(t config.Timeouts) time.Duration {
	switch op {
	case OpCreate, OpPost:
		return t.Create
	case OpUpdate:
		return t.Update
	case OpDelete:
		return t.Delete
	case OpRead:
		return t.Read
	}
	return 0
}

// timeout bounds the operation op on the block at address: its timeouts
// block's entry for op, or DefaultTimeout.
func (r *runner) timeout(address string, op Op) time.Duration {
	if d := op.Timeout(r.timeouts[address]); d > 0 {
		return d
	}
	return DefaultTimeout
}

// timedOut is the error of an operation its timeout ended: it says which
// entry of the timeouts block to raise, and that the operation may go on
// in Azure.
func timedOut(address string, op Op, waited, limit time.Duration, err error) error {
	if op == OpRead {
		return fmt.Errorf("%s: gave up reading after %s (its timeouts { read = ... } allow %s): %w", address, seconds(waited), limit, err)
	}
	return fmt.Errorf("%s: gave up waiting after %s (its timeouts { %s = ... } allow %s); the operation may still be running in Azure — check it, then run apply again: %w",
		address, seconds(waited), op.TimeoutName(), limit, err)
}
