package emulator

import (
	"strings"
	"testing"
)

func TestLocks(t *testing.T) {
	c := newClient(t, Options{Locks: true})
	c.createRG()
	c.do("PUT", acrID, acrBody()).must(t, 201)
	lock := func(scope, name, level string) string {
		id := scope + "/providers/Microsoft.Authorization/locks/" + name
		c.do("PUT", id+"?api-version=2016-09-01", map[string]any{"properties": map[string]any{"level": level, "notes": "keep"}}).must(t, 201)
		return id
	}
	c.do("PUT", rgID+"/providers/Microsoft.Authorization/locks/bad?api-version=2016-09-01", map[string]any{"properties": map[string]any{"level": "Sometimes"}}).must(t, 400)

	rgLock := lock(rgID, "nodelete", "canNotDelete")
	r := c.do("DELETE", acrID, nil).must(t, 409)
	if r.errorCode() != "ScopeLocked" || !strings.Contains(r.str("error.message"), "cannot perform delete operation because following scope(s) are locked: '"+rgID+"'") {
		t.Fatalf("delete under a CanNotDelete lock: %s", r.raw)
	}
	c.do("PUT", acrID, acrBody()).must(t, 200) // CanNotDelete allows writes

	// Listing at the registry shows the group's lock; at the group, the
	// registry's lock too.
	acrLock := lock(acrID, "ro", "ReadOnly")
	if items := c.do("GET", acrID+"/providers/Microsoft.Authorization/locks?api-version=2016-09-01", nil).must(t, 200).body["value"].([]any); len(items) != 2 {
		t.Fatalf("locks at the registry: %v", items)
	}
	r = c.do("PATCH", acrID, map[string]any{"tags": map[string]any{"a": "b"}}).must(t, 409)
	if !strings.Contains(r.str("error.message"), "cannot perform write operation") {
		t.Fatalf("a write under a ReadOnly lock: %s", r.raw)
	}
	c.do("POST", acrID+"/listCredentials", nil).must(t, 409)

	c.do("DELETE", acrLock+"?api-version=2016-09-01", nil).must(t, 200)
	c.do("DELETE", rgID, nil).must(t, 409) // its own lock
	c.do("DELETE", rgLock+"?api-version=2016-09-01", nil).must(t, 200)
	c.do("DELETE", acrID, nil).must(t, 200)
	if _, ok := c.srv.Resource(acrID); ok {
		t.Fatal("the registry is still there once unlocked and deleted")
	}

	// Without Options.Locks, a lock refuses nothing.
	c = newClient(t, Options{})
	c.createRG()
	lock(rgID, "nodelete", "CanNotDelete")
	c.do("DELETE", rgID, nil).must(t, 200)
}
