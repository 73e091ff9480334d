package config

import (
	"context"
	"strings"
	"testing"
)

// TestDataReadTimeout: a data source read before the plan stops at its
// timeouts { read }, and the diagnostic names that entry.
func TestDataReadTimeout(t *testing.T) {
	cases := []struct {
		name, timeouts string
		wantErr        string
	}{
		{"bounded", `timeouts { read = "50ms" }`, "timeouts { read = ... } allow 50ms"},
		{"unbounded", ``, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustLoad(t, map[string]string{"main.hcl": `
data "subscription" {
  id          = "` + sub + `"
  api_version = "2022-12-01"
  ` + tc.timeouts + `
}
`}, LoadOptions{})
			var deadlines int
			read := func(ctx context.Context, in *Instance) (map[string]any, error) {
				if _, ok := ctx.Deadline(); !ok {
					return map[string]any{"id": in.ID}, nil
				}
				deadlines++
				<-ctx.Done()
				return nil, ctx.Err()
			}
			outputs, _, diags := cfg.ReadData(context.Background(), nil, read)
			if tc.wantErr == "" {
				if diags.HasErrors() || outputs["data.subscription"] == nil || deadlines != 0 {
					t.Fatalf("read with no timeouts block: %v, %v, %d reads with a deadline", diagText(cfg, diags), outputs, deadlines)
				}
				return
			}
			if !diags.HasErrors() || !strings.Contains(diagText(cfg, diags), tc.wantErr) || !strings.Contains(diagText(cfg, diags), "deadline exceeded") {
				t.Fatalf("diagnostics = %s, want the read timed out, saying %q", diagText(cfg, diags), tc.wantErr)
			}
			if _, ok := outputs["data.subscription"]; ok || deadlines != 1 {
				t.Fatalf("outputs = %v, %d reads with a deadline", outputs, deadlines)
			}
		})
	}
}
