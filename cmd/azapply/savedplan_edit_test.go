package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditedPlanFileRefused: a plan file edited after plan --out wrote it (a
// displayed value, the api-version) is refused by show and by apply with a
// message that says so, and apply sends nothing; the file as written shows
// and applies what it shows.
func TestEditedPlanFileRefused(t *testing.T) {
	dir := appliedDir(t)
	editFile(t, filepath.Join(dir, "main.hcl"), `body        = { location = "westus" }
}

resource "other"`, `body        = { location = "westus", tags = { env = "prod" } }
}

resource "other"`)
	planFile := filepath.Join(dir, "tfplan")
	if r := runCmd(t, "", "plan", "--chdir", dir, "--no-color", "--out", planFile); r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.out, r.err)
	}
	original, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct{ name, old, new string }{
		{"a displayed value", `"env": "prod"`, `"env": "dev"`},
		{"the api-version", `"api_version": "2021-04-01"`, `"api_version": "2019-05-01"`},
	} {
		t.Run(e.name, func(t *testing.T) {
			if !strings.Contains(string(original), e.old) {
				t.Fatalf("the plan file has no %s:\n%s", e.old, original)
			}
			if err := os.WriteFile(planFile, []byte(strings.ReplaceAll(string(original), e.old, e.new)), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"show", planFile}, {"apply", "--chdir", dir, planFile}} {
				r := runCmd(t, "", args...)
				if r.code != exitError || !strings.Contains(r.err, "was changed after azapply wrote it") {
					t.Errorf("azapply %s with an edited plan: exit %d\n%s%s", args[0], r.code, r.out, r.err)
				}
				if strings.Contains(r.out, "dev") {
					t.Errorf("azapply %s printed the forged value:\n%s", args[0], r.out)
				}
			}
			if res, _ := world(t, dir).Resource(rgID); res.Body["tags"] != nil {
				tags := res.Body["tags"]
				t.Errorf("an edited plan was applied: tags %v", tags)
			}
		})
	}
	if err := os.WriteFile(planFile, original, 0o600); err != nil {
		t.Fatal(err)
	}
	show := runCmd(t, "", "show", "--no-color", planFile)
	a := runCmd(t, "", "apply", "--chdir", dir, "--no-color", planFile)
	if show.code != exitOK || a.code != exitOK {
		t.Fatalf("the plan as written: show exit %d, apply exit %d\n%s%s", show.code, a.code, a.out, a.err)
	}
	if !strings.HasPrefix(a.out, show.out) {
		t.Errorf("apply FILE does not print what show printed:\n--- show\n%s\n--- apply\n%s", show.out, a.out)
	}
	res, _ := world(t, dir).Resource(rgID)
	if tags, _ := res.Body["tags"].(map[string]any); tags["env"] != "prod" {
		t.Errorf("the plan was not applied: tags %v", tags)
	}
}
