package body

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// appGateway is an application gateway's body with n of each of its named
// collections (listeners, pools, settings, probes, rules), as declared,
// and as ARM answers it: every element with its id, etag and
// provisioningState, and the server defaults.
func appGateway(tb testing.TB, n int) (desired, live map[string]any) {
	tb.Helper()
	const gw = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw"
	collections := map[string]func(i int) map[string]any{
		"httpListeners": func(i int) map[string]any {
			return map[string]any{"protocol": "Https", "hostName": fmt.Sprintf("app%d.example.com", i),
				"frontendIPConfiguration": map[string]any{"id": gw + "/frontendIPConfigurations/fe"},
				"frontendPort":            map[string]any{"id": gw + "/frontendPorts/https"},
				"sslCertificate":          map[string]any{"id": gw + "/sslCertificates/cert"}}
		},
		"backendAddressPools": func(i int) map[string]any {
			return map[string]any{"backendAddresses": []any{map[string]any{"fqdn": fmt.Sprintf("app%d.internal", i)}}}
		},
		"backendHttpSettingsCollection": func(i int) map[string]any {
			return map[string]any{"port": 443, "protocol": "Https", "requestTimeout": 30, "cookieBasedAffinity": "Disabled",
				"probe": map[string]any{"id": fmt.Sprintf("%s/probes/p%d", gw, i)}}
		},
		"probes": func(i int) map[string]any {
			return map[string]any{"protocol": "Https", "path": "/healthz", "interval": 30, "timeout": 30, "unhealthyThreshold": 3,
				"pickHostNameFromBackendHttpSettings": true}
		},
		"requestRoutingRules": func(i int) map[string]any {
			return map[string]any{"ruleType": "Basic", "priority": 100 + i,
				"httpListener":        map[string]any{"id": fmt.Sprintf("%s/httpListeners/l%d", gw, i)},
				"backendAddressPool":  map[string]any{"id": fmt.Sprintf("%s/backendAddressPools/b%d", gw, i)},
				"backendHttpSettings": map[string]any{"id": fmt.Sprintf("%s/backendHttpSettingsCollection/s%d", gw, i)}}
		},
	}
	prefix := map[string]string{"httpListeners": "l", "backendAddressPools": "b", "backendHttpSettingsCollection": "s", "probes": "p", "requestRoutingRules": "r"}
	dProps := map[string]any{"sku": map[string]any{"name": "WAF_v2", "tier": "WAF_v2", "capacity": 2}}
	lProps := map[string]any{"sku": map[string]any{"name": "WAF_v2", "tier": "WAF_v2", "capacity": 2},
		"provisioningState": "Succeeded", "operationalState": "Running", "resourceGuid": "0f1e2d3c"}
	for coll, mk := range collections {
		var d, l []any
		for i := range n {
			name := fmt.Sprintf("%s%d", prefix[coll], i)
			d = append(d, map[string]any{"name": name, "properties": mk(i)})
			props := mk(i)
			props["provisioningState"] = "Succeeded"
			l = append(l, map[string]any{"name": name, "id": gw + "/" + coll + "/" + name,
				"etag": `W/"1"`, "type": "Microsoft.Network/applicationGateways/" + coll, "properties": props})
		}
		// ARM answers the collections in its own order.
		for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
			l[i], l[j] = l[j], l[i]
		}
		dProps[coll], lProps[coll] = d, l
	}
	desired = roundTrip(tb, map[string]any{"location": "westeurope", "tags": map[string]any{"env": "prod"}, "properties": dProps})
	live = roundTrip(tb, map[string]any{"id": gw, "name": "gw", "type": "Microsoft.Network/applicationGateways", "etag": `W/"1"`,
		"location": "westeurope", "tags": map[string]any{"env": "prod"}, "properties": lProps})
	return desired, live
}

// roundTrip makes v what a JSON decode with numbers as json.Number gives,
// as bodies come from ARM and from the configuration.
func roundTrip(tb testing.TB, v map[string]any) map[string]any {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkCompareAppGateway diffs an application gateway with n of each
// collection (5n named elements) three ways, where the live body differs in
// one rule's priority.
func BenchmarkCompareAppGateway(b *testing.B) {
	for _, n := range []int{100, 500} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			desired, live := appGateway(b, n)
			output := roundTrip(b, live) // read back after the last apply
			rules := live["properties"].(map[string]any)["requestRoutingRules"].([]any)
			rules[0].(map[string]any)["properties"].(map[string]any)["priority"] = json.Number("99999")
			raw, _ := json.Marshal(live)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := Compare(Bodies{Desired: desired, Live: live, LastApplied: desired, Output: output, Managed: true}, Rules{})
				if err != nil || len(c.Changes) != 1 {
					b.Fatalf("%v: %d changes, want the one priority: %+v", err, len(c.Changes), c.Changes)
				}
			}
		})
	}
}

// TestCompareAppGatewayNoChange: the benchmark's bodies differ only by what
// the server adds and its order, so the diff finds nothing (the benchmark
// above then measures a real one-path change, not noise).
func TestCompareAppGatewayNoChange(t *testing.T) {
	desired, live := appGateway(t, 20)
	c, err := Compare(Bodies{Desired: desired, Live: live, LastApplied: desired, Output: live, Managed: true}, Rules{})
	if err != nil || len(c.Changes) != 0 {
		t.Fatalf("%v: %+v", err, c.Changes)
	}
}
