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
// the state is read and held until the command ends:
//
//   - Local, the default: a JSON file (mode 0600) written as a temporary file,
//     fsynced and renamed over the old one, the directory fsynced, the
//     previous version kept as PATH.backup. The lock is an OS file lock on
//     PATH.lock, which also holds who took it; the OS drops it when the
//     process dies, so a local lock is never stale.
//   - Blob, an Azure Storage block blob through the azblob SDK. The lock is a
//     blob lease (60 s, renewed every 20 s; a lost lease stops the next
//     write) with its holder in the blob's metadata; force-unlock breaks it.
//     Every write is conditional on the ETag last read, so two writers never
//     overwrite each other, and the first write of a run snapshots the
//     version it replaces. Credentials: the azidentity chain, or, for
//     emulators and CI, a connection string in AZAPPLY_BLOB_CONNECTION_STRING
//     (e.g. Azurite's development account) or a SAS token in
//     AZAPPLY_BLOB_SAS_TOKEN. http is refused except on loopback.
//
// Package azuritetest runs Azurite for the tests of the blob backend.
package state
