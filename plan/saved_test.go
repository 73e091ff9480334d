package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

func TestSavedPlanRoundTrip(t *testing.T) {
	p := fixturePlan(t)
	var file bytes.Buffer
	if err := WriteSaved(&file, p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(file.String(), hidden) {
		t.Fatalf("the plan file holds a secret in clear:\n%s", file.String())
	}
	sp, err := ReadSaved(bytes.NewReader(file.Bytes()), "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	// show renders the saved plan exactly as plan rendered the original.
	for name, render := range map[string]func(*bytes.Buffer, *Plan) error{
		"text":     func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{}) },
		"markdown": func(b *bytes.Buffer, p *Plan) error { return RenderMarkdown(b, p, MarkdownOptions{}) },
	} {
		var a, b bytes.Buffer
		if err := render(&a, p); err != nil {
			t.Fatal(err)
		}
		if err := render(&b, sp.Plan); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: the saved plan renders differently:\n--- original\n%s\n--- saved\n%s", name, a.String(), b.String())
		}
	}
}

func TestReadSavedRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{"", "{}", `{"format_version":99,"salt":"x"}`, "not json"} {
		if _, err := ReadSaved(strings.NewReader(in), "tfplan"); err == nil || !strings.Contains(err.Error(), "tfplan") {
			t.Errorf("%q: error = %v, want one naming the file", in, err)
		}
	}
}

