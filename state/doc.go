// Package state owns the record of what azapply manages: the model, its
// codec and the format of the journal that extends it. Where the record is
// kept is up to a backend, each in a package of its own: state/local (a
// file) and state/azureblob (an Azure Storage blob), so that a package that
// only reads or builds states links no storage SDK.
//
// The model (State) has a format version, a lineage made once, a serial that
// goes up on every write, a salt for hashing sensitive values, the outputs,
// and per resource its address, ID, api-version, last-applied body (with
// sensitive values replaced by a salted HMAC, see Redact), last output and
// the long-running operation in flight, if any (StartOperation), so that a
// rerun after a crash resumes polling it. Decode migrates older formats and
// refuses newer ones; a state that cannot be parsed is never overwritten
// (CheckOverwrite). A State keeps an index by address and ID (index.go), so
// a save costs the same in a state of ten thousand resources as in one of
// ten.
//
// Backends (Backend) store one state and guard it with a lock, taken before
// the state is read and held until the command ends. Both also keep a
// journal (Journaler; the format is in journal.go): apply saves after every
// operation with Save, which appends the records that changed to a journal
// beside the state instead of writing it whole (JournalHeader,
// JournalRecord); Read replays the journal (ReplayJournal), and Write (or
// Compact, when the command ends, or a save once the journal outgrows the
// state, CompactAt) folds it into the state. The local backend is also a
// Stager: a save split into encoding (while the caller holds the state
// still) and committing (the append and its fsync), so that apply commits
// the saves of operations that finish together as one record (Stage). A
// state written whole is streamed to its file (EncodeTo).
//
// Package azuritetest runs Azurite for the tests of the blob backend;
// internal/statetest holds what the backends' tests share.
package state
