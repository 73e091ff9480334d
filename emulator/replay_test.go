package emulator

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// armCase is the part of a shared/arm-examples case the replay reads.
type armCase struct {
	ResourceType string                    `json:"resource_type"`
	APIVersion   string                    `json:"api_version"`
	PutRequest   map[string]any            `json:"put_request_body"`
	PutResponses map[string]map[string]any `json:"put_responses"`
}

// replayExceptions are the recorded top-level keys the emulator cannot
// produce from the request body alone, with the reason.
var replayExceptions = map[string]map[string]string{
	// The example passes location, sku and zones as sibling parameters,
	// not in the body the corpus kept.
	"Microsoft.Network/bastionHosts": {"location": "sent outside the body in the example", "sku": "sent outside the body in the example"},
	// The recorded 202 body describes the pending operation, not the group.
	"Microsoft.Management/managementGroups": {"status": "a 202 operation body, not a resource"},
}

// ruledReadOnly are the read-only properties each built-in rule must
// produce, taken from the recorded responses.
var ruledReadOnly = map[string][]string{
	"Microsoft.ContainerRegistry/registries":    {"properties.loginServer", "properties.creationDate", "properties.policies", "properties.encryption", "properties.zoneRedundancy", "sku.tier"},
	"Microsoft.Network/networkSecurityGroups":   {"properties.defaultSecurityRules", "properties.securityRules"},
	"Microsoft.Network/virtualNetworks":         {"properties.subnets", "properties.virtualNetworkPeerings"},
	"Microsoft.Network/publicIPAddresses":       {"sku", "properties.publicIPAllocationMethod", "properties.idleTimeoutInMinutes", "properties.publicIPAddressVersion"},
	"Microsoft.Network/networkInterfaces":       {"properties.dnsSettings", "properties.enableIPForwarding", "properties.vnetEncryptionSupported"},
	"Microsoft.Web/serverfarms":                 {"properties.status", "properties.maximumNumberOfWorkers", "properties.geoRegion", "properties.numberOfSites"},
	"Microsoft.Web/sites":                       {"properties.defaultHostName", "properties.hostNames", "properties.enabledHostNames", "properties.state", "properties.outboundIpAddresses", "properties.siteConfig"},
	"Microsoft.OperationalInsights/workspaces":  {"properties.customerId", "properties.publicNetworkAccessForQuery", "properties.publicNetworkAccessForIngestion", "properties.retentionInDays"},
	"Microsoft.Insights/components":             {"properties.AppId", "properties.InstrumentationKey", "properties.ConnectionString", "properties.CreationDate", "properties.IngestionMode"},
	"Microsoft.Authorization/roleAssignments":   {"properties.scope", "properties.roleDefinitionId"},
	"Microsoft.Storage/storageAccounts":         {"properties.primaryEndpoints", "properties.creationTime", "properties.keyCreationTime", "properties.statusOfPrimary", "properties.primaryLocation", "sku.tier"},
	"Microsoft.Network/virtualNetworks/subnets": {"properties.provisioningState"},
	"Microsoft.Network/routeTables":             {"properties.routes"},
}

// TestReplayARMExamples PUTs every recorded request body and checks that
// the emulator's answer has the shape of the real response: the same
// top-level keys, and, for the types with built-in rules, the read-only
// values the service computes.
func TestReplayARMExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("expected the 82 cases under testdata/arm-examples/cases, found %d (%v)", len(files), err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ac armCase
		if err := json.Unmarshal(data, &ac); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		seen[strings.ToLower(ac.ResourceType)] = true
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) { replay(t, ac) })
	}
	for typ := range ruledReadOnly {
		if !seen[strings.ToLower(typ)] {
			t.Errorf("no case for ruled type %s", typ)
		}
	}
}

func replay(t *testing.T, ac armCase) {
	c := newClient(t, Options{})
	id := caseID(ac.ResourceType)
	c.createRG()
	// Create each parent with a minimal body.
	for _, p := range parents(id) {
		r := c.do("PUT", p+"?api-version="+ac.APIVersion, map[string]any{"location": "westus"})
		if r.status != 200 && r.status != 201 {
			t.Fatalf("PUT parent %s: %d %s", p, r.status, r.raw)
		}
	}
	put := c.do("PUT", id+"?api-version="+ac.APIVersion, ac.PutRequest)
	if put.status != http.StatusCreated && put.status != http.StatusOK {
		t.Fatalf("PUT %s: %d %s", id, put.status, put.raw)
	}
	got := c.do("GET", id+"?api-version="+ac.APIVersion, nil).must(t, 200)
	real := recorded(ac)
	var missing []string
	for k := range real {
		if _, ok := got.body[k]; ok {
			continue
		}
		if _, ok := replayExceptions[ac.ResourceType][k]; ok {
			continue
		}
		missing = append(missing, k)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("top-level keys of the real response missing from the emulator's: %v\nemulator: %s", missing, got.raw)
	}
	for _, k := range []string{"id", "name", "type"} {
		if got.str(k) == "" {
			t.Errorf("no %s in %s", k, got.raw)
		}
	}
	if ps, _ := lookup(real, "properties.provisioningState"); ps != nil {
		if _, ok := lookup(got.body, "properties.provisioningState"); !ok {
			t.Errorf("the real response has properties.provisioningState; the emulator's has none")
		}
	}
	for _, path := range ruledReadOnly[ac.ResourceType] {
		if _, ok := lookup(real, path); !ok {
			t.Errorf("%s is not in the recorded response: the table is wrong", path)
		}
		if _, ok := lookup(got.body, path); !ok {
			t.Errorf("read-only %s missing from the emulator's response: %s", path, got.raw)
		}
	}
	// What was sent comes back (write-only values aside): every sent
	// top-level key is answered.
	for k := range ac.PutRequest {
		if _, ok := got.body[k]; !ok && k != "properties" {
			t.Errorf("sent %q, the emulator dropped it", k)
		}
	}
}

// recorded is the real response to compare with: 200, else 201, else 202.
func recorded(ac armCase) map[string]any {
	for _, code := range []string{"200", "201", "202"} {
		if b, ok := ac.PutResponses[code]; ok {
			return b
		}
	}
	return nil
}

// caseID builds an ID for a resource type: under rg1, names r0, r1, ...;
// role and policy assignments at the group's scope; management groups at
// the tenant.
func caseID(typ string) string {
	segs := strings.Split(typ, "/")
	var b strings.Builder
	switch {
	case strings.EqualFold(segs[0], "Microsoft.Management"):
	default:
		b.WriteString(rgID)
	}
	b.WriteString("/providers/" + segs[0])
	for i, s := range segs[1:] {
		b.WriteString("/" + s + "/res" + itoa(i))
	}
	return b.String()
}

// parents lists the IDs of the provider resources above id, outermost
// first.
func parents(id string) []string {
	i := strings.LastIndex(strings.ToLower(id), "/providers/")
	head, tail := id[:i], strings.Split(id[i+len("/providers/"):], "/")
	var out []string
	for n := 3; n < len(tail); n += 2 {
		out = append(out, head+"/providers/"+strings.Join(tail[:n], "/"))
	}
	return out
}
