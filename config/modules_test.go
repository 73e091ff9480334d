package config

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// appModule is a module with a group and a registry in it; the registry's
// ID lies under the group's, and an output gives the registry's login
// server from its live output.
var appModule = map[string]string{
	"modules/app/variables.hcl": `
variable "name" { type = string }
variable "location" {
  type    = string
  default = "westus"
}
variable "sub" { type = string }
`,
	"modules/app/main.hcl": `
locals {
  rg_id = "${var.sub}/resourceGroups/${var.name}"
}
resource "rg" {
  id          = local.rg_id
  api_version = "2021-04-01"
  body        = { location = var.location }
}
resource "acr" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/${replace(var.name, "-", "")}"
  api_version = "2023-07-01"
  body        = { location = var.location, sku = { name = "Basic" } }
}
module "net" {
  source = "./net"
  group  = resource.rg.id
}
output "group_id" { value = resource.rg.id }
output "login_server" { value = resource.acr.output.properties.loginServer }
output "vnet_id" { value = module.net.id }
`,
	"modules/app/net/main.hcl": `
variable "group" { type = string }
resource "vnet" {
  id          = "${var.group}/providers/Microsoft.Network/virtualNetworks/vnet"
  api_version = "2023-09-01"
  body        = { location = "westus" }
}
output "id" { value = resource.vnet.id }
`,
}

func withRoot(root string, mod map[string]string) map[string]string {
	files := map[string]string{"main.hcl": root}
	for k, v := range mod {
		files[k] = v
	}
	return files
}

func TestModuleForEachAndNesting(t *testing.T) {
	cfg := mustLoad(t, withRoot(`
provider { subscription_id = "00000000-0000-0000-0000-000000000000" }
variable "envs" {
  default = { dev = "westus", prod = "eastus" }
}
module "app" {
  for_each = var.envs
  source   = "./modules/app"
  name     = "app-${each.key}"
  location = each.value
  sub      = "`+sub+`"
}
resource "lock" {
  id          = "${module.app["prod"].group_id}/providers/Microsoft.Authorization/locks/nodelete"
  api_version = "2020-05-01"
  body        = { properties = { level = "CanNotDelete" } }
}
output "servers" { value = { for k, m in module.app : k => m.login_server } }
output "vnet" { value = module.app["dev"].vnet_id }
`, appModule), LoadOptions{})
	ev := mustEval(t, cfg, nil)
	got := addresses(ev.Resources())
	for _, want := range []string{
		`module.app["dev"].resource.rg`, `module.app["dev"].resource.acr`, `module.app["dev"].module.net.resource.vnet`,
		`module.app["prod"].resource.rg`, `module.app["prod"].resource.acr`, `resource.lock`,
	} {
		if byAddress(t, ev.Resources(), want) == nil {
			t.Errorf("no %s in %v", want, got)
		}
	}
	acr := byAddress(t, ev.Resources(), `module.app["prod"].resource.acr`)
	if acr.ID != sub+"/resourceGroups/app-prod/providers/Microsoft.ContainerRegistry/registries/appprod" {
		t.Errorf("acr id = %s", acr.ID)
	}
	if jsonOf(t, ToJSONValue(acr.Body)) != `{"location":"eastus","sku":{"name":"Basic"}}` {
		t.Errorf("acr body = %s", jsonOf(t, ToJSONValue(acr.Body)))
	}
	if acr.Block != `module.app["prod"].resource.acr` {
		t.Errorf("block = %s", acr.Block)
	}
	// Containment and references across modules give dependencies.
	if !contains(acr.DependsOn, `module.app["prod"].resource.rg`) {
		t.Errorf("acr depends on %v", acr.DependsOn)
	}
	vnet := byAddress(t, ev.Resources(), `module.app["dev"].module.net.resource.vnet`)
	if !contains(vnet.DependsOn, `module.app["dev"].resource.rg`) || contains(vnet.DependsOn, `module.app["prod"].resource.rg`) {
		t.Errorf("vnet depends on %v", vnet.DependsOn)
	}
	lock := byAddress(t, ev.Resources(), "resource.lock")
	if !contains(lock.DependsOn, `module.app["prod"].resource.rg`) || contains(lock.DependsOn, `module.app["dev"].resource.rg`) {
		t.Errorf("lock depends on %v", lock.DependsOn)
	}
	if !strings.HasPrefix(lock.ID, sub+"/resourceGroups/app-prod/providers/Microsoft.Authorization") {
		t.Errorf("lock id = %s", lock.ID)
	}
	// Outputs: only the root's, with module outputs read through them;
	// the live output is unknown until known.
	if len(ev.Outputs) != 2 {
		t.Fatalf("outputs = %d", len(ev.Outputs))
	}
	if v := ev.Outputs[1].Value.AsString(); v != sub+"/resourceGroups/app-dev/providers/Microsoft.Network/virtualNetworks/vnet" {
		t.Errorf("vnet output = %s", v)
	}
	if ev.Outputs[0].Value.IsWhollyKnown() {
		t.Errorf("servers known before apply: %#v", ev.Outputs[0].Value)
	}
	ev = mustEval(t, cfg, map[string]any{
		`module.app["dev"].resource.acr`:  map[string]any{"properties": map[string]any{"loginServer": "appdev.azurecr.io"}},
		`module.app["prod"].resource.acr`: map[string]any{"properties": map[string]any{"loginServer": "appprod.azurecr.io"}},
	})
	if s := jsonOf(t, ToJSONValue(ev.Outputs[0].Value)); s != `{"dev":"appdev.azurecr.io","prod":"appprod.azurecr.io"}` {
		t.Errorf("servers = %s", s)
	}
	// The one-at-a-time evaluator agrees.
	in, diags := cfg.EvaluateInstance(`module.app["dev"].module.net.resource.vnet`, nil)
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if in.ID != vnet.ID {
		t.Errorf("EvaluateInstance id = %s, want %s", in.ID, vnet.ID)
	}
	in, diags = cfg.EvaluateInstance("resource.lock", nil)
	if diags.HasErrors() || in.ID != lock.ID {
		t.Errorf("EvaluateInstance lock = %v, %s", in, diagText(cfg, diags))
	}
}

