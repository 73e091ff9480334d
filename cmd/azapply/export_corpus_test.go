package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// corpusCase is the part of a shared/arm-examples case the export test
// reads.
type corpusCase struct {
	ResourceType string                    `json:"resource_type"`
	APIVersion   string                    `json:"api_version"`
	Responses    map[string]map[string]any `json:"put_responses"`
	Get          map[string]any            `json:"get_response"`
}

// answer is the body the service answered for the case: its GET, else its
// PUT's response.
func (c corpusCase) answer() map[string]any {
	if c.Get != nil {
		return c.Get
	}
	if r := c.Responses["200"]; r != nil {
		return r
	}
	return c.Responses["201"]
}

// TestExportCorpus: every case of the ARM example corpus, its resource
// put directly in the emulator's world as the service answered it (with
// its resource group and parents), is exported and adopted: the first
// plan must only import, apply must send no write, the next plan must be
// clean. testdata/export-corpus.golden lists, per case, clean or why not.
func TestExportCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("expected the 82 cases under testdata/arm-examples/cases, found %d (%v)", len(files), err)
	}
	sort.Strings(files)
	results := make([]string, len(files))
	t.Run("cases", func(t *testing.T) {
		for i, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".json")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				reason, exp := exportCase(t, f)
				if reason == "" {
					results[i] = "clean " + name + " (" + exportGist(exp) + ")"
				} else {
					results[i] = "NOT CLEAN " + name + ": " + reason
				}
			})
		}
	})
	clean := 0
	for _, r := range results {
		if strings.HasPrefix(r, "clean ") {
			clean++
		}
	}
	report := fmt.Sprintf("cases: %d; exported to a clean first plan: %d; not clean: %d\n\n%s\n",
		len(files), clean, len(files)-clean, strings.Join(results, "\n"))
	t.Log(strings.SplitN(report, "\n", 2)[0])
	golden := filepath.Join("testdata", "export-corpus.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(want, []byte(report)) {
		t.Errorf("the corpus export differs from %s (run with -update if the change is right):\n%s", golden, report)
	}
}

// exportCase puts one case in a served emulator and adopts it; it returns
// why the adoption is not clean ("" when it is) and what export printed.
func exportCase(t *testing.T, file string) (string, binResult) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c corpusCase
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	body := c.answer()
	if body == nil {
		t.Fatalf("%s: no response body", file)
	}
	s := serveLoopback(t, emulator.Options{})
	rg := "/subscriptions/" + stackSub + "/resourceGroups/corpus"
	id := corpusID(rg, c.ResourceType)
	world := []map[string]any{}
	add := func(id, typ string, body map[string]any) {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		// The service answers with the resource's own ID, name and type.
		b["id"], b["name"], b["type"] = id, id[strings.LastIndex(id, "/")+1:], typ
		world = append(world, map[string]any{"id": id, "type": typ, "body": b})
	}
	selection := []string{"--resource-group", rg}
	if strings.HasPrefix(id, "/providers/") {
		selection = []string{"--id", id[:strings.Index(id, "/managementGroups/")+len("/managementGroups/")+4]}
	} else {
		add(rg, "Microsoft.Resources/resourceGroups", map[string]any{"location": "westus", "properties": map[string]any{"provisioningState": "Succeeded"}})
	}
	typ := strings.Split(c.ResourceType, "/")
	for n := 2; n < len(typ); n++ {
		p := corpusID(rg, strings.Join(typ[:n], "/"))
		if strings.HasPrefix(id, "/providers/") {
			p = corpusID("", strings.Join(typ[:n], "/"))
		}
		add(p, strings.Join(typ[:n], "/"), map[string]any{"location": "westus"})
	}
	add(id, c.ResourceType, body)
	raw, err := json.Marshal(map[string]any{"resources": world})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.em.UnmarshalWorld(raw); err != nil {
		t.Fatal(err)
	}
	from := t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "main.hcl"), []byte(s.provider()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, exp, reason := adoptSteps(t, s, from, selection)
	return reason, exp
}

// exportGist says what an export wrote: how many resources, values left
// out and secret variables.
func exportGist(exp binResult) string {
	n := ""
	if m := regexp.MustCompile(`Exported (\d+) resources`).FindStringSubmatch(exp.stdout); m != nil {
		n = m[1]
	}
	secrets := 0
	if m := regexp.MustCompile(`(\d+) values look secret`).FindStringSubmatch(exp.stdout); m != nil {
		secrets = atoi(m[1])
	}
	return fmt.Sprintf("%s resources, %d values left out, %d secret variables", n, strings.Count(exp.stdout, ": left out "), secrets)
}

// corpusID is an ID of typ under scope (a management group at the tenant
// for Microsoft.Management), each name res0, res1….
func corpusID(scope, typ string) string {
	segs := strings.Split(typ, "/")
	var b strings.Builder
	if !strings.EqualFold(segs[0], "Microsoft.Management") {
		b.WriteString(scope)
	}
	b.WriteString("/providers/" + segs[0])
	for i, s := range segs[1:] {
		fmt.Fprintf(&b, "/%s/res%d", s, i)
	}
	return b.String()
}
