package views

import (
	"bytes"
	"testing"

	"github.com/azapply/azapply/state"
)

func TestOutputsView(t *testing.T) {
	outs := map[string]*state.Output{
		"login": {Value: "acr.azurecr.io"},
		"count": {Value: float64(3)},
		"pw":    {Value: "hash", Sensitive: true},
		"tags":  {Value: map[string]any{"env": "demo"}},
	}
	for _, tt := range []struct {
		name    string
		format  OutputsFormat
		one     string
		out     string
		failure bool
	}{
		{name: "text", format: OutputsText, out: "count = 3\nlogin = \"acr.azurecr.io\"\npw = (sensitive)\ntags = {\"env\":\"demo\"}\n"},
		{name: "json", format: OutputsJSON, out: "{\n  \"count\": {\n    \"sensitive\": false,\n    \"value\": 3\n  },\n  \"login\": {\n    \"sensitive\": false,\n    \"value\": \"acr.azurecr.io\"\n  },\n  \"pw\": {\n    \"sensitive\": true\n  },\n  \"tags\": {\n    \"sensitive\": false,\n    \"value\": {\n      \"env\": \"demo\"\n    }\n  }\n}\n"},
		{name: "one text", format: OutputsText, one: "login", out: "\"acr.azurecr.io\"\n"},
		{name: "one json", format: OutputsJSON, one: "tags", out: "{\n  \"env\": \"demo\"\n}\n"},
		{name: "raw string", format: OutputsRaw, one: "login", out: "acr.azurecr.io"},
		{name: "raw number", format: OutputsRaw, one: "count", out: "3"},
		{name: "raw map", format: OutputsRaw, one: "tags", failure: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			v := NewOutputs(tt.format, Streams{Out: &out, Err: &errb})
			var err error
			if tt.one != "" {
				err = v.One(tt.one, outs[tt.one])
			} else {
				err = v.All(outs)
			}
			if (err != nil) != tt.failure {
				t.Fatalf("err = %v, want failure %v", err, tt.failure)
			}
			if out.String() != tt.out {
				t.Errorf("stdout = %q, want %q", out.String(), tt.out)
			}
		})
	}
	var out, errb bytes.Buffer
	if err := NewOutputs(OutputsText, Streams{Out: &out, Err: &errb}).All(nil); err != nil || out.Len() != 0 || !bytes.Contains(errb.Bytes(), []byte("Warning: no outputs found")) {
		t.Errorf("no outputs: err %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
}
