package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
)

const hidden = "hunter2-do-not-print"

// fixturePlan holds every kind of change, drift and kept value, with a
// secret in each place one could leak.
func fixturePlan(t *testing.T) *Plan {
	t.Helper()
	return &Plan{
		Lineage: "11111111-2222-4333-8444-555555555555", Serial: 7,
		Changes: []*Change{
			{Address: "data.subscription", ID: testSub, APIVersion: "2022-12-01", Action: Read},
			{Address: "resource.rg", ID: rgID, APIVersion: "2021-04-01", Action: Create,
				Desired: obj(t, `{"location":"westus","tags":{"env":"demo","hidden-link:/x":"y"},"properties":{"adminPassword":"`+hidden+`","zones":["1","2"],"empty":{}}}`)},
			{Address: "resource.acr", ID: acrID, APIVersion: "2023-07-01", Action: Update, DependsOn: []string{"resource.rg"},
				Paths: []PathChange{
					{Path: "properties.adminUserEnabled", Before: false, After: true},
					{Path: "properties.policies.script", Before: "line 1\nline 2\nline 3\n", After: "line 1\nline two\nline 3\n"},
					{Path: "properties.secretValue", Before: Absent{}, After: hidden, Sensitive: true},
					{Path: "properties.networkRuleSet.ipRules[value=10.0.0.1]", Before: map[string]any{"value": "10.0.0.1", "action": "Allow"}, After: Absent{}},
					{Path: "sku.name", Before: "Standard", After: config.Unknown{}},
				},
				KeptDifferently: []PathChange{{Path: "properties.version", Before: "1.29.7", After: "1.29"}},
			},
			{Address: "resource.ip", ID: rgID + "/providers/Microsoft.Network/publicIPAddresses/ip", APIVersion: "2024-07-01", Action: Replace,
				Paths: []PathChange{{Path: "location", Before: "westus", After: "eastus", ForcesReplace: true, ReplaceReason: body.ReasonLocation}}},
			{Address: "resource.old", ID: acrID + "2", APIVersion: "2023-07-01", Action: Update, Import: true,
				Paths: []PathChange{{Path: "sku.name", Before: "Basic", After: "Standard"}}},
			{Address: "resource.gone", ID: vnID, APIVersion: "2024-07-01", Action: Forget},
			{Address: "resource.subnet", ID: vnID + "/subnets/a", APIVersion: "2024-07-01", Action: Delete, DeletedWith: "resource.oldrg"},
			{Address: "resource.server", ID: testSub + "/resourceGroups/old/providers/Microsoft.Sql/servers/s", APIVersion: "2023-08-01", Action: Delete,
				DeletedWith: "resource.oldrg", Desired: obj(t, `{"location":"westus"}`)},
			{Address: "resource.oldrg", ID: testSub + "/resourceGroups/old", APIVersion: "2021-04-01", Action: Delete,
				Contents: &Contents{DeleteUnmanaged: true, Resources: []Contained{
					{ID: testSub + "/resourceGroups/old/providers/Microsoft.Sql/servers/s", Type: "Microsoft.Sql/servers", Managed: true, Address: "resource.server"},
					{ID: testSub + "/resourceGroups/old/providers/Microsoft.Storage/storageAccounts/otherteam", Type: "Microsoft.Storage/storageAccounts"},
				}}},
		},
		Drift: []*Drift{
			{Address: "resource.acr", ID: acrID, Paths: []PathChange{
				{Path: "properties.publicNetworkAccess", Before: "Enabled", After: "Disabled"},
				{Path: "properties.adminUserEnabled", Before: true, After: false, Declared: true},
				{Path: "properties.secretValue", Before: hidden, After: hidden + "2", Sensitive: true, Declared: true},
			}},
			{Address: "resource.gone", ID: vnID, Deleted: true},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	p := fixturePlan(t)
	noChanges := &Plan{Changes: []*Change{{Address: "resource.rg", Action: NoOp}}}
	refreshOnly := &Plan{RefreshOnly: true, Drift: p.Drift}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer, *Plan) error
		plan   *Plan
	}{
		{"plan.txt", func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{}) }, p},
		{"plan-color.txt", func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{Color: true}) }, p},
		{"plan.md", func(b *bytes.Buffer, p *Plan) error { return RenderMarkdown(b, p, MarkdownOptions{}) }, p},
		{"plan.json", func(b *bytes.Buffer, p *Plan) error { return RenderJSON(b, p) }, p},
		{"no-changes.txt", func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{}) }, noChanges},
		{"no-changes.md", func(b *bytes.Buffer, p *Plan) error { return RenderMarkdown(b, p, MarkdownOptions{}) }, noChanges},
		{"refresh-only.txt", func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{}) }, refreshOnly},
		{"refresh-only.json", func(b *bytes.Buffer, p *Plan) error { return RenderJSON(b, p) }, refreshOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b, tc.plan); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), hidden) {
				t.Fatalf("the hidden is in the output:\n%s", b.String())
			}
			if !strings.HasSuffix(tc.name, "color.txt") && strings.Contains(b.String(), "\x1b[") {
				t.Fatalf("colour codes without colour:\n%s", b.String())
			}
			golden(t, "render/"+tc.name, b.Bytes())
		})
	}
}

func TestRenderJSONIsValidAndVersioned(t *testing.T) {
	var b bytes.Buffer
	if err := RenderJSON(&b, fixturePlan(t)); err != nil {
		t.Fatal(err)
	}
	var got struct {
		FormatVersion string `json:"format_version"`
		Summary       struct {
			Add, Change, Destroy, Import, Drifted int
			UnmanagedDeletes                      int `json:"unmanaged_deletes"`
		}
		ExitStatus struct {
			DetailedExitCode int `json:"detailed_exit_code"`
		} `json:"exit_status"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.FormatVersion != JSONFormatVersion || got.Summary.Add != 2 || got.Summary.Change != 2 || got.Summary.Destroy != 4 ||
		got.Summary.UnmanagedDeletes != 1 || got.Summary.Import != 1 || got.Summary.Drifted != 2 || got.ExitStatus.DetailedExitCode != 2 {
		t.Errorf("decoded %+v", got)
	}
}

func TestRenderMarkdownTruncates(t *testing.T) {
	p := &Plan{}
	for i := range 400 {
		p.Changes = append(p.Changes, &Change{Address: "resource.r" + strings.Repeat("x", i%7) + string(rune('a'+i%26)), ID: acrID, Action: Update,
			Paths: []PathChange{{Path: "properties.description", Before: strings.Repeat("old ", 60), After: strings.Repeat("new ", 60)}}})
	}
	for _, limit := range []int{0, 5000} {
		var b bytes.Buffer
		if err := RenderMarkdown(&b, p, MarkdownOptions{MaxLen: limit}); err != nil {
			t.Fatal(err)
		}
		max := limit
		if max == 0 {
			max = GitHubCommentLimit
		}
		if b.Len() > max {
			t.Errorf("limit %d: %d characters", max, b.Len())
		}
		if !strings.Contains(b.String(), "**Truncated:**") {
			t.Errorf("limit %d: no truncation note", max)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc\n", "a\nB\nc\nd\n")
	want := []diffLine{{" ", "a"}, {"-", "b"}, {"+", "B"}, {" ", "c"}, {"+", "d"}}
	if len(got) != len(want) {
		t.Fatalf("lineDiff = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("lineDiff = %v, want %v", got, want)
		}
	}
}
