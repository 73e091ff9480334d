package emulator

import "testing"

func TestImmutableProperty(t *testing.T) {
	c := newClient(t, Options{Immutable: []ImmutableProperty{{Type: "Microsoft.ContainerRegistry/registries", Path: "properties.zoneRedundancy"}}})
	c.createRG()
	body := func(zr string) map[string]any {
		return map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}, "properties": map[string]any{"zoneRedundancy": zr}}
	}
	c.do("PUT", acrID, body("Disabled")).must(t, 201)
	c.do("PUT", acrID, body("Disabled")).must(t, 200)
	r := c.do("PUT", acrID, body("Enabled")).must(t, 400)
	if r.errorCode() != "PropertyChangeNotAllowed" || r.str("error.target") != "properties.zoneRedundancy" {
		t.Fatalf("changing it: %s", r.raw)
	}
	c.do("PATCH", acrID, map[string]any{"properties": map[string]any{"zoneRedundancy": "Enabled"}}).must(t, 400)
	c.do("PATCH", acrID, map[string]any{"tags": map[string]any{"a": "b"}}).must(t, 200)
	if res, _ := c.srv.Resource(acrID); res.Body["properties"].(map[string]any)["zoneRedundancy"] != "Disabled" {
		t.Errorf("the refused change was stored: %v", res.Body["properties"])
	}
}

// TestImmutableComparesAsJSON: an immutable property is compared as its
// JSON, as read-only values are: a default the service stored as 1 is not
// changed by a request that sends 1 (decoded 1.0), nor by one that sends
// 1.0; a request that sends 2 is refused.
func TestImmutableComparesAsJSON(t *testing.T) {
	c := newClient(t, Options{
		Immutable: []ImmutableProperty{{Type: "Microsoft.Web/sites", Path: "properties.workers"}},
		Rules:     map[string]*TypeRule{"Microsoft.Web/sites": {Defaults: map[string]any{"properties": map[string]any{"workers": 1}}}},
	})
	c.createRG()
	id := rgID + "/providers/Microsoft.Web/sites/app"
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, 201)
	c.do("PUT", id, map[string]any{"location": "westus", "properties": map[string]any{"workers": 1}}).must(t, 200)
	c.do("PUT", id, map[string]any{"location": "westus", "properties": map[string]any{"workers": 1.0}}).must(t, 200)
	if code := c.do("PUT", id, map[string]any{"location": "westus", "properties": map[string]any{"workers": 2}}).must(t, 400).errorCode(); code != "PropertyChangeNotAllowed" {
		t.Errorf("a change of workers: %s", code)
	}
}
