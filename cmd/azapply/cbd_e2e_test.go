package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestCreateBeforeDestroy replaces a registry with create_before_destroy:
// the plan shows +/-, and the emulator's request log proves that the new
// registry was created before the old one was deleted. A replace that
// keeps its ID is refused at plan time, with nothing sent.
func TestCreateBeforeDestroy(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	write := func(name, sku string) {
		writeConfigFile(t, filepath.Join(dir, "main.hcl"), s.provider()+`
resource "rg" {
  id          = "`+stackRG+`"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id                    = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/`+name+`"
  api_version           = "2023-07-01"
  body                  = { location = "westus", sku = { name = "`+sku+`" } }
  replace_on_changes    = ["sku.name"]
  create_before_destroy = true
}
`)
	}
	write("cbdfirst", "Basic")
	s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	write("cbdsecond", "Basic")
	r := s.run(t, dir, "plan", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "+/- resource.acr", "the new one is created before the old one is deleted", "Plan: 1 to add, 0 to change, 1 to destroy.")

	s.em.ResetObservations()
	r = s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Resources: 1 added, 0 changed, 1 destroyed.")
	var order []string
	for _, e := range s.em.RequestLog() {
		if (e.Method == "PUT" || e.Method == "DELETE") && strings.Contains(e.Path, "/registries/") {
			order = append(order, e.Method+" "+e.Path[strings.LastIndex(e.Path, "/")+1:])
		}
	}
	if strings.Join(order, ", ") != "PUT cbdsecond, DELETE cbdfirst" {
		t.Errorf("requests %v: want the new registry created before the old one is deleted", order)
	}
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.ContainerRegistry/registries/cbdfirst"); ok {
		t.Error("the old registry is still there")
	}
	if _, ok := s.em.Resource(stackRG + "/providers/Microsoft.ContainerRegistry/registries/cbdsecond"); !ok {
		t.Error("the new registry is missing")
	}

	// Same ID, a change that forces a replace: refused before any write.
	write("cbdsecond", "Premium")
	s.em.ResetObservations()
	r = s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "create_before_destroy = true, but the replacement keeps the ID") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if w := armWrites(s.em); len(w) != 0 {
		t.Errorf("a refused plan sent %v", w)
	}
}
