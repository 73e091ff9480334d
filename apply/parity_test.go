package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/plan"
)

// parityCase is the part of a shared/arm-examples case the parity test
// reads.
type parityCase struct {
	ResourceType string         `json:"resource_type"`
	APIVersion   string         `json:"api_version"`
	PutRequest   map[string]any `json:"put_request_body"`
}

// TestPlanIsThePromiseOverARMExamples: for every real request body of the
// corpus, apply it, change an undeclared path out of band (a tag and a
// property, as in the portal), apply a declared change, and check that the
// out-of-band change is still there and that the live paths apply changed
// are exactly the paths the plan showed.
func TestPlanIsThePromiseOverARMExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "arm-examples", "cases", "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("expected the 82 cases under testdata/arm-examples/cases, found %d (%v)", len(files), err)
	}
	var cases, changed, shown, kept, surprises int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pc parityCase
		if err := json.Unmarshal(data, &pc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			c, s, k, sp := parity(t, pc)
			cases++
			changed += c
			shown += s
			kept += k
			surprises += sp
		})
	}
	t.Logf("parity: %d cases; live paths apply changed: %d; paths the plan showed: %d; out-of-band changes kept: %d of %d; surprises: %d",
		cases, changed, shown, kept, 2*cases, surprises)
	if surprises > 0 {
		t.Errorf("%d surprises: apply changed what the plan did not show, or the plan showed what apply did not change", surprises)
	}
}

func parity(t *testing.T, pc parityCase) (changed, shown, kept, surprises int) {
	srv := emulator.New(emulator.Options{})
	client := emulatorClient(t, srv)
	id := parityID(pc.ResourceType)
	// The group and the parents exist, made by someone else.
	if !strings.HasPrefix(id, "/providers/") {
		emuPut(t, srv, parityRG, "2021-04-01", map[string]any{"location": "westus"})
	}
	for _, p := range parityParents(id) {
		emuPut(t, srv, p, pc.APIVersion, map[string]any{"location": "westus"})
	}
	s := newStack(t, client)
	body, err := json.Marshal(pc.PutRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "body.json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
resource "r" {
  id          = %q
  api_version = %q
  body        = %s
}
`, id, pc.APIVersion, "%s")
	s.write(fmt.Sprintf(config, `jsondecode(file("body.json"))`))
	if _, err := s.apply(context.Background(), Options{}); err != nil {
		t.Fatalf("creating it: %v", err)
	}
	s.clean()

	// Out of band: a tag and a property the configuration does not declare.
	oob := map[string]any{"tags": map[string]any{"changed-in": "portal"}, "properties": map[string]any{oobProperty(pc.ResourceType): "portal"}}
	if err := srv.ChangeOutOfBand(id, oob); err != nil {
		t.Fatal(err)
	}
	before, _ := srv.Resource(id)

	// A declared change: a new tag.
	s.write(fmt.Sprintf(config, `merge(jsondecode(file("body.json")), { tags = merge(try(jsondecode(file("body.json")).tags, {}), { declared = "yes" }) })`))
	_, _, p := s.plan()
	var planned []string
	for _, c := range p.Changes {
		if c.Action != plan.Update {
			t.Fatalf("the declared change planned %s, want an update", c.Action)
		}
		for _, pc := range c.Paths {
			planned = append(planned, pc.Path)
		}
	}
	if _, err := s.apply(context.Background(), Options{}); err != nil {
		t.Fatalf("applying the declared change: %v", err)
	}
	after, _ := srv.Resource(id)

	if got := dig(after.Body, "tags", "changed-in"); got != "portal" {
		t.Errorf("the tag changed in the portal is gone: tags = %v", after.Body["tags"])
		surprises++
	} else {
		kept++
	}
	if got := dig(after.Body, "properties", oobProperty(pc.ResourceType)); got != "portal" {
		t.Errorf("the property changed in the portal is gone: %v", got)
		surprises++
	} else {
		kept++
	}
	live := leafChanges(nil, before.Body, after.Body)
	sort.Strings(live)
	sort.Strings(planned)
	if strings.Join(live, ",") != strings.Join(planned, ",") {
		t.Errorf("apply changed %q, the plan showed %q", live, planned)
		surprises++
	}
	s.clean()
	return len(live), len(planned), kept, surprises
}

// oobProperty is the property changed out of band: one the type's
// provider keeps (the emulator's registry drops what its schema lacks, as
// ARM's providers do), else a made-up one the emulator stores.
func oobProperty(typ string) string {
	if strings.EqualFold(typ, "Microsoft.ContainerRegistry/registries") {
		return "networkRuleBypassOptions"
	}
	return "outOfBandSetting"
}

const parityRG = sub + "/resourceGroups/parity"

// parityID builds an ID for a resource type under the parity group (a
// management group at the tenant).
func parityID(typ string) string {
	segs := strings.Split(typ, "/")
	var b strings.Builder
	if !strings.EqualFold(segs[0], "Microsoft.Management") {
		b.WriteString(parityRG)
	}
	b.WriteString("/providers/" + segs[0])
	for i, s := range segs[1:] {
		fmt.Fprintf(&b, "/%s/res%d", s, i)
	}
	return b.String()
}

// parityParents lists the provider resources above id, outermost first.
func parityParents(id string) []string {
	i := strings.LastIndex(strings.ToLower(id), "/providers/")
	head, tail := id[:i], strings.Split(id[i+len("/providers/"):], "/")
	var out []string
	for n := 3; n < len(tail); n += 2 {
		out = append(out, head+"/providers/"+strings.Join(tail[:n], "/"))
	}
	return out
}

func emuPut(t *testing.T, srv *emulator.Server, id, apiVersion string, body map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPut, "https://emulator.invalid"+id+"?api-version="+apiVersion, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer someone-else")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: srv.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("PUT %s: %s", id, resp.Status)
	}
}

// timestampKey matches the keys of the times services set on a write
// (updatedOn, modifiedDate, lastModifiedTimeUtc).
var timestampKey = regexp.MustCompile(`(?i)(time|timestamp|date|on|utc)$`)

func isTimestampValue(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// leafChanges lists the paths where two bodies differ, leaving out what
// the service moves on every write (etag, systemData, provisioningState).
// Paths are written as the plan writes simple ones: keys joined by dots,
// array elements by position.
func leafChanges(path []string, a, b any) []string {
	if len(path) > 0 {
		switch strings.ToLower(path[len(path)-1]) {
		case "etag", "systemdata", "provisioningstate":
			return nil
		}
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			out = append(out, leafChanges(append(path[:len(path):len(path)], k), am[k], bm[k])...)
		}
		return out
	}
	aa, aok := a.([]any)
	ba, bok := b.([]any)
	if aok && bok && len(aa) == len(ba) {
		var out []string
		for i := range aa {
			out = append(out, leafChanges(append(path[:len(path):len(path)], fmt.Sprintf("[%d]", i)), aa[i], ba[i])...)
		}
		return out
	}
	if len(path) > 0 && timestampKey.MatchString(path[len(path)-1]) && isTimestampValue(a) && isTimestampValue(b) {
		return nil // a time the service moves on every write
	}
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	if string(aj) != string(bj) {
		return []string{strings.Join(path, ".")}
	}
	return nil
}
