package export

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// TestCorpusKeptValues measures the table of what the service owns on the
// ARM example corpus: each case's resource is put in the emulator as the
// service answered it and exported, and the leaves of the exported body
// that the case's PUT request does not send are listed. Those are values
// the service added: defaults (harmless to declare) or read-only values
// the table does not know yet (which a later write would send back).
// testdata/corpus-kept.golden lists them per case for a reviewer.
func TestCorpusKeptValues(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("expected the 82 cases under testdata/arm-examples/cases, found %d (%v)", len(files), err)
	}
	sort.Strings(files)
	var report strings.Builder
	exact, total := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			ResourceType string                    `json:"resource_type"`
			Request      map[string]any            `json:"put_request_body"`
			Responses    map[string]map[string]any `json:"put_responses"`
			Get          map[string]any            `json:"get_response"`
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		answer := c.Get
		if answer == nil {
			answer = c.Responses["200"]
		}
		if answer == nil {
			answer = c.Responses["201"]
		}
		if strings.HasPrefix(c.ResourceType, "Microsoft.Management/") {
			continue // at the tenant, outside a group: the cmd corpus test covers it
		}
		total++
		srv, cl := newEmulator(t, emulator.Options{})
		id := rgID + "/providers/" + strings.SplitN(c.ResourceType, "/", 2)[0]
		for i, typ := range strings.Split(c.ResourceType, "/")[1:] {
			id += fmt.Sprintf("/%s/res%d", typ, i)
		}
		world := []map[string]any{{"id": rgID, "type": "Microsoft.Resources/resourceGroups", "body": map[string]any{"location": "westus"}}}
		segs := strings.Split(id, "/")
		for n := 9; n < len(segs); n += 2 {
			p := strings.Join(segs[:n], "/")
			world = append(world, map[string]any{"id": p, "type": "x", "body": map[string]any{"location": "westus"}})
		}
		world = append(world, map[string]any{"id": id, "type": c.ResourceType, "body": answer})
		raw, _ := json.Marshal(map[string]any{"resources": world})
		if err := srv.UnmarshalWorld(raw); err != nil {
			t.Fatal(err)
		}
		res, err := Export(t.Context(), cl, Options{Subscription: sub, IDs: []string{id}})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var body map[string]any
		for _, r := range res.Resources {
			if strings.EqualFold(r.ID, id) {
				body = r.Body
			}
		}
		sent := map[string]bool{}
		for _, p := range leaves(c.Request, "") {
			sent[p] = true
		}
		var kept []string
		for _, p := range leaves(body, "") {
			if !sent[p] {
				kept = append(kept, p)
			}
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if len(kept) == 0 {
			exact++
			fmt.Fprintf(&report, "exact %s\n", name)
			continue
		}
		fmt.Fprintf(&report, "kept %s: %s\n", name, strings.Join(kept, ", "))
	}
	out := fmt.Sprintf("cases in a group: %d; exported body sends nothing the request did not: %d; keeps values the service added: %d\n\n%s",
		total, exact, total-exact, report.String())
	t.Log(strings.SplitN(out, "\n", 2)[0])
	golden := filepath.Join("testdata", "corpus-kept.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != out {
		t.Errorf("the kept values differ from %s (run with -update if the change is right):\n%s", golden, out)
	}
}

// leaves lists the paths of v's leaves, array elements as [*]; an empty
// object or array is a leaf.
func leaves(v any, path string) []string {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return []string{path}
		}
		var out []string
		for _, k := range sortedMapKeys(v) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, leaves(v[k], p)...)
		}
		return out
	case []any:
		if len(v) == 0 {
			return []string{path}
		}
		seen := map[string]bool{}
		var out []string
		for _, e := range v {
			for _, p := range leaves(e, path+"[*]") {
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
		return out
	}
	return []string{path}
}
