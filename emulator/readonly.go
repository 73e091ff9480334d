package emulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// readOnlyPaths are the values ARM itself sets on every resource. A type's
// Compute adds its own (ComputeContext.Set and Stable).
var readOnlyPaths = []string{"id", "name", "type", "etag", "systemData", "properties.provisioningState"}

// readOnlyConflict refuses a request that sets a read-only value to
// something other than what the service holds. sent is the request body
// (for a PATCH, the stored body with the patch merged in), old the stored
// body (nil on create) and out the body this write would store; computed
// are the paths the type's Compute set. A sent value is accepted (and
// ignored) when it equals the held value or the value this write stores,
// so a GET's output can always be PUT back; a path the service holds no
// value at is ignored.
func readOnlyConflict(sent, old, out map[string]any, computed []string) *ErrorDetail {
	for _, path := range append(append([]string(nil), readOnlyPaths...), computed...) {
		v, ok := getPath(sent, path)
		if !ok {
			continue
		}
		held, heldOK := getPath(old, path)
		next, nextOK := getPath(out, path)
		if (!heldOK && !nextOK) || (heldOK && sameReadOnly(path, v, held)) || (nextOK && sameReadOnly(path, v, next)) {
			continue
		}
		want := next
		if heldOK {
			want = held
		}
		return &ErrorDetail{Code: "InvalidParameter", Message: fmt.Sprintf(
			"'%s' is a read only property and cannot be set%s. Leave it out of the request or send the value a GET returns.",
			path, difference(v, want))}
	}
	return nil
}

// sameReadOnly compares a sent read-only value with the service's: IDs,
// names and types ignoring case (ARM's identities are case-insensitive),
// anything else as JSON.
func sameReadOnly(path string, a, b any) bool {
	switch path {
	case "id":
		as, _ := a.(string)
		bs, _ := b.(string)
		return key(as) == key(bs)
	case "name", "type":
		as, _ := a.(string)
		bs, _ := b.(string)
		return strings.EqualFold(as, bs)
	}
	return jsonEqual(a, b)
}

// jsonEqual compares two values as their JSON (a stored 7 equals a
// decoded 7.0).
func jsonEqual(a, b any) bool {
	na, errA := normalizeJSON(a)
	nb, errB := normalizeJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(na, nb)
}

func normalizeJSON(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(raw, &out)
	return out, err
}

// difference says what a refused value was and what the service holds,
// for scalars; a larger value is not quoted, so that a message stays one
// line.
func difference(sent, held any) string {
	a, okA := scalar(sent)
	b, okB := scalar(held)
	if !okA || !okB {
		return " to a value other than the one the service holds"
	}
	return fmt.Sprintf(" to %s: the service holds %s", a, b)
}

func scalar(v any) (string, bool) {
	switch v.(type) {
	case map[string]any, []any:
		return "", false
	}
	raw, err := json.Marshal(v)
	if err != nil || len(raw) > 200 {
		return "", false
	}
	return string(raw), true
}
