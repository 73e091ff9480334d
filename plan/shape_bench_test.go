package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/limits"
	"github.com/azapply/azapply/state"
)

// shapes are bodies of about 30 KB of JSON each, of the shapes that cost a
// renderer most: as deep as the nesting bound allows, as wide, as long, and
// arrays of named elements. Each has a twin with every leaf changed, so that
// a plan lists every path.
func shapes() map[string]func(v string) map[string]any {
	return map[string]func(v string) map[string]any{
		"deep": func(v string) map[string]any {
			// limits.MaxDepth-2 levels, each with siblings, to about 30 KB.
			leaf := map[string]any{}
			for i := range 8 {
				leaf[fmt.Sprintf("k%d", i)] = v
			}
			cur := any(leaf)
			for d := range limits.MaxDepth - 2 {
				m := map[string]any{"next": cur}
				for i := range 26 {
					m[fmt.Sprintf("s%d", i)] = fmt.Sprintf("%s-%d", v, d)
				}
				cur = m
			}
			return map[string]any{"properties": cur}
		},
		"wide": func(v string) map[string]any {
			m := map[string]any{}
			for i := range 1500 {
				m[fmt.Sprintf("key%04d", i)] = v
			}
			return map[string]any{"properties": m}
		},
		"long": func(v string) map[string]any {
			a := make([]any, 3000)
			for i := range a {
				a[i] = fmt.Sprintf("%s%d", v, i)
			}
			return map[string]any{"properties": map[string]any{"items": a}}
		},
		"named": func(v string) map[string]any {
			a := make([]any, 500)
			for i := range a {
				a[i] = map[string]any{"name": fmt.Sprintf("rule%d", i), "properties": map[string]any{"priority": i, "value": v}}
			}
			return map[string]any{"properties": map[string]any{"rules": a}}
		},
	}
}

// BenchmarkPlanShapes plans and renders (text, markdown, JSON) one resource
// whose 30 KB body changed everywhere, for each shape; bytes/op and the time
// per shape show that the cost follows the size of the body, not its shape.
// (A body 5,000 deep of the same size took 3 GB before the nesting bound.)
func BenchmarkPlanShapes(b *testing.B) {
	for name, shape := range shapes() {
		b.Run(name, func(b *testing.B) {
			srv, client := newEmulator(b)
			id := rgID + "/providers/Microsoft.Network/publicIPAddresses/shape"
			before, after := shape("old-value"), shape("new-value")
			before["location"], after["location"] = "westus", "westus"
			size, _ := json.Marshal(after)
			setWorld(b, srv, map[string]map[string]any{id: before})
			st := state.New()
			st.Set(&state.Resource{Address: "resource.shape", ID: id, APIVersion: "2024-07-01", LastApplied: before, Output: before})
			in := &config.Instance{Address: "resource.shape", ID: id, APIVersion: "2024-07-01", Body: config.FromJSONValue(after)}
			b.ReportMetric(float64(len(size)), "body-bytes")
			b.ResetTimer()
			for b.Loop() {
				p, err := Build(context.Background(), Options{Reader: client, Instances: []*config.Instance{in}, State: st})
				if err != nil || !p.HasChanges() {
					b.Fatalf("%v: no change planned", err)
				}
				if err := RenderText(io.Discard, p, TextOptions{}); err != nil {
					b.Fatal(err)
				}
				if err := RenderMarkdown(io.Discard, p, MarkdownOptions{MaxLen: 1 << 30}); err != nil {
					b.Fatal(err)
				}
				if err := json.NewEncoder(io.Discard).Encode(ToJSON(p)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPlanShapesPlan runs each shape once, so that the benchmark's bodies
// stay valid plans (a change everywhere) under go test.
func TestPlanShapesPlan(t *testing.T) {
	for name, shape := range shapes() {
		after := shape("new-value")
		size, _ := json.Marshal(after)
		if len(size) < 20_000 || len(size) > 60_000 {
			t.Errorf("%s: %d bytes, want about 30 KB", name, len(size))
		}
		c, err := body.Compare(body.Bodies{Desired: after, Live: shape("old-value")}, body.Rules{})
		if err != nil || len(c.Changes) == 0 {
			t.Errorf("%s: %v, %d changes", name, err, len(c.Changes))
		}
		if name == "deep" && !strings.Contains(c.Changes[0].Path, "next.next") {
			t.Errorf("deep: the change is at %s", c.Changes[0].Path)
		}
	}
}
