package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// writePreflightStack writes the resource group and the extra resources
// (name, type, body) under it, with extra provider settings.
func writePreflightStack(t *testing.T, dir string, s *servedEmulator, provider string, resources ...[3]string) {
	t.Helper()
	p := s.provider()
	if provider != "" {
		p = strings.Replace(p, "provider {\n", "provider {\n  "+provider+"\n", 1)
	}
	var b strings.Builder
	b.WriteString(p)
	fmt.Fprintf(&b, "\nresource \"rg\" {\n  id          = %q\n  api_version = \"2021-04-01\"\n  body        = { location = \"westus\" }\n}\n", stackRG)
	for _, r := range resources {
		fmt.Fprintf(&b, "\nresource %q {\n  id          = \"${resource.rg.id}/providers/%s/%s\"\n  api_version = \"2023-07-01\"\n  body        = %s\n}\n", address(r[0]), r[1], r[0], r[2])
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// address makes a resource block name of a resource name.
func address(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, name)
}

// TestPreflightNewGroup: when the plan creates the resource group too,
// preflight validates everything in one request at the subscription, the
// group's resources in a nested deployment; a child whose parent the plan
// creates passes; the invalid resource is named.
func TestPreflightNewGroup(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	vnet := [3]string{"prevnet", "Microsoft.Network/virtualNetworks", `{ location = "westus", properties = { addressSpace = { addressPrefixes = ["10.0.0.0/16"] } } }`}
	subnet := [3]string{"prevnet/subnets/a", "Microsoft.Network/virtualNetworks", `{ properties = { addressPrefix = "10.0.1.0/24" } }`}
	badSA := [3]string{"Bad_Name", "Microsoft.Storage/storageAccounts", `{ location = "westus", kind = "StorageV2", sku = { name = "Standard_LRS" } }`}
	writePreflightStack(t, dir, s, "", vnet, subnet, badSA)
	r := mustRun(t, s, dir, exitError, "plan", "--preflight", "--no-color")
	r.mustContain(t, "# PREFLIGHT FAILED: AccountNameInvalid", "found 1 errors (resource.badname)")
	var paths []string
	for _, e := range s.em.RequestLog() {
		if e.Method == "POST" && strings.HasPrefix(e.Path, "/subscriptions/") {
			paths = append(paths, e.Path)
		}
	}
	if len(paths) != 1 || !strings.HasPrefix(paths[0], "/subscriptions/"+stackSub+"/providers/Microsoft.Resources/deployments/azapply-preflight-") {
		t.Fatalf("validation requests %v, want one at the subscription", paths)
	}
	writePreflightStack(t, dir, s, "", vnet, subnet)
	mustRun(t, s, dir, exitOK, "plan", "--preflight", "--no-color").mustContain(t, "accepted the 3 planned creates and updates (1 validation requests)")
	if ids := s.em.IDs(); len(ids) != 0 {
		t.Fatalf("preflight created %v", ids)
	}
}

// TestPreflight: plan --preflight sends the planned creates to ARM's
// deployment validation in one request for the resource group, shows each
// error on its resource (a policy denial with its assignment and
// definition, a name the provider refuses), exits 1 and sends nothing to
// the resources; once fixed it passes; preflight = true in the provider
// block stops apply the same way before any write.
func TestPreflight(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond,
		Policy: &emulator.Policy{DeniedTypes: []string{"Microsoft.Cache/"}, AssignmentName: "no-redis", DefinitionName: "Not allowed resource types"}})
	dir := t.TempDir()
	writePreflightStack(t, dir, s, "")
	mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")

	acr := [3]string{"preacr", "Microsoft.ContainerRegistry/registries", `{ location = "westus", sku = { name = "Basic" } }`}
	redis := [3]string{"preredis", "Microsoft.Cache/redis", `{ location = "westus", properties = { sku = { name = "Basic", family = "C", capacity = 0 } } }`}
	badSA := [3]string{"Bad_Name", "Microsoft.Storage/storageAccounts", `{ location = "westus", kind = "StorageV2", sku = { name = "Standard_LRS" } }`}
	writePreflightStack(t, dir, s, "", acr, redis, badSA)
	s.em.ResetObservations()
	r := mustRun(t, s, dir, exitError, "plan", "--preflight", "--no-color")
	r.mustContain(t, "+ resource.preredis", "# PREFLIGHT FAILED: RequestDisallowedByPolicy: Resource 'preredis' was disallowed by policy",
		`policy assignment "no-redis" (/subscriptions/`+stackSub+`/providers/Microsoft.Authorization/policyAssignments/no-redis), definition "Not allowed resource types"`,
		"# PREFLIGHT FAILED: AccountNameInvalid", "Preflight: ARM's deployment validation found 2 errors (resource.badname, resource.preredis); nothing was sent to the resources.")
	if !strings.Contains(r.stderr, "Error: preflight:") {
		t.Errorf("stderr lacks the preflight error:\n%s", tail(r.stderr, 2000))
	}
	validations := 0
	for _, e := range s.em.RequestLog() {
		switch {
		case e.Method == "POST" && strings.HasSuffix(e.Path, "/validate"):
			validations++
			if !strings.HasPrefix(e.Path, stackRG+"/providers/Microsoft.Resources/deployments/azapply-preflight-") {
				t.Errorf("validated at %s", e.Path)
			}
		case e.Method != "GET" && strings.HasPrefix(e.Path, "/subscriptions/"):
			t.Errorf("plan --preflight sent %s %s", e.Method, e.Path)
		}
	}
	if validations != 1 {
		t.Errorf("%d validation requests, want 1 for the resource group", validations)
	}

	// JSON carries each resource's errors.
	r = mustRun(t, s, dir, exitError, "plan", "--preflight", "--format", "json")
	var doc struct {
		ResourceChanges []struct {
			Address         string `json:"address"`
			PreflightErrors []struct {
				Code   string `json:"code"`
				Policy string `json:"policy"`
				Hint   string `json:"hint"`
			} `json:"preflight_errors"`
		} `json:"resource_changes"`
	}
	// The plan document, then the error as a JSON diagnostic.
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("plan --format json: %v\n%s", err, r.stdout)
	}
	var diag struct{ Type, Severity, Summary string }
	if err := dec.Decode(&diag); err != nil || diag.Type != "diagnostic" || diag.Severity != "error" || !strings.Contains(diag.Summary, "preflight") || dec.More() {
		t.Errorf("plan --format json: after the document, want one error diagnostic about preflight; got %+v (%v)\n%s", diag, err, r.stdout)
	}
	codes := map[string]string{}
	for _, c := range doc.ResourceChanges {
		for _, e := range c.PreflightErrors {
			codes[c.Address] = e.Code
			if e.Code == "RequestDisallowedByPolicy" && (!strings.Contains(e.Hint, "no-redis") || !strings.Contains(e.Policy, "no-redis")) {
				t.Errorf("the policy error says neither the assignment's name in its hint nor in its policy: %+v", e)
			}
		}
	}
	if codes["resource.preredis"] != "RequestDisallowedByPolicy" || codes["resource.badname"] != "AccountNameInvalid" || codes["resource.preacr"] != "" {
		t.Errorf("JSON preflight errors: %v", codes)
	}

	// The provider's preflight = true stops apply before any write.
	writePreflightStack(t, dir, s, "preflight = true", acr, redis)
	s.em.ResetObservations()
	mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	for _, e := range s.em.RequestLog() {
		if e.Method == "PUT" {
			t.Errorf("apply with a failing preflight sent PUT %s", e.Path)
		}
	}
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.ContainerRegistry/registries/preacr"); ok {
		t.Fatal("the registry was created though preflight failed")
	}

	// Fixed: preflight passes and apply creates.
	writePreflightStack(t, dir, s, "preflight = true", acr)
	r = mustRun(t, s, dir, exitOK, "apply", "--auto-approve", "--no-color")
	r.mustContain(t, "Preflight: ARM's deployment validation accepted the 1 planned creates and updates (1 validation requests).")
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.ContainerRegistry/registries/preacr"); !ok {
		t.Fatal("the registry was not created")
	}

	// Without preflight, the policy refuses the write itself: 403
	// RequestDisallowedByPolicy, and nothing is created.
	writePreflightStack(t, dir, s, "", acr, redis)
	r = mustRun(t, s, dir, exitError, "apply", "--auto-approve", "--no-color")
	if !strings.Contains(r.stderr, "RequestDisallowedByPolicy") || !strings.Contains(r.stderr, "was disallowed by policy") {
		t.Errorf("apply's error:\n%s", tail(r.stderr, 2000))
	}
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.Cache/redis/preredis"); ok {
		t.Fatal("the denied cache exists")
	}
}
