package emulator

import (
	"strings"
	"testing"
)

func TestValidateDeployment(t *testing.T) {
	c := newClient(t, Options{Policy: &Policy{DeniedTypes: []string{"Microsoft.Cache/"}, AssignmentName: "no-redis", DefinitionName: "Not allowed resource types"}})
	c.createRG()
	validate := rgID + "/providers/Microsoft.Resources/deployments/pre/validate?api-version=2021-04-01"
	tmpl := func(resources ...any) map[string]any {
		return map[string]any{"properties": map[string]any{"mode": "Incremental", "template": map[string]any{
			"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": resources}}}
	}
	acr := map[string]any{"type": "Microsoft.ContainerRegistry/registries", "apiVersion": "2023-07-01", "name": "acr1", "location": "westus", "sku": map[string]any{"name": "Basic"}}
	r := c.do("POST", validate, tmpl(acr)).must(t, 200)
	if items := r.body["properties"].(map[string]any)["validatedResources"].([]any); len(items) != 1 {
		t.Fatalf("validated %v", items)
	}
	redis := map[string]any{"type": "Microsoft.Cache/redis", "apiVersion": "2023-08-01", "name": "r1", "location": "westus"}
	badName := map[string]any{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "Bad_Name", "location": "westus"}
	r = c.do("POST", validate, tmpl(acr, redis, badName)).must(t, 400)
	if r.errorCode() != "InvalidTemplateDeployment" || !strings.Contains(r.raw, `"code":"RequestDisallowedByPolicy"`) || !strings.Contains(r.raw, `"policyAssignmentName":"no-redis"`) || !strings.Contains(r.raw, `"target":"`+rgID+`/providers/Microsoft.Storage/storageAccounts/Bad_Name"`) {
		t.Fatalf("validation of a denied and an invalid resource: %s", r.raw)
	}
	if _, ok := c.srv.Resource(rgID + "/providers/Microsoft.ContainerRegistry/registries/acr1"); ok {
		t.Fatal("validation created a resource")
	}
	// The policy refuses real writes too.
	r = c.do("PUT", rgID+"/providers/Microsoft.Cache/redis/r1", map[string]any{"location": "westus"}).must(t, 403)
	if r.errorCode() != "RequestDisallowedByPolicy" || !strings.Contains(r.raw, `"type":"PolicyViolation"`) {
		t.Fatalf("a denied PUT: %s", r.raw)
	}
}
