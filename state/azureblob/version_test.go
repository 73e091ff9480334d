package azureblob

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/azapply/azapply/state"
)

// TestStoredVersion: what an upload requires of the blob, whether a save
// may go to the journal, and which ETag the lock's own metadata change
// moves the version to, for each thing the backend may have seen.
func TestStoredVersion(t *testing.T) {
	a, b, c := azcore.ETag("a"), azcore.ETag("b"), azcore.ETag("c")
	s := &state.State{Lineage: "l", Serial: 4}
	tests := []struct {
		name string
		v    storedVersion
		// ifMatch is the ETag an upload requires; "" requires no blob.
		ifMatch azcore.ETag
		isState bool
		// after is the ETag once the metadata changed a to b.
		after azcore.ETag
	}{
		{"nothing read", storedVersion{}, "", false, ""},
		{"s as read", storedVersion{etag: &a, stored: true, serial: 4, lineage: "l"}, a, true, b},
		{"an empty blob, made by Lock", storedVersion{etag: &a, stored: false}, a, false, b},
		{"an older serial", storedVersion{etag: &a, stored: true, serial: 3, lineage: "l"}, a, false, b},
		{"another lineage", storedVersion{etag: &a, stored: true, serial: 4, lineage: "m"}, a, false, b},
		{"another version than the one the lock changed", storedVersion{etag: &c, stored: true, serial: 4, lineage: "l"}, c, true, c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond := tt.v.condition()
			switch {
			case tt.ifMatch == "" && (cond.IfMatch != nil || cond.IfNoneMatch == nil || *cond.IfNoneMatch != azcore.ETagAny):
				t.Errorf("condition = %+v, want If-None-Match: *", cond)
			case tt.ifMatch != "" && (cond.IfMatch == nil || *cond.IfMatch != tt.ifMatch || cond.IfNoneMatch != nil):
				t.Errorf("condition = %+v, want If-Match: %s", cond, tt.ifMatch)
			}
			if got := tt.v.isState(s); got != tt.isState {
				t.Errorf("isState = %v, want %v", got, tt.isState)
			}
			tt.v.follow(&a, &b)
			if got := tt.v.etag; (got == nil) != (tt.after == "") || got != nil && *got != tt.after {
				t.Errorf("after the lock's change the ETag is %v, want %q", got, tt.after)
			}
		})
	}
}
