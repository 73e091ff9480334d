package config

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitModuleCheckedAgainstTheCopysHead: the commit a module is pinned
// to is compared with the HEAD of the fetched copy itself. A copy moved
// to another commit after init (someone ran git checkout in it) is
// refused, naming both commits, though init left it at the pinned one;
// init then puts it back, and the configuration loads.
func TestGitModuleCheckedAgainstTheCopysHead(t *testing.T) {
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	const module = "variable \"group\" { type = string }\noutput \"id\" { value = var.group }\n"
	repo := gitRepo(t, map[string]string{"modules/net/main.hcl": module})
	pinned := git(repo, "rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(repo, "modules", "net", "extra.hcl"), []byte("locals { later = 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(repo, "add", ".")
	git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "later")
	later := git(repo, "rev-parse", "HEAD")

	root := writeDir(t, map[string]string{"main.hcl": `
module "net" {
  source = "git::file://` + filepath.ToSlash(repo) + `//modules/net?ref=v1"
  group  = "` + sub + `/resourceGroups/a"
}
`})
	if _, err := InstallModules(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	if cfg, diags := Load(root, LoadOptions{}); diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	copyDir, err := filepath.Glob(filepath.Join(root, modulesDir, "*", ".git"))
	if err != nil || len(copyDir) != 1 {
		t.Fatalf("the fetched copies: %v %v", copyDir, err)
	}
	copyDir[0] = filepath.Dir(copyDir[0])
	git(copyDir[0], "-c", "advice.detachedHead=false", "checkout", "-q", later)

	_, diags := Load(root, LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "was fetched at commit "+later) || !strings.Contains(diags.Error(), "pins "+pinned) {
		t.Fatalf("a copy at another commit: %v", diags)
	}
	fetched, err := InstallModules(context.Background(), root)
	if err != nil || len(fetched) != 1 {
		t.Fatalf("init after the copy moved fetched %v, %v", fetched, err)
	}
	if got := git(copyDir[0], "rev-parse", "HEAD"); got != pinned {
		t.Errorf("after init the copy is at %s, want %s", got, pinned)
	}
	if cfg, diags := Load(root, LoadOptions{}); diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
}
