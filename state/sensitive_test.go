package state

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	s := New()
	body := map[string]any{
		"location": "westus",
		"properties": map[string]any{
			"adminPassword": "hunter2",
			"users": []any{
				map[string]any{"name": "a", "password": "pa"},
				map[string]any{"name": "b", "password": "pb"},
			},
			"keys":  []any{"k0", "k1"},
			"empty": nil,
		},
	}
	tests := []struct {
		path    string
		hashed  []func(map[string]any) any
		wantErr string
	}{
		{path: "properties.adminPassword", hashed: []func(map[string]any) any{func(b map[string]any) any { return props(b)["adminPassword"] }}},
		{path: "properties.users[*].password", hashed: []func(map[string]any) any{
			func(b map[string]any) any { return user(b, 0)["password"] },
			func(b map[string]any) any { return user(b, 1)["password"] },
		}},
		{path: "properties.keys[1]", hashed: []func(map[string]any) any{func(b map[string]any) any { return props(b)["keys"].([]any)[1] }}},
		{path: "properties.missing.deeper"},
		{path: `properties["adminPassword"]`, hashed: []func(map[string]any) any{func(b map[string]any) any { return props(b)["adminPassword"] }}},
		{path: "properties.", wantErr: "ends with a dot"},
		{path: "properties.keys[1]x", wantErr: "expected . or ["},
		{path: `properties["x`, wantErr: "not closed"},
		{path: "properties..x", wantErr: "empty name"},
		{path: "properties.keys[x]", wantErr: "[x]"},
		{path: "properties.keys[1", wantErr: "not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			out, err := s.Redact(body, []string{tt.path})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, get := range tt.hashed {
				if v := get(out); !IsRedacted(v) {
					t.Errorf("value %d = %v, want a hash", i, v)
				}
				if v := get(body); IsRedacted(v) {
					t.Errorf("Redact changed its input: value %d = %v", i, v)
				}
			}
			data, _ := json.Marshal(out)
			for _, secret := range secretsOutside(tt.path) {
				if strings.Contains(string(data), secret) {
					t.Errorf("%s still in clear in %s", secret, data)
				}
			}
			if out["location"] != "westus" || props(out)["empty"] != nil {
				t.Errorf("values not at the path changed: %s", data)
			}
		})
	}
}

func secretsOutside(path string) []string {
	switch path {
	case "properties.adminPassword", `properties["adminPassword"]`:
		return []string{"hunter2"}
	case "properties.users[*].password":
		return []string{`"pa"`, `"pb"`}
	case "properties.keys[1]":
		return []string{"k1"}
	}
	return nil
}

func TestRedactIsIdempotentAndMatches(t *testing.T) {
	s := New()
	once, err := s.Redact(map[string]any{"p": "secret", "n": json.Number("3")}, []string{"p", "n"})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := s.Redact(once, []string{"p", "n"})
	if err != nil {
		t.Fatal(err)
	}
	if once["p"] != twice["p"] {
		t.Errorf("redacting a hash hashed it again: %v then %v", once["p"], twice["p"])
	}
	tests := []struct {
		stored, clear any
		want          bool
	}{
		{once["p"], "secret", true},
		{once["p"], "Secret", false},
		{once["n"], 3, true},
		{once["n"], 3.0, true},
		{once["n"], json.Number("3.0"), true},
		{once["n"], "3", false},
		{"secret", "secret", false}, // a clear value never matches: it is not a hash
	}
	for _, tt := range tests {
		if got := s.SensitiveMatches(tt.stored, tt.clear); got != tt.want {
			t.Errorf("SensitiveMatches(%v, %v) = %v, want %v", tt.stored, tt.clear, got, tt.want)
		}
	}
	other := New()
	if other.SensitiveMatches(once["p"], "secret") {
		t.Error("a hash matched under another state's salt: the salt is not used")
	}
}

func props(b map[string]any) map[string]any { return b["properties"].(map[string]any) }
func user(b map[string]any, i int) map[string]any {
	return props(b)["users"].([]any)[i].(map[string]any)
}

func TestRecordApplied(t *testing.T) {
	s := New()
	s.StartOperation("resource.acr", "/x/acr", "2023-07-01", Operation{Method: "PUT", PollingURL: "https://example.invalid/op"})
	sent := map[string]any{"properties": map[string]any{"adminPassword": "hunter2", "sku": "Basic"}}
	output := map[string]any{"properties": map[string]any{"adminPassword": "hunter2", "sku": "Basic", "loginServer": "acr.azurecr.io"}}
	if err := s.RecordApplied("resource.acr", "/x/ACR", "2023-07-01", sent, output, []string{"properties.adminPassword"}); err != nil {
		t.Fatal(err)
	}
	r := s.Get("resource.acr")
	if r.InFlight != nil || r.ID != "/x/ACR" {
		t.Errorf("recorded %+v: want the operation cleared and ARM's ID", r)
	}
	data, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Fatalf("the secret is in the state in clear:\n%s", data)
	}
	if !s.SensitiveMatches(props(r.LastApplied)["adminPassword"], "hunter2") || props(r.Output)["loginServer"] != "acr.azurecr.io" {
		t.Errorf("recorded last applied %v, output %v", r.LastApplied, r.Output)
	}
	if sent["properties"].(map[string]any)["adminPassword"] != "hunter2" {
		t.Error("RecordApplied changed the body it was given")
	}
	if err := s.RecordApplied("resource.acr", "/x/ACR", "v", sent, output, []string{"a..b"}); err == nil {
		t.Error("a malformed sensitive path was accepted")
	}
}
