package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/state/azuritetest"
)

// binPath is the azapply binary built once for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "azapply-e2e-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "azapply")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building azapply for the end-to-end tests: " + err.Error())
	}
	code := m.Run()
	azuritetest.Stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// binResult is what one run of the binary did.
type binResult struct {
	stdout, stderr string
	code           int
}

// azapply runs the built binary in dir with args, as a user would.
func azapply(t *testing.T, dir string, args ...string) binResult {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	// No credential from the environment may leak into a test.
	cmd.Env = append(os.Environ(), "AZURE_CLIENT_ID=", "AZURE_TENANT_ID=", "AZURE_CLIENT_SECRET=")
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

func (r binResult) mustContain(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
}

func (r binResult) mustExit(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// copyDir copies the files of an example into a fresh temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	copyTree(t, src, dst)
	return dst
}

// copyTree copies the files of src into dst, and its subdirectories (a
// configuration's modules) except hidden ones such as .azapply.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if err := os.MkdirAll(filepath.Join(dst, e.Name()), 0o755); err != nil {
				t.Fatal(err)
			}
			copyTree(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// world loads the emulator's world that the embedded mode saved in dir.
func world(t *testing.T, dir string) *emulator.Server {
	t.Helper()
	srv := emulator.New(emulator.Options{})
	if err := srv.LoadFile(filepath.Join(dir, ".azapply", "emulator.json")); err != nil {
		t.Fatal(err)
	}
	return srv
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	quickstartRG  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/quickstart"
	quickstartACR = quickstartRG + "/providers/Microsoft.ContainerRegistry/registries/quickstartacr"
)

// TestQuickstartLifecycle walks the quickstart through create, no-op,
// update and delete, checking what the tool printed and what the emulator
// holds after each step.
func TestQuickstartLifecycle(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "quickstart"))

	r := azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "+ resource.rg", "+ resource.registry", "+ sku = {", `+ name = "Standard"`,
		"Plan: 2 to add, 0 to change, 0 to destroy.")

	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "resource.rg: Creating...", "resource.registry: Creation complete",
		"Apply complete! Resources: 2 added, 0 changed, 0 destroyed.")
	acr, ok := world(t, dir).Resource(quickstartACR)
	if !ok {
		t.Fatalf("the emulator has no registry after apply; it has %v", world(t, dir).IDs())
	}
	if got := acr.Body["sku"].(map[string]any)["name"]; got != "Standard" {
		t.Fatalf("registry sku in the emulator = %v, want Standard", got)
	}

	r = azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitOK)
	r.mustContain(t, "No changes.")

	editFile(t, filepath.Join(dir, "main.hcl"), `default = "Standard"`, `default = "Premium"`)
	r = azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "~ resource.registry", `~ sku.name = "Standard" -> "Premium"`,
		"Plan: 0 to add, 1 to change, 0 to destroy.")
	if strings.Contains(r.stdout, "resource.rg will") {
		t.Errorf("the resource group shows as changed:\n%s", r.stdout)
	}

	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")
	acr, _ = world(t, dir).Resource(quickstartACR)
	if got := acr.Body["sku"].(map[string]any)["name"]; got != "Premium" {
		t.Fatalf("registry sku in the emulator = %v, want Premium", got)
	}

	// Remove the registry block: apply deletes it.
	b, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(b, []byte(`resource "registry"`))
	if cut < 0 {
		t.Fatal("main.hcl has no registry block")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), b[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	r = azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "- resource.registry", "resource.registry: Destruction complete",
		"Apply complete! Resources: 0 added, 0 changed, 1 destroyed.")
	w := world(t, dir)
	if _, ok := w.Resource(quickstartACR); ok {
		t.Fatal("the registry still exists in the emulator after its block was removed")
	}
	if _, ok := w.Resource(quickstartRG); !ok {
		t.Fatal("the resource group is gone from the emulator; only the registry should be")
	}

	r = azapply(t, dir, "plan", "--detailed-exitcode")
	r.mustExit(t, exitOK)
	r.mustContain(t, "No changes.")
}

func TestDestroy(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "quickstart"))
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	// Without a terminal and without --auto-approve, destroy refuses.
	r := azapply(t, dir, "destroy")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "--auto-approve") {
		t.Fatalf("destroy without a terminal did not say how to proceed:\n%s", r.stderr)
	}
	if len(world(t, dir).IDs()) != 2 {
		t.Fatal("destroy deleted something without confirmation")
	}

	r = azapply(t, dir, "destroy", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Plan: 0 to add, 0 to change, 2 to destroy.", "Destroy complete! Resources: 2 destroyed.")
	if ids := world(t, dir).IDs(); len(ids) != 0 {
		t.Fatalf("the emulator still holds %v after destroy", ids)
	}
	r = azapply(t, dir, "plan")
	r.mustContain(t, "Plan: 2 to add, 0 to change, 0 to destroy.")
}
