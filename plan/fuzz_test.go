package plan

import (
	"strings"
	"testing"
)

// FuzzCollectionOf: any ID is grouped without panicking, and a collection
// found is the ID less its last segment, with an odd number of segments (a
// collection path, never a resource ID).
func FuzzCollectionOf(f *testing.F) {
	for _, s := range []string{rgID, acrID, vnID + "/subnets/a", vnID + "/subnets/a/providers/Microsoft.Authorization/locks/l",
		testSub, "/", "", "//", "/subscriptions/x/resourceGroups/y/providers/a/b/c/d/e/f/g/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		c, ok := collectionOf(id)
		if !ok {
			return
		}
		trimmed := "/" + strings.Trim(id, "/")
		if !strings.HasPrefix(trimmed, c+"/") || strings.Contains(trimmed[len(c)+1:], "/") {
			t.Fatalf("collectionOf(%q) = %q: not the ID less its name", id, c)
		}
		if strings.Count(c, "/")%2 != 1 {
			t.Fatalf("collectionOf(%q) = %q: an even number of segments", id, c)
		}
	})
}
