// Package state owns the record of what azapply manages and where it is kept.
//
// The model (State) has a format version, a lineage made once, a serial that
// goes up on every write, a salt for hashing sensitive values, the outputs,
// and per resource its address, ID, api-version, last-applied body (with
// sensitive values replaced by a salted HMAC, see Redact), last output and
// the long-running operation in flight, if any (StartOperation), so that a
// rerun after a crash resumes polling it. Decode migrates older formats and
// refuses newer ones; a state that cannot be parsed is never overwritten.
//
// Backends (Backend) store one state and guard it with a lock, taken before
// the state is read and held until the command ends. Both also keep a
// journal (Journaler, journal.go): apply saves after every operation with
// Save, which appends the records that changed to a journal beside the
// state instead of writing it whole; Read replays the journal, and Write
// (or Compact, when the command ends, or a save once the journal outgrows
// the state) folds it into the state. A State keeps an index by address
// and ID (index.go), so a save costs the same in a state of ten thousand
// resources as in one of ten.
//
//   - Local, the default: a JSON file (mode 0600) written as a temporary file,
//     fsynced and renamed over the old one, the directory fsynced, the
//     previous version kept as PATH.backup. The lock is an OS file lock on
//     PATH.lock, which also holds who took it; the OS drops it when the
//     process dies, so a local lock is never stale. The journal is
//     PATH.journal, one fsynced line of JSON per save.
//   - Blob, an Azure Storage block blob through the azblob SDK. The lock is a
//     blob lease (60 s, renewed every 20 s; a lost lease stops the next
//     write) with its holder in the blob's metadata; force-unlock breaks it.
//     Every write is conditional on the ETag last read, so two writers never
//     overwrite each other, and the first write of a run snapshots the
//     version it replaces. The journal is the append blob KEY.journal,
//     appended to only under the lease. Credentials: the azidentity chain, or, for
//     emulators and CI, a connection string in AZAPPLY_BLOB_CONNECTION_STRING
//     (e.g. Azurite's development account) or a SAS token in
//     AZAPPLY_BLOB_SAS_TOKEN. http is refused except on loopback.
//
// Package azuritetest runs Azurite for the tests of the blob backend.
package state
