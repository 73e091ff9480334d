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
