// Package azureblob is the state backend that keeps the state in an Azure
// Storage block blob, through the azblob SDK.
//
// The lock is a blob lease (60 s, renewed every 20 s; a lost lease stops
// the next write) with its holder in the blob's metadata; force-unlock
// breaks it (lease.go). Every write is conditional on the ETag last read,
// so two writers never overwrite each other, and the first write under a
// lease snapshots the version it replaces (version.go). The journal (see
// package state) is the append blob KEY.journal, appended to only under the
// lease (journal.go).
//
// Credentials: the azidentity chain, or, for emulators and CI, a connection
// string in AZAPPLY_BLOB_CONNECTION_STRING (e.g. Azurite's development
// account) or a SAS token in AZAPPLY_BLOB_SAS_TOKEN. http is refused except
// on loopback.
package azureblob
