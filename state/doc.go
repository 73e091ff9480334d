// Package state owns the record of what azapply manages and where it is kept.
//
// The model (State) has a format version, a lineage made once, a serial that
// goes up on every write, a salt for hashing sensitive values, the outputs,
// and per resource its address, ID, api-version, last-applied body (with
// sensitive values replaced by a salted HMAC, see Redact), last output and
// the long-running operation in flight, if any. Decode migrates older
// formats and refuses newer ones.
//
// Backends (Backend) store one state and guard it with a lock: Local, a JSON
// file written atomically under an OS file lock, and Blob, an Azure Storage
// blob written with ETag conditions under a blob lease.
package state
