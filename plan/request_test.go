package plan

import (
	"strings"
	"testing"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// TestRequestForIsThePlansRequest: apply rebuilds an update's request from
// the live body the plan read, and gets the request the plan showed.
func TestRequestForIsThePlansRequest(t *testing.T) {
	live := obj(t, `{"id":"/x","etag":"e","location":"westus","sku":{"name":"Standard"},"properties":{"provisioningState":"Succeeded","publicNetworkAccess":"Disabled","adminUserEnabled":true}}`)
	desired := obj(t, `{"location":"westus","sku":{"name":"Premium"}}`)
	prior := &state.Resource{Address: "resource.r", LastApplied: obj(t, `{"location":"westus","sku":{"name":"Standard"}}`),
		Output: obj(t, `{"location":"westus","sku":{"name":"Standard"},"properties":{"publicNetworkAccess":"Enabled","adminUserEnabled":true}}`)}
	for _, ub := range []UpdateBody{body.UpdateMerge, body.UpdateDeclared} {
		t.Run(string(ub), func(t *testing.T) {
			b := body.Bodies{Desired: desired, Live: live, LastApplied: prior.LastApplied, Output: prior.Output, Managed: true}
			req, err := body.BuildRequest("PUT", ub, b, body.Rules{})
			if err != nil {
				t.Fatal(err)
			}
			c := &Change{Address: "resource.r", Action: Update, Live: live, UpdateBody: ub}
			again, err := c.RequestFor(desired, prior)
			if err != nil {
				t.Fatal(err)
			}
			if mustJSON(t, again.Body) != mustJSON(t, req.Body) {
				t.Errorf("apply's request %s differs from the plan's %s", mustJSON(t, again.Body), mustJSON(t, req.Body))
			}
		})
	}
}

func TestChildWithTwoOwnersIsRefused(t *testing.T) {
	vnet := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
	insts := []*config.Instance{
		inst(t, "vnet", vnet, `{"location":"westus","properties":{"subnets":[{"name":"App","properties":{"addressPrefix":"10.0.1.0/24"}}]}}`),
		inst(t, "app", vnet+"/subnets/app", `{"properties":{"addressPrefix":"10.0.1.0/24"}}`),
		inst(t, "db", vnet+"/subnets/db", `{"properties":{"addressPrefix":"10.0.2.0/24"}}`),
	}
	err := checkChildOwners(insts)
	if err == nil || !strings.Contains(err.Error(), "resource.app") || !strings.Contains(err.Error(), "resource.vnet") ||
		!strings.Contains(err.Error(), "properties.subnets") || strings.Contains(err.Error(), "resource.db") {
		t.Fatalf("err = %v; want resource.app and resource.vnet named, not resource.db", err)
	}
	if err := checkChildOwners(insts[1:]); err != nil {
		t.Fatalf("separate subnets alone: %v", err)
	}
}