func TestModuleCount(t *testing.T) {
	cfg := mustLoad(t, withRoot(`
module "app" {
  count  = 2
  source = "./modules/app"
  name   = "app${count.index}"
  sub    = "`+sub+`"
}
output "first" { value = module.app[0].group_id }
`, appModule), LoadOptions{})
	ev := mustEval(t, cfg, nil)
	byAddress(t, ev.Resources(), `module.app[1].resource.acr`)
	if v := ev.Outputs[0].Value.AsString(); v != sub+"/resourceGroups/app0" {
		t.Errorf("first = %s", v)
	}
}

func TestModuleErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"provider in module", map[string]string{
			"main.hcl":   `module "m" { source = "./m" }`,
			"m/main.hcl": `provider { subscription_id = "x" }`,
		}, []string{"Provider block in a module", "main.hcl:1", "m/main.hcl"}},
		{"missing argument", map[string]string{
			"main.hcl":   `module "m" { source = "./m" }`,
			"m/main.hcl": `variable "name" { type = string }`,
		}, []string{"Missing module argument", `needs name = ...`}},
		{"unknown argument", map[string]string{
			"main.hcl":   "module \"m\" {\n  source = \"./m\"\n  nme = \"x\"\n}",
			"m/main.hcl": `variable "name" { default = "a" }`,
		}, []string{"Unknown module argument", `no variable "nme"`}},
		{"undeclared output", map[string]string{
			"main.hcl":   "module \"m\" { source = \"./m\" }\noutput \"x\" { value = module.m.nope }",
			"m/main.hcl": `output "yes" { value = 1 }`,
		}, []string{"has no output \"nope\"", "yes"}},
		{"bad id in module names the call", map[string]string{
			"main.hcl":   "module \"m\" {\n  source = \"./m\"\n}",
			"m/main.hcl": "resource \"r\" {\n  id = \"nope\"\n  api_version = \"2021-04-01\"\n}",
		}, []string{"Invalid resource ID", "m/main.hcl line 2", "In module.m, called at", "main.hcl:1"}},
		{"one diagnostic for every instance", map[string]string{
			"main.hcl":   "module \"m\" {\n  for_each = toset([\"a\", \"b\"])\n  source = \"./m\"\n}",
			"m/main.hcl": "output \"x\" { value = var.nope }",
		}, []string{`In module.m["a"] and module.m["b"], called at`}},
		{"for_each from a resource", map[string]string{
			"main.hcl": `
resource "rg" {
  id = "` + sub + `/resourceGroups/a"
  api_version = "2021-04-01"
}
module "m" {
  for_each = toset([resource.rg.output.name])
  source   = "./m"
}`,
			"m/main.hcl": `output "x" { value = 1 }`,
		}, []string{"for_each of module \"m\" must be known when the configuration is loaded"}},
		{"missing directory", map[string]string{
			"main.hcl": `module "m" { source = "./nowhere" }`,
		}, []string{"Module directory not found"}},
		{"git not installed", map[string]string{
			"main.hcl": `module "m" { source = "git::https://example.com/org/repo.git//app?ref=v1" }`,
		}, []string{"Module not installed", "Run azapply init"}},
		{"resource of another module", map[string]string{
			"main.hcl":   "module \"m\" { source = \"./m\" }\noutput \"x\" { value = resource.r.id }",
			"m/main.hcl": "resource \"r\" {\n  id = \"" + sub + "/resourceGroups/a\"\n  api_version = \"2021-04-01\"\n}",
		}, []string{"Reference to undeclared resource"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := Load(writeDir(t, tt.files), LoadOptions{})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			text := diagText(cfg, diags)
			for _, d := range diags {
				text += d.Summary + " " + d.Detail + "\n"
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestSplitAddress(t *testing.T) {
	tests := []struct{ in, block, key string }{
		{`resource.a`, `resource.a`, ``},
		{`resource.a["x.y"]`, `resource.a`, `["x.y"]`},
		{`module.app["d.e[v"].resource.rg[0]`, `module.app["d.e[v"].resource.rg`, `[0]`},
		{`module.app.module.net.resource.vnet`, `module.app.module.net.resource.vnet`, ``},
	}
	for _, tt := range tests {
		b, k := SplitAddress(tt.in)
		if b != tt.block || k != tt.key {
			t.Errorf("SplitAddress(%s) = %s, %s", tt.in, b, k)
		}
	}
	if AddressKind(`module.app["x"].data.sub`) != KindData || AddressKind(`module.app.resource.r[0]`) != KindResource || AddressKind("output.x") != "" {
		t.Error("AddressKind")
	}
}

// gitRepo makes a git repository in a temporary directory holding files,
// tagged v1, and returns its path.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := writeDir(t, files)
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "module"},
		{"tag", "v1"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestGitModule(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		"modules/net/main.hcl": `
variable "group" { type = string }
resource "vnet" {
  id          = "${var.group}/providers/Microsoft.Network/virtualNetworks/vnet"
  api_version = "2023-09-01"
}
output "id" { value = resource.vnet.id }
`,
	})
	root := writeDir(t, map[string]string{"main.hcl": `
module "net" {
  source = "git::file://` + filepath.ToSlash(repo) + `//modules/net?ref=v1"
  group  = "` + sub + `/resourceGroups/a"
}
output "id" { value = module.net.id }
`})
	// Before init: an error that says to run it.
	if _, diags := Load(root, LoadOptions{}); !strings.Contains(diags.Error(), "Run azapply init") {
		t.Fatalf("before init: %v", diags)
	}
	fetched, err := InstallModules(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(fetched) != 1 {
		t.Fatalf("fetched %v", fetched)
	}
	cfg, diags := Load(root, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if ev := mustEval(t, cfg, nil); ev.Outputs[0].Value.AsString() != sub+"/resourceGroups/a/providers/Microsoft.Network/virtualNetworks/vnet" {
		t.Errorf("output = %#v", ev.Outputs[0].Value)
	}
	lock, err := readModuleLock(root)
	if err != nil || len(lock.Modules) != 1 {
		t.Fatalf("lock %v %v", lock, err)
	}
	// A second init fetches nothing: the lock pins what is there.
	if fetched, err := InstallModules(context.Background(), root); err != nil || len(fetched) != 0 {
		t.Fatalf("second init fetched %v, %v", fetched, err)
	}
	// A lock that pins another commit: plan refuses until init.
	for k := range lock.Modules {
		lock.Modules[k] = LockedModule{Commit: strings.Repeat("0", 40)}
	}
	if err := writeModuleLock(root, lock); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(root, LoadOptions{}); !strings.Contains(diags.Error(), "pins "+strings.Repeat("0", 40)) {
		t.Fatalf("mismatch: %v", diags)
	}
	if err := os.Remove(filepath.Join(root, ModuleLockFile)); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(root, LoadOptions{}); !strings.Contains(diags.Error(), "Run azapply init") {
		t.Fatalf("missing lock: %v", diags)
	}
}

// TestModuleValidateWithoutValues checks a module whose for_each rests on a
// variable with no value, as validate does: its blocks are still checked.
func TestModuleValidateWithoutValues(t *testing.T) {
	dir := writeDir(t, withRoot(`
variable "envs" { type = map(string) }
module "app" {
  for_each = var.envs
  source   = "./modules/app"
  name     = each.key
  location = each.value
  sub      = "`+sub+`"
}
output "servers" { value = { for k, m in module.app : k => m.group_id } }
`, appModule))
	cfg, diags := Load(dir, LoadOptions{UnknownMissingVars: true})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if err := os.WriteFile(filepath.Join(dir, "modules", "app", "bad.hcl"), []byte("resource \"x\" {\n  id = \"nope\"\n  api_version = \"2021-04-01\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(dir, LoadOptions{UnknownMissingVars: true}); !strings.Contains(diags.Error(), "Invalid resource ID") {
		t.Errorf("validate missed a module's bad id: %v", diags)
	}
}

// TestModuleInstanceAtApply evaluates one module instance the way apply
// does, with an output known only after apply, through a module variable
// and a module's output used by another module.
func TestModuleInstanceAtApply(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"main.hcl": `
resource "rg" {
  id          = "` + sub + `/resourceGroups/a"
  api_version = "2021-04-01"
}
module "first" {
  source = "./m"
  tag    = resource.rg.output.name
  name   = "one"
}
module "second" {
  source = "./m"
  tag    = module.first.tag_seen
  name   = "two"
}
`,
		"m/main.hcl": `
variable "tag" { type = string }
variable "name" { type = string }
locals { tags = { t = var.tag } }
resource "x" {
  id          = "` + sub + `/resourceGroups/${var.name}"
  api_version = "2021-04-01"
  body        = { tags = local.tags }
}
output "tag_seen" { value = resource.x.body.tags.t }
`,
	}, LoadOptions{})
	outputs := map[string]any{"resource.rg": map[string]any{"name": "hello"}}
	for _, addr := range []string{"module.first.resource.x", "module.second.resource.x"} {
		in, diags := cfg.EvaluateInstance(addr, outputs)
		if diags.HasErrors() {
			t.Fatal(diagText(cfg, diags))
		}
		if got := jsonOf(t, ToJSONValue(in.Body)); got != `{"tags":{"t":"hello"}}` {
			t.Errorf("%s body = %s", addr, got)
		}
	}
	ev := mustEval(t, cfg, nil)
	second := byAddress(t, ev.Resources(), "module.second.resource.x")
	if second.Body.IsWhollyKnown() {
		t.Errorf("second body known before apply: %#v", second.Body)
	}
	if !contains(second.DependsOn, "module.first.resource.x") {
		t.Errorf("second depends on %v", second.DependsOn)
	}
}

func TestModuleCountZero(t *testing.T) {
	cfg := mustLoad(t, withRoot(`
module "app" {
  count  = 0
  source = "./modules/app"
  name   = "x"
  sub    = "`+sub+`"
}
output "n" { value = length(module.app) }
`, appModule), LoadOptions{})
	ev := mustEval(t, cfg, nil)
	if len(ev.Resources()) != 0 || jsonOf(t, ToJSONValue(ev.Outputs[0].Value)) != "0" {
		t.Errorf("resources %v, output %#v", addresses(ev.Resources()), ev.Outputs[0].Value)
	}
}

// TestGitRefIsNoOption: a ref that git would read as an option is refused.
func TestGitRefIsNoOption(t *testing.T) {
	if _, err := parseGitSource("git::file:///tmp/repo.git?ref=--orphan=x"); err == nil || !strings.Contains(err.Error(), `starts with "-"`) {
		t.Fatalf("err = %v; want the ref refused", err)
	}
	if g, err := parseGitSource("git::file:///tmp/repo.git?ref=v1.2.0"); err != nil || g.ref != "v1.2.0" {
		t.Fatalf("a tag: %+v, %v", g, err)
	}
}

// TestGitSourceRefusesCredentials: a token in a git module's URL would be
// written to the committed lock file and repeated in output, so it is
// refused, with an error that does not quote it; so are transports other
// than https, http, ssh, git and file.
func TestGitSourceRefusesCredentials(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"git::https://ghp_TOKEN1234@github.com/org/repo.git?ref=v1", "carries credentials"},
		{"git::https://user:s3cr3tpass@dev.azure.com/org/repo.git", "carries credentials"},
		{"git::ssh://git:s3cr3tpass@host/repo.git", "carries credentials"},
		{"git::ftp://host/repo.git", "transport"},
		{"git::ext::sh -c touch% /tmp/pwned", "a git source is git::URL"},
	} {
		_, err := parseGitSource(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.src, err, tc.want)
			continue
		}
		for _, secret := range []string{"ghp_TOKEN1234", "s3cr3tpass"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error quotes the credential: %v", tc.src, err)
			}
		}
	}
	for _, ok := range []string{"git::ssh://git@github.com/org/repo.git", "git::https://github.com/org/repo.git//modules/app?ref=v1", "git::file:///tmp/repo.git"} {
		if _, err := parseGitSource(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
