package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// Each example under examples/ is run here as its README says, with the
// built binary, against the emulator. (quickstart is TestQuickstartLifecycle.)

const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"

// example copies examples/NAME into a temporary directory.
func example(t *testing.T, name string) string {
	t.Helper()
	return copyDir(t, filepath.Join("..", "..", "examples", name))
}

// cutFrom removes everything in file from the line that starts with marker.
func cutFrom(t *testing.T, file, marker string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		t.Fatalf("%s has no %q", file, marker)
	}
	if err := os.WriteFile(file, b[:i], 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r binResult) mustNotContain(t *testing.T, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(r.stdout, b) || strings.Contains(r.stderr, b) {
			t.Errorf("the output holds %q:\n%s\nstderr:\n%s", b, r.stdout, r.stderr)
		}
	}
}

// TestExampleContainerRegistry walks the ACR az rest tutorial: create,
// change the sku (one change, sent as a PATCH), read back, regenerate a
// password once, delete by removing the block.
func TestExampleContainerRegistry(t *testing.T) {
	dir := example(t, "container-registry")
	acr := sub + "/resourceGroups/acr-tutorial/providers/Microsoft.ContainerRegistry/registries/azapplytutorial"

	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "resource.registry: Creation complete", "action.regenerate_password: Action complete",
		"data.registry: Read complete", "Actions: 1 run.", `login_server = "azapplytutorial.azurecr.io"`)

	// The action runs on create only: a second apply changes nothing.
	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	if strings.Contains(r.stdout, "action.regenerate_password") {
		t.Errorf("the create-only action ran again:\n%s", r.stdout)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)

	// Someone adds a tag in the portal. A PATCH of the sku keeps it; a PUT
	// of the declared body would have dropped it.
	azapply(t, dir, "emulator", "change", "--id", acr, "--merge", `{"tags":{"owner":"portal"}}`).mustExit(t, exitOK)
	r = azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `~ sku.name = "Standard" -> "Premium"`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	if n := strings.Count(r.stdout, " = \"Standard\" -> "); n != 1 {
		t.Errorf("the sku change shows %d changed values, want 1:\n%s", n, r.stdout)
	}
	azapply(t, dir, "apply", "--var", "registry_sku=Premium", "--auto-approve").mustExit(t, exitOK)
	got, _ := world(t, dir).Resource(acr)
	if sku := got.Body["sku"].(map[string]any)["name"]; sku != "Premium" {
		t.Errorf("sku in the emulator = %v, want Premium", sku)
	}
	if tags, _ := got.Body["tags"].(map[string]any); tags["owner"] != "portal" {
		t.Errorf("the update dropped the tag set in the portal (a PUT, not a PATCH?): tags %v", got.Body["tags"])
	}

	// Delete: remove the registry and the blocks that refer to it.
	cutFrom(t, filepath.Join(dir, "main.hcl"), `resource "registry"`)
	r = azapply(t, dir, "apply", "--var", "registry_sku=Premium", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "resource.registry: Destruction complete", "0 added, 0 changed, 1 destroyed.")
	if _, ok := world(t, dir).Resource(acr); ok {
		t.Error("the registry is still in the emulator")
	}
}

