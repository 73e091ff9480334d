package body

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCopy(t *testing.T) {
	orig := map[string]any{
		"tags":  map[string]any{"env": "prod"},
		"rules": []any{map[string]any{"name": "a", "priority": json.Number("100")}},
		"none":  map[string]any(nil),
		"empty": []any(nil),
	}
	c := Copy(orig).(map[string]any)
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("Copy = %v, want %v", c, orig)
	}
	if c["none"].(map[string]any) != nil || c["empty"].([]any) != nil {
		t.Errorf("a nil map or slice came back non-nil: %#v", c)
	}
	c["tags"].(map[string]any)["env"] = "dev"
	c["rules"].([]any)[0].(map[string]any)["name"] = "b"
	if orig["tags"].(map[string]any)["env"] != "prod" || orig["rules"].([]any)[0].(map[string]any)["name"] != "a" {
		t.Errorf("changing the copy changed the original: %v", orig)
	}
}
