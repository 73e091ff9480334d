package export

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/emulator"
)

// TestExportReportsCollectionsItMayNotList: a child collection refused
// with 403 is named in the result, and what it holds is not exported; a
// collection refused for another reason (a type that cannot be listed) is
// skipped and not reported.
func TestExportReportsCollectionsItMayNotList(t *testing.T) {
	refused := func(status int, code string) *emulator.TypeRule {
		return &emulator.TypeRule{ListStatus: status, ListError: &emulator.ErrorDetail{Code: code, Message: "refused for the test"}}
	}
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	srv, c2 := newEmulator(t, emulator.Options{Rules: map[string]*emulator.TypeRule{
		"Microsoft.Network/virtualNetworks/subnets":             refused(http.StatusForbidden, "AuthorizationFailed"),
		"Microsoft.Network/networkSecurityGroups/securityRules": refused(http.StatusBadRequest, "NoRegisteredProviderFound"),
	}})
	// The same world, served with the refusals.
	seedGroup(t, c2)
	_ = srv
	res := exportGroup(t, c2, Options{IDs: []string{vnetID, nsgID}})
	if len(res.Unreadable) != 1 {
		t.Fatalf("unreadable: %+v, want the subnets of the network only", res.Unreadable)
	}
	u := res.Unreadable[0]
	if u.Collection != vnetID+"/subnets" || u.Type != "Microsoft.Network/virtualNetworks/subnets" || u.StatusCode != 403 || u.Code != "AuthorizationFailed" {
		t.Errorf("unreadable: %+v", u)
	}
	for _, r := range res.Resources {
		if r.Type == "Microsoft.Network/virtualNetworks/subnets" {
			t.Errorf("%s exported from a collection that could not be listed", r.ID)
		}
	}
	// With the permission, nothing is reported.
	if res := exportGroup(t, c, Options{IDs: []string{vnetID, nsgID}}); len(res.Unreadable) != 0 {
		t.Errorf("unreadable with every permission: %+v", res.Unreadable)
	}
}

// countingReader counts the GETs of each ID as sent.
type countingReader struct {
	Reader
	mu   sync.Mutex
	gets map[string]int
}

func (r *countingReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	r.mu.Lock()
	r.gets[armid.Key(id)]++
	r.mu.Unlock()
	return r.Reader.Get(ctx, id, apiVersion)
}

// TestExportReadsOneIDOnceInAnySpelling: a resource named by --id in
// another spelling (a trailing slash, a doubled slash, other casing) than
// the group's list gives is read and exported once.
func TestExportReadsOneIDOnceInAnySpelling(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	r := &countingReader{Reader: c, gets: map[string]int{}}
	spelled := "/subscriptions/" + sub + "/resourcegroups/rg//providers/Microsoft.Network/virtualNetworks/net.work/"
	res, err := Export(context.Background(), r, Options{Subscription: sub, ResourceGroups: []string{rgID}, IDs: []string{spelled},
		Provider: []Attribute{{"subscription_id", sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := r.gets[armid.Key(vnetID)]; n != 1 {
		t.Errorf("the network was read %d times (%v), want once", n, r.gets)
	}
	if len(res.Resources) != 9 {
		t.Errorf("exported %d resources, want 9", len(res.Resources))
	}
}