// TestExampleNetwork applies the network, checks the references between
// its resources, and plans the README's smaller subnet map.
func TestExampleNetwork(t *testing.T) {
	dir := example(t, "network")
	rg := sub + "/resourceGroups/network-demo"
	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 8 added, 0 changed, 0 destroyed.")
	w := world(t, dir)
	nic, ok := w.Resource(rg + "/providers/Microsoft.Network/networkInterfaces/app-nic")
	if !ok {
		t.Fatalf("no NIC in the emulator; it has %v", w.IDs())
	}
	ipc := nic.Body["properties"].(map[string]any)["ipConfigurations"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if id := ipc["subnet"].(map[string]any)["id"].(string); !strings.EqualFold(id, rg+"/providers/Microsoft.Network/virtualNetworks/demo-vnet/subnets/app") {
		t.Errorf("the NIC's subnet is %s", id)
	}
	for _, s := range []string{"app", "data", "ops"} {
		if _, ok := w.Resource(rg + "/providers/Microsoft.Network/virtualNetworks/demo-vnet/subnets/" + s); !ok {
			t.Errorf("subnet %s is missing", s)
		}
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)

	r = azapply(t, dir, "plan", "--var", `subnets={app="10.20.1.0/24"}`, "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `- resource.subnet["data"]`, `- resource.subnet["ops"]`, "Plan: 0 to add, 0 to change, 2 to destroy.")
}

// TestExampleWebApp applies the web app with a secret from the command
// line, and checks that no secret is printed or stored in clear.
func TestExampleWebApp(t *testing.T) {
	dir := example(t, "web-app")
	const password = "pa55-Word-from-the-pipeline"
	r := azapply(t, dir, "plan", "--var", "database_password="+password, "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, `+ name = "APPLICATIONINSIGHTS_CONNECTION_STRING"`, "+ value = (sensitive)", "Plan: 5 to add, 0 to change, 0 to destroy.")
	r.mustNotContain(t, password, "not-a-real-token")

	r = azapply(t, dir, "apply", "--var", "database_password="+password, "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 5 added, 0 changed, 0 destroyed.", "insights_connection_string = (sensitive)")
	r.mustNotContain(t, password, "not-a-real-token", "InstrumentationKey=")
	st, err := os.ReadFile(filepath.Join(dir, defaultStatePath))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{password, "not-a-real-token"} {
		if bytes.Contains(st, []byte(secret)) {
			t.Errorf("the state holds %q in clear", secret)
		}
	}
	site, ok := world(t, dir).Resource(sub + "/resourceGroups/webapp-demo/providers/Microsoft.Web/sites/shop-web-demo")
	if !ok {
		t.Fatal("no site in the emulator")
	}
	if farm := site.Body["properties"].(map[string]any)["serverFarmId"]; !strings.HasSuffix(farm.(string), "/serverfarms/shop-plan") {
		t.Errorf("the site's serverFarmId is %v", farm)
	}

	// App Service never returns siteConfig.appSettings on a GET: the plan
	// compares the configuration with what was sent, whose secret values
	// the state keeps as hashes.
	r = azapply(t, dir, "plan", "--var", "database_password="+password, "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitOK)
	// A changed secret is a change, though neither value is printed.
	r = azapply(t, dir, "plan", "--var", "database_password=another-one", "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "properties.siteConfig.appSettings", "Plan: 0 to add, 1 to change, 0 to destroy.")
	r.mustNotContain(t, "another-one")
	r.mustNotContain(t, password)
}

// TestExampleImport creates the resource group out of band first, then
// adopts it with the import block.
func TestExampleImport(t *testing.T) {
	dir := example(t, "import")
	rg := sub + "/resourceGroups/legacy-rg"
	putInWorld(t, dir, rg, "2021-04-01", `{"location":"westus","tags":{"owner":"platform","made-in":"portal"}}`)

	r := azapply(t, dir, "plan", "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "resource.legacy will be imported and updated in place", `+ tags.managed-by = "azapply"`,
		"Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
	// The tag set in the portal is not declared: the plan leaves it alone.
	r.mustNotContain(t, "made-in")

	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	got, _ := world(t, dir).Resource(rg)
	if tags, _ := got.Body["tags"].(map[string]any); tags["managed-by"] != "azapply" {
		t.Errorf("tags after apply: %v", got.Body["tags"])
	}
	azapply(t, dir, "state", "list").mustContain(t, "resource.legacy")
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)

	// Once imported, the import block can go.
	cutFrom(t, filepath.Join(dir, "main.hcl"), "import {")
	b, _ := os.ReadFile(filepath.Join(example(t, "import"), "main.hcl"))
	_, rest, _ := bytes.Cut(b, []byte("resource \"legacy\""))
	f, err := os.OpenFile(filepath.Join(dir, "main.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(append([]byte("resource \"legacy\""), rest...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}

// TestExampleImportRefusesWithoutBlock: without the import block, the plan
// does not silently take over a resource it did not create.
func TestExampleImportRefusesWithoutBlock(t *testing.T) {
	dir := example(t, "import")
	rg := sub + "/resourceGroups/legacy-rg"
	putInWorld(t, dir, rg, "2021-04-01", `{"location":"westus"}`)
	b, _ := os.ReadFile(filepath.Join(dir, "main.hcl"))
	start := bytes.Index(b, []byte("import {"))
	end := bytes.Index(b, []byte(`resource "legacy"`))
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), append(b[:start:start], b[end:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	r := azapply(t, dir, "plan")
	if r.code != exitError || !strings.Contains(r.stderr, "import") {
		t.Fatalf("plan of an existing resource without an import block: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// putInWorld creates a resource in the embedded emulator's world of dir, as
// someone would have in the portal.
func putInWorld(t *testing.T, dir, id, apiVersion, body string) {
	t.Helper()
	srv := emulator.New(emulator.Options{})
	file := filepath.Join(dir, ".azapply", "emulator.json")
	if err := srv.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, "https://emulator.invalid"+id+"?api-version="+apiVersion, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer portal")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: srv.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("creating %s in the emulator: %s", id, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := srv.SaveFile(file); err != nil {
		t.Fatal(err)
	}
}

// TestExampleLanguageTour validates, applies and replans the language tour.
func TestExampleLanguageTour(t *testing.T) {
	dir := example(t, "language-tour")
	azapply(t, dir, "validate").mustExit(t, exitOK)
	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 10 added, 0 changed, 0 destroyed.", "subnet_ids = [")
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
	r = azapply(t, dir, "plan", "--var", `tiers=["web","app"]`, "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `- resource.subnet["db"]`, `- resource.nsg["db"]`, "0 to add, 0 to change, 2 to destroy.")
}

// TestExampleAzureStackHub runs the custom-cloud example against the
// emulator serving, on loopback TLS, the metadata document, the token
// endpoint and ARM. The binary trusts the emulator's CA through
// SSL_CERT_FILE, as a stamp's own CA would be trusted.
func TestExampleAzureStackHub(t *testing.T) {
	tlsConf, caPEM, err := emulator.LoopbackTLS(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	em := emulator.New(emulator.Options{Token: "issued-by-the-stamp"})
	srv := httptest.NewUnstartedServer(em)
	srv.TLS = tlsConf
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "stamp-ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := example(t, "azure-stack-hub")
	const secret = "stamp-sp-secret-value"
	args := []string{"--var", "metadata_endpoint=" + srv.URL + "/metadata/endpoints?api-version=2015-01-01",
		"--var", "tenant_id=contoso.onmicrosoft.com", "--var", "client_id=11111111-2222-3333-4444-555555555555", "--var", "client_secret=" + secret}
	run := func(cmd ...string) binResult {
		t.Helper()
		return azapplyEnv(t, dir, []string{"SSL_CERT_FILE=" + ca, "SSL_CERT_DIR=" + t.TempDir()}, append(cmd, args...)...)
	}
	r := run("apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.")
	r.mustNotContain(t, secret, "issued-by-the-stamp")
	if _, ok := em.Resource(sub + "/resourceGroups/stack-demo/providers/Microsoft.Storage/storageAccounts/stackdemostore"); !ok {
		t.Fatalf("no storage account on the stamp; it has %v", em.IDs())
	}
	run("plan", "--detailed-exitcode").mustExit(t, exitOK)

	// Without trusting the stamp's CA, nothing is sent: a clear TLS error.
	r = azapplyEnv(t, dir, []string{"SSL_CERT_FILE=/dev/null", "SSL_CERT_DIR=" + t.TempDir()}, append([]string{"plan"}, args...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("plan without the stamp's CA: exit %d\n%s", r.code, r.stderr)
	}
}

// azapplyEnv is azapply with extra environment variables.
func azapplyEnv(t *testing.T, dir string, env []string, args ...string) binResult {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "AZURE_CLIENT_ID=", "AZURE_TENANT_ID=", "AZURE_CLIENT_SECRET=", "AZAPPLY_AUTH=", "AZAPPLY_ARM_ENDPOINT="), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running azapply %v: %v", args, err)
	}
	return binResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestExamplesFormattedAndValid checks that every example is in fmt's
// layout and passes validate, as a newcomer would first run it.
func TestExamplesFormattedAndValid(t *testing.T) {
	examples := filepath.Join("..", "..", "examples")
	if r := runCmd(t, "", "fmt", "--check", "--recursive", examples); r.code != exitOK {
		t.Errorf("fmt --check: exit %d; not formatted:\n%s%s", r.code, r.out, r.err)
	}
	dirs, err := filepath.Glob(filepath.Join(examples, "*", "main.hcl"))
	if err != nil || len(dirs) < 7 {
		t.Fatalf("examples: %v %v", dirs, err)
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		args := []string{"validate", "--chdir", dir}
		if filepath.Base(dir) == "azure-stack-hub" {
			// validate cannot check a provider block that rests on
			// variables without values yet (it reports them as "not known
			// until apply"): give them.
			args = append(args, "--var", "metadata_endpoint=https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01",
				"--var", "tenant_id=t", "--var", "client_id=c", "--var", "client_secret=s")
		}
		if r := runCmd(t, "", args...); r.code != exitOK {
			t.Errorf("validate %s: exit %d\n%s%s", dir, r.code, r.out, r.err)
		}
	}
}
