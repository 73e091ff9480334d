package export

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

func TestNewestStable(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"2023-09-01", "2024-07-01", "2025-01-01-preview"}, "2024-07-01"},
		{[]string{"2024-07-01", "2023-09-01"}, "2024-07-01"},
		{[]string{"2024-02-01-preview", "2025-01-01-beta"}, "2025-01-01-beta"},
		{[]string{"2021-04-01-privatepreview", "2020-01-01"}, "2020-01-01"},
	} {
		if got := newest(c.in); got != c.want {
			t.Errorf("newest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestAPIVersionsFromTheRegistration: each type is written with the
// newest stable api-version its provider registration lists, a preview
// only when it lists no stable one, and --api-version wins; the resource
// is read with the version it is written with.
func TestAPIVersionsFromTheRegistration(t *testing.T) {
	srv, c := newEmulator(t, emulator.Options{APIVersions: map[string][]string{
		"Microsoft.Batch/batchAccounts":   {"2025-06-01-preview", "2024-07-01", "2023-05-01"},
		"Microsoft.Databricks/workspaces": {"2024-09-01-preview", "2025-02-01-preview"},
	}})
	put(t, c, rgID, "2021-04-01", map[string]any{"location": "westus"})
	put(t, c, batchID, "2023-05-01", map[string]any{"location": "westus"})
	put(t, c, rgID+"/providers/Microsoft.Databricks/workspaces/dbw", "2024-09-01-preview", map[string]any{"location": "westus"})
	put(t, c, vnetID, "2023-09-01", map[string]any{"location": "westus"})
	srv.ResetObservations()

	res := exportGroup(t, c, Options{})
	got := map[string]string{}
	for _, r := range res.Resources {
		got[r.Type] = r.APIVersion
	}
	want := map[string]string{
		"Microsoft.Resources/resourceGroups": "2021-04-01",
		"Microsoft.Batch/batchAccounts":      "2024-07-01",
		"Microsoft.Databricks/workspaces":    "2025-02-01-preview",
		// The emulator's registration lists a preview newer than 2024-07-01.
		"Microsoft.Network/virtualNetworks": "2024-07-01",
	}
	for typ, v := range want {
		if got[typ] != v {
			t.Errorf("%s written with %q, want %q", typ, got[typ], v)
		}
	}
	if !strings.Contains(string(res.Files["rg.hcl"]), `api_version = "2025-02-01-preview"`) {
		t.Errorf("rg.hcl does not carry the preview version")
	}
	reads := 0
	for _, e := range srv.RequestLog() {
		if e.Method == "GET" && strings.HasSuffix(strings.ToLower(e.Path), "batchaccounts/batch1") {
			reads++
			if !strings.Contains(e.Query, "api-version=2024-07-01") {
				t.Errorf("the batch account was read with %s, not the version it is written with", e.Query)
			}
		}
	}
	if reads != 1 {
		t.Errorf("the batch account was read %d times, want once", reads)
	}

	res = exportGroup(t, c, Options{APIVersions: map[string]string{"microsoft.batch/BATCHACCOUNTS": "2023-05-01"}})
	for _, r := range res.Resources {
		if r.Type == "Microsoft.Batch/batchAccounts" && r.APIVersion != "2023-05-01" {
			t.Errorf("--api-version named 2023-05-01, written with %s", r.APIVersion)
		}
	}
}

func TestUnregisteredTypeNeedsAnAPIVersion(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	put(t, c, rgID, "2021-04-01", map[string]any{"location": "westus"})
	odd := rgID + "/providers/Microsoft.Network/frontDoorsOfTheFuture/f1"
	put(t, c, odd, "2030-01-01", map[string]any{"location": "westus"})
	_, err := Export(context.Background(), c, Options{Subscription: sub, ResourceGroups: []string{rgID}})
	if err == nil || !strings.Contains(err.Error(), "--api-version Microsoft.Network/frontDoorsOfTheFuture=VERSION") {
		t.Fatalf("err = %v, want one naming --api-version", err)
	}
	res := exportGroup(t, c, Options{APIVersions: map[string]string{"Microsoft.Network/frontDoorsOfTheFuture": "2030-01-01"}})
	if len(res.Resources) != 2 {
		t.Errorf("exported %d resources, want 2", len(res.Resources))
	}
}
