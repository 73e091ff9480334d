package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Backend stores one state and guards it with a lock.
//
// A command that changes the state takes the lock first (Lock, or Acquire to
// wait for it), reads, writes after every change, and unlocks at the end.
type Backend interface {
	// Read returns the stored state, with its journal replayed (see
	// Journaler), or a new empty state when none is stored yet. A state
	// that cannot be parsed is a *CorruptError; a journal that cannot be
	// replayed over it a *JournalError.
	Read(ctx context.Context) (*State, error)
	// Write stores s and bumps its serial, and removes the journal, whose
	// changes s holds. It refuses to overwrite a state
	// written by someone else since this one was read (a higher serial, a
	// different lineage, or a changed ETag), or one that cannot be parsed.
	Write(ctx context.Context, s *State) error
	// Lock takes the lock without waiting; when someone else holds it, the
	// error is a *LockedError naming them. The returned info has its ID set.
	Lock(ctx context.Context, info LockInfo) (LockInfo, error)
	// Unlock releases the lock this backend holds.
	Unlock(ctx context.Context) error
	// ForceUnlock breaks a lock left behind by another run, given its ID.
	ForceUnlock(ctx context.Context, id string) error
	// String says where the state is, for messages.
	String() string
}

// Journaler is a Backend that can record a change without writing the
// whole state: apply saves after every operation, and a state of thousands
// of resources written whole each time would cost time quadratic in its
// size.
type Journaler interface {
	Backend
	// Append makes the changes to s at the addresses changed (and its
	// outputs, named by OutputsChanged) durable as one record in a journal
	// beside the stored state, and bumps the serial of s as Write does.
	// Read replays the journal, so a crash loses at most the save in
	// progress. With no address given, or when the journal would not
	// extend the stored state, or has grown past its size, it writes the
	// whole state instead, which removes the journal.
	Append(ctx context.Context, s *State, changed ...string) error
	// Compact writes s whole when the stored state lacks changes that a
	// journal holds, and removes the journal; otherwise it does nothing.
	Compact(ctx context.Context, s *State) error
}

// Save stores the changes to s at the addresses changed (OutputsChanged
// for its outputs): appended to b's journal when b keeps one, else written
// whole. With no address given, s is written whole.
func Save(ctx context.Context, b Backend, s *State, changed ...string) error {
	if j, ok := b.(Journaler); ok {
		return j.Append(ctx, s, changed...)
	}
	return b.Write(ctx, s)
}

// Compact writes s whole when b holds changes to it in a journal only: at
// the end of a command that saved with Save, also after a failure or an
// interrupt, so that the next run reads one file.
func Compact(ctx context.Context, b Backend, s *State) error {
	if j, ok := b.(Journaler); ok {
		return j.Compact(ctx, s)
	}
	return nil
}

// LockInfo says who holds a lock, so that the person waiting for it can
// tell whether it is stale.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Created   time.Time `json:"created"`
}

// NewLockInfo fills a LockInfo for this process and the given command.
func NewLockInfo(operation string) LockInfo {
	host, _ := os.Hostname()
	who := os.Getenv("USER")
	if who == "" {
		who = os.Getenv("USERNAME")
	}
	return LockInfo{Operation: operation, Who: who, Host: host, PID: os.Getpid(), Created: time.Now().UTC()}
}

func (i LockInfo) String() string {
	who := i.Who
	if who != "" {
		who += "@"
	}
	return fmt.Sprintf("lock %s held by %q (%s%s, pid %d) since %s", i.ID, i.Operation, who, i.Host, i.PID, i.Created.Format(time.RFC3339))
}

// LockedError is returned when someone else holds the lock.
type LockedError struct {
	Where string
	Info  LockInfo
	// OSLock says the lock is an OS file lock, which ends with its process
	// and so cannot be stale: force-unlock is no remedy.
	OSLock bool
}

func (e *LockedError) Error() string {
	if e.Info.ID == "" {
		return fmt.Sprintf("the state %s is locked by another azapply run", e.Where)
	}
	if e.OSLock {
		return fmt.Sprintf("the state %s is locked: %s. Wait for it to finish (--lock-timeout 5m waits), or stop that process", e.Where, e.Info)
	}
	return fmt.Sprintf("the state %s is locked: %s. Wait for it to finish (--lock-timeout 5m waits), or, if that run is gone, run 'azapply force-unlock %s'", e.Where, e.Info, e.Info.ID)
}

// ErrLocked matches every *LockedError with errors.Is.
var ErrLocked = errors.New("state locked")

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// ConflictError is a write refused because the stored state changed since
// it was read: another run wrote it.
type ConflictError struct {
	Where  string
	Detail string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the state %s was changed by someone else since this run read it (%s); nothing was overwritten. Run the command again to work from the new state", e.Where, e.Detail)
}

// Acquire takes b's lock, retrying while someone else holds it until
// timeout has passed (zero tries once). The error names the holder.
func Acquire(ctx context.Context, b Backend, info LockInfo, timeout time.Duration) (LockInfo, error) {
	deadline := time.Now().Add(timeout)
	wait := 100 * time.Millisecond
	for {
		got, err := b.Lock(ctx, info)
		if err == nil || !errors.Is(err, ErrLocked) {
			return got, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			if timeout > 0 {
				return LockInfo{}, fmt.Errorf("gave up after waiting %s: %w", timeout, err)
			}
			return LockInfo{}, err
		}
		select {
		case <-ctx.Done():
			return LockInfo{}, fmt.Errorf("waiting for the state lock: %w", ctx.Err())
		case <-time.After(min(wait, remaining)):
		}
		if wait < time.Second {
			wait *= 2
		}
	}
}

// NewLockID returns a new random ID for a lock, as a backend's Lock gives
// it to LockInfo.ID.
func NewLockID() string { return newLineage() }
