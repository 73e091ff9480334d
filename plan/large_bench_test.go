package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

// bigPlan is n changes: creates with a whole body, updates of two paths,
// deletes, and drift on one resource in a hundred.
func bigPlan(n int) *Plan {
	p := &Plan{Lineage: "11111111-2222-4333-8444-555555555555", Serial: 3}
	for i := range n {
		id := fmt.Sprintf("/subscriptions/s/resourceGroups/rg%d/providers/Microsoft.Network/publicIPAddresses/ip%05d", i%200, i)
		addr := fmt.Sprintf("resource.ip[%d]", i)
		c := &Change{Address: addr, ID: id, APIVersion: "2024-07-01", DependsOn: []string{fmt.Sprintf(`resource.rg["rg%d"]`, i%200)}}
		switch i % 3 {
		case 0:
			c.Action = Create
			c.Desired = map[string]any{"location": "westeurope", "tags": map[string]any{"env": "bench"}, "sku": map[string]any{"name": "Standard"},
				"properties": map[string]any{"publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": json.Number("4")}}
		case 1:
			c.Action = Update
			c.Paths = []PathChange{{Path: "tags.env", Before: "drifted", After: "bench"}, {Path: "properties.idleTimeoutInMinutes", Before: json.Number("30"), After: json.Number("4")}}
		default:
			c.Action = Delete
		}
		p.Changes = append(p.Changes, c)
		if i%100 == 1 {
			p.Drift = append(p.Drift, &Drift{Address: addr, ID: id, Paths: []PathChange{{Path: "tags.env", Before: "bench", After: "drifted", Declared: true}}})
		}
	}
	return p
}

// BenchmarkRender10000 renders a 10,000-change plan in each format.
func BenchmarkRender10000(b *testing.B) {
	p := bigPlan(10000)
	for _, f := range []struct {
		name   string
		render func(io.Writer) error
	}{
		{"text", func(w io.Writer) error { return RenderText(w, p, TextOptions{}) }},
		{"markdown", func(w io.Writer) error { return RenderMarkdown(w, p, MarkdownOptions{}) }},
		{"json", func(w io.Writer) error { return RenderJSON(w, p) }},
		{"saved", func(w io.Writer) error { return WriteSaved(w, p) }},
	} {
		b.Run(f.name, func(b *testing.B) {
			var n countingWriter
			b.ReportAllocs()
			for b.Loop() {
				if err := f.render(&n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "bytes/op")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