func TestSavedPlanStaleness(t *testing.T) {
	srv, client := newEmulator(t)
	live := map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}, "etag": "1"}
	setWorld(t, srv, map[string]map[string]any{acrID: live})
	st := state.New()
	applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`, `{"location":"westus","sku":{"name":"Basic"},"etag":"1"}`)
	decl := func(sku string) []*config.Instance {
		in := inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"`+sku+`"},"properties":{"adminPassword":"`+hidden+`"}}`)
		in.Sensitive = []string{"properties.adminPassword"}
		return []*config.Instance{in}
	}
	build := func(insts []*config.Instance) *Plan {
		t.Helper()
		p, err := Build(context.Background(), Options{Reader: client, Instances: insts, State: st})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var file bytes.Buffer
	if err := WriteSaved(&file, build(decl("Standard"))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(file.String(), hidden) {
		t.Fatal("the plan file holds a secret in clear")
	}
	sp, err := ReadSaved(&file, "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Check(build(decl("Standard"))); err != nil {
		t.Fatalf("an unchanged world: %v", err)
	}

	// Server bookkeeping moving on its own does not make the plan stale.
	live["etag"] = "2"
	setWorld(t, srv, map[string]map[string]any{acrID: live})
	if err := sp.Check(build(decl("Standard"))); err != nil {
		t.Fatalf("an etag change alone: %v", err)
	}

	cases := []struct {
		name   string
		change func()
		insts  []*config.Instance
		want   string
	}{
		{"configuration changed", func() {}, decl("Premium"), "configuration of resource.acr changed"},
		{"secret changed", func() {}, func() []*config.Instance {
			in := decl("Standard")
			in[0].Body = config.FromJSONValue(obj(t, `{"location":"westus","sku":{"name":"Standard"},"properties":{"adminPassword":"other"}}`))
			return in
		}(), "configuration of resource.acr changed"},
		{"live changed", func() {
			live["tags"] = map[string]any{"owner": "portal"}
			setWorld(t, srv, map[string]map[string]any{acrID: live})
		}, decl("Standard"), "resource.acr changed in Azure"},
		{"state changed", func() { st.Serial++ }, decl("Standard"), "the state changed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			err := sp.Check(build(tc.insts))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was applied") {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSavedPlanCheckBefore(t *testing.T) {
	p := &Plan{Lineage: "L1", Serial: 3, Changes: []*Change{
		{Address: "resource.rg", ID: "/subscriptions/s/resourceGroups/rg", Action: NoOp},
		{Address: `resource.sub["a"]`, ID: "/subscriptions/s/resourceGroups/rg/x/a", Action: Create},
		{Address: "resource.gone", ID: "/subscriptions/s/resourceGroups/rg/x/g", Action: Delete},
	}}
	var file bytes.Buffer
	if err := WriteSaved(&file, p); err != nil {
		t.Fatal(err)
	}
	sp, err := ReadSaved(&file, "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lineage  string
		declared []string
		expanded map[string]bool
		want     string // "" for no error
	}{
		{"same", "L1", []string{"resource.rg", "resource.sub"}, nil, ""},
		{"another stack", "L2", []string{"resource.rg", "resource.sub"}, nil, "another stack's (lineage L2"},
		{"a block the plan lacks", "L1", []string{"resource.rg", "resource.sub", "resource.new"}, nil, "declares resource.new, which the plan does not have"},
		{"for_each with no instances", "L1", []string{"resource.rg", "resource.sub", "resource.empty"}, map[string]bool{"resource.empty": true}, ""},
		{"a block no longer declared", "L1", []string{"resource.rg"}, nil, `the plan has resource.sub["a"], which the configuration does not declare`},
	}
	for _, tc := range tests {
		err := sp.CheckBefore(tc.lineage, tc.declared, tc.expanded)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestEditedSavedPlanIsRefused: a plan file edited to show one thing (a
// displayed value, an api-version) is refused when read, for show and apply
// alike; one edited by someone who also recomputed the checksum is read,
// but Check refuses it, since it no longer shows what apply would do.
func TestEditedSavedPlanIsRefused(t *testing.T) {
	srv, client := newEmulator(t)
	setWorld(t, srv, map[string]map[string]any{acrID: {"location": "westus", "sku": map[string]any{"name": "Basic"}}})
	st := state.New()
	applied(t, st, "acr", acrID, `{"location":"westus","sku":{"name":"Basic"}}`, `{"location":"westus","sku":{"name":"Basic"}}`)
	in := inst(t, "acr", acrID, `{"location":"westus","sku":{"name":"Standard"}}`)
	p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st})
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := WriteSaved(&file, p); err != nil {
		t.Fatal(err)
	}
	original := file.String()
	if _, err := ReadSaved(strings.NewReader(original), "tfplan"); err != nil {
		t.Fatalf("the file as written: %v", err)
	}
	edits := []struct {
		name, old, new, check string
	}{
		{"a displayed value", `"after": "Standard"`, `"after": "Premium"`, "shows values that are not what apply would send"},
		{"the api-version", `"api_version": "2023-07-01"`, `"api_version": "2019-05-01"`, "would now use api-version 2023-07-01"},
		{"the request's method", `"method": "PUT"`, `"method": "DELETE"`, "shows values that are not what apply would send"},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			if !strings.Contains(original, e.old) {
				t.Fatalf("the plan file has no %s:\n%s", e.old, original)
			}
			edited := strings.Replace(original, e.old, e.new, 1)
			_, err := ReadSaved(strings.NewReader(edited), "tfplan")
			if err == nil || !strings.Contains(err.Error(), "was changed after azapply wrote it") {
				t.Fatalf("an edited file: error = %v", err)
			}
			// The checksum recomputed: read, but refused by Check.
			var f savedFile
			dec := json.NewDecoder(strings.NewReader(edited))
			dec.UseNumber()
			if err := dec.Decode(&f); err != nil {
				t.Fatal(err)
			}
			if f.Checksum, err = f.checksum(); err != nil {
				t.Fatal(err)
			}
			forged, _ := json.Marshal(f)
			sp, err := ReadSaved(bytes.NewReader(forged), "tfplan")
			if err != nil {
				t.Fatalf("a file with a recomputed checksum: %v", err)
			}
			if err := sp.Check(p); err == nil || !strings.Contains(err.Error(), e.check) {
				t.Errorf("Check = %v, want %q", err, e.check)
			}
		})
	}
	// An older plan file without a checksum is refused with what to do.
	old := strings.Replace(original, `"format_version": 2`, `"format_version": 1`, 1)
	if _, err := ReadSaved(strings.NewReader(old), "tfplan"); err == nil || !strings.Contains(err.Error(), "older azapply") {
		t.Errorf("a version 1 file: %v", err)
	}
}
