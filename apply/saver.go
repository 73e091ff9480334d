package apply

import (
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// Group commit. Every operation's record must be durable before the
// operation is reported done and its dependants start, so that a crash
// loses at most the operations in flight. Syncing each record on its own
// cost a journal append and an fsync per save, two or three per create,
// made one after another under the runner's lock. Instead, an operation
// queues the addresses it changed and waits; one saver goroutine takes
// everything queued while the previous commit ran, stages it as one record
// under the runner's lock (Options.Stage encodes it) and commits it (one
// append, one fsync) without the lock, then wakes every operation of the
// batch with the one result: a failed commit fails them all.

// lazySave is how long a save made with saveSoon may wait for a commit
// that another save starts, before it starts one itself.
const lazySave = time.Second

// saveBatch is the saves queued while the previous commit ran.
type saveBatch struct {
	changed []string
	// whole: a save with no address, which writes the whole state.
	whole bool
	// kicked: the saver was asked to commit the batch; timer, when set,
	// will ask it (saveSoon).
	kicked bool
	timer  *time.Timer
	// lazy: a save made with saveSoon is in the batch.
	lazy bool
	// done is closed once the batch is committed, err its result.
	done chan struct{}
	err  error
}

// committer commits the queued saves; r.mu guards pending.
type committer struct {
	pending *saveBatch
	// kick wakes the saver goroutine when a batch is queued; stop ends it.
	kick, stop chan struct{}
	stopped    chan struct{}
	// commits counts the commits made, for tests.
	commits int
}

// startSaver starts the saver goroutine; the returned function stops it
// once no operation waits for a save (at the end of Run).
func (r *runner) startSaver() (stop func()) {
	if r.o.Save == nil && r.o.Stage == nil {
		return func() {}
	}
	r.saver = &committer{kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go r.saveLoop(r.saver)
	return func() {
		close(r.saver.stop)
		<-r.saver.stopped
	}
}

func (r *runner) saveLoop(sv *committer) {
	defer close(sv.stopped)
	for {
		select {
		case <-sv.stop:
			// What saveSoon queued and no save committed since.
			r.mu.Lock()
			if b := sv.pending; b != nil {
				sv.pending = nil
				r.commit(sv, b)
			} else {
				r.mu.Unlock()
			}
			return
		case <-sv.kick:
		}
		// Let the operations finishing at this moment queue their saves
		// first: with every worker busy, one yield halves the commits (and
		// their fsyncs) of an apply of 10,000, and delays none by more
		// than a turn of the scheduler.
		runtime.Gosched()
		r.mu.Lock()
		b := sv.pending
		sv.pending = nil
		if b == nil {
			r.mu.Unlock()
			continue
		}
		r.commit(sv, b)
	}
}

// commit stages the batch b, which callers hold r.mu for and took from
// sv.pending, and commits it without the lock; it returns with r.mu
// unlocked.
func (r *runner) commit(sv *committer, b *saveBatch) {
	if b.timer != nil {
		b.timer.Stop()
	}
	changed := b.changed
	if b.whole {
		changed = nil
	}
	commit, err := r.stage(changed)
	sv.commits++
	r.mu.Unlock()
	if err == nil {
		err = commit()
	}
	b.err = err
	if err != nil && b.lazy {
		// No one waits for a save made with saveSoon to tell.
		slog.Warn("could not save the state", "addresses", b.changed, "error", err)
	}
	close(b.done)
}

// stage encodes the changes of one batch; callers hold r.mu.
func (r *runner) stage(changed []string) (func() error, error) {
	if r.o.Stage != nil {
		return r.o.Stage(r.o.State, changed...)
	}
	return func() error { return nil }, r.o.Save(r.o.State, changed...)
}

// save makes the changes to the records at the addresses changed durable,
// committed with those of the other operations that finish meanwhile.
// Callers hold r.mu; save releases it while it waits for the commit, as
// sync.Cond's Wait does, so callers must not rely on the state staying as
// it was across the call.
func (r *runner) save(changed ...string) error {
	if r.saver == nil {
		return nil
	}
	b := r.queueSave(changed)
	if !b.kicked {
		b.kicked = true
		select {
		case r.saver.kick <- struct{}{}:
		default:
		}
	}
	r.mu.Unlock()
	<-b.done
	r.mu.Lock()
	if b.err != nil {
		return fmt.Errorf("saving the state: %w", b.err)
	}
	return nil
}

// queueSave adds changed to the batch to commit next; callers hold r.mu.
func (r *runner) queueSave(changed []string) *saveBatch {
	sv := r.saver
	b := sv.pending
	if b == nil {
		b = &saveBatch{done: make(chan struct{})}
		sv.pending = b
	}
	b.whole = b.whole || len(changed) == 0
	b.changed = append(b.changed, changed...)
	return b
}

// saveSoon queues the changes to the records at the addresses changed for
// the next commit, without waiting for it: a save that need not be
// durable before the run goes on (see recordInFlight). When no other save
// starts a commit within lazySave, this one does; the saver commits what
// is queued before it stops. An error is logged. Callers hold r.mu.
func (r *runner) saveSoon(changed ...string) {
	if r.saver == nil {
		return
	}
	b := r.queueSave(changed)
	b.lazy = true
	if b.kicked || b.timer != nil {
		return
	}
	kick := r.saver.kick
	b.timer = time.AfterFunc(lazySave, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	})
}
