package azureblob

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"

	"github.com/azapply/azapply/state"
)

// storedVersion is the state blob as this backend last read or wrote it:
// every upload is conditional on its ETag, so that two writers never
// overwrite each other, and a save may go to the journal only while the
// blob still holds the state it describes. Backend.mu guards it.
type storedVersion struct {
	// etag is the version's; nil when none was read (or none is stored).
	etag *azcore.ETag
	// stored says the blob held a state (it may be there and empty: Lock
	// creates it to lease it).
	stored bool
	// serial and lineage are the stored state's, size its size in bytes.
	serial  int64
	lineage string
	size    int64
}

// saw records the blob's version as a download or an upload found it.
func (v *storedVersion) saw(etag *azcore.ETag, stored bool) {
	v.etag, v.stored = etag, stored
}

// holds records that the blob holds the state with this serial and
// lineage, size bytes long.
func (v *storedVersion) holds(serial int64, lineage string, size int64) {
	v.serial, v.lineage, v.size = serial, lineage, size
}

// isState reports whether the blob is known to hold s as stored: the
// version last read or written, at s's serial and lineage.
func (v *storedVersion) isState(s *state.State) bool {
	return v.stored && v.etag != nil && s.Serial == v.serial && s.Lineage == v.lineage
}

// follow moves the ETag to after, when the blob was at this version
// (before) when the lock's metadata changed it: the state in it is the
// same, so a Read before Lock still allows a Write after it.
func (v *storedVersion) follow(before, after *azcore.ETag) {
	if v.etag != nil && before != nil && after != nil && *v.etag == *before {
		v.etag = after
	}
}

// condition is what an upload requires of the blob: still this version,
// or, when none was read, that there is none.
func (v *storedVersion) condition() *blob.ModifiedAccessConditions {
	if v.etag != nil {
		return &blob.ModifiedAccessConditions{IfMatch: v.etag}
	}
	return &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}
}
