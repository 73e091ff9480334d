package body

import (
	"encoding/json"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/azapply/azapply/bodypath"

	"github.com/azapply/azapply/arm/armid"
)

// scalarEqual compares two leaf values the way ARM treats them:
//   - a location ignores case and spaces ("West US 2" = "westus2");
//   - resource IDs, and the top-level name and type, ignore case;
//   - a role definition ID re-scoped from a subscription to the tenant
//     (/providers/Microsoft.Authorization/roleDefinitions/{guid}) is the same;
//   - "true" equals true and "3" equals 3 (services coerce them);
//   - numbers compare by value (80.50 = 80.5).
func scalarEqual(path bodypath.Path, a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	as, aStr := a.(string)
	bs, bStr := b.(string)
	if aStr && bStr {
		return stringsEqual(path, as, bs)
	}
	if aStr {
		return coercedEqual(as, b)
	}
	if bStr {
		return coercedEqual(bs, a)
	}
	if an, ok := number(a); ok {
		if bn, ok := number(b); ok {
			return an.Cmp(bn) == 0
		}
		return false
	}
	return reflect.DeepEqual(a, b)
}

func stringsEqual(path bodypath.Path, a, b string) bool {
	if a == b {
		return true
	}
	switch k := path.LastKey(); {
	case isLocationKey(k):
		return normalizeLocation(a) == normalizeLocation(b)
	case len(path) == 1 && (k == "name" || k == "type"):
		return strings.EqualFold(a, b)
	case len(path) >= 2 && path[len(path)-2].MatchField == k && (k == "name" || k == "id"):
		// The field an element was matched by (case-insensitively).
		return strings.EqualFold(a, b)
	}
	if looksLikeID(a) && looksLikeID(b) {
		return idsEqual(a, b)
	}
	return false
}

// coercedEqual compares a string with a bool or number the way services
// coerce them: "true" = true, "3" = 3.
func coercedEqual(s string, v any) bool {
	switch v := v.(type) {
	case bool:
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
		return err == nil && b == v
	}
	vn, ok := number(v)
	if !ok {
		return false
	}
	sn, ok := number(json.Number(strings.TrimSpace(s)))
	return ok && sn.Cmp(vn) == 0
}

func isLocationKey(k string) bool {
	return k == "location" || k == "locationName"
}

// number reads a JSON number, whatever Go type carries it.
func number(v any) (*big.Float, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case float64:
		return big.NewFloat(v), true
	case float32:
		return big.NewFloat(float64(v)), true
	case int:
		return new(big.Float).SetInt64(int64(v)), true
	case int64:
		return new(big.Float).SetInt64(v), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	return f, err == nil
}

func normalizeLocation(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

// looksLikeID reports whether s is an ARM resource ID.
func looksLikeID(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "/subscriptions/") || strings.HasPrefix(l, "/providers/")
}

const roleDefinitions = "/providers/microsoft.authorization/roledefinitions/"

// idsEqual compares resource IDs as ARM does: case-insensitively, ignoring
// trailing and doubled slashes (armid.Key), and treating a role definition
// ID the same at any scope.
func idsEqual(a, b string) bool {
	a, b = armid.Key(a), armid.Key(b)
	if a == b {
		return true
	}
	ia, ib := strings.Index(a, roleDefinitions), strings.Index(b, roleDefinitions)
	return ia >= 0 && ib >= 0 && a[ia:] == b[ib:]
}

// IsMasked reports whether a live value is a placeholder the service shows
// in place of a secret: such a value is treated as absent.
func IsMasked(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if len(s) >= 3 && strings.Trim(s, "*") == "" {
		return true
	}
	switch strings.ToLower(s) {
	case "<redacted>", "[redacted]", "redacted", "<hidden>", "<sensitive>":
		return true
	}
	return false
}

// isEmpty reports whether a declared value says "nothing": null, {} or [].
// Services often leave such values out of their responses.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func isUnknown(v any) bool {
	_, ok := v.(Unknown)
	return ok
}

// Equal compares two whole values with the normalization rules, arrays
// by position. A key missing on one side equals an empty value on the other.
func Equal(path bodypath.Path, a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return len(av) == 0 && b == nil
		}
		for k, x := range av {
			y, has := bv[k]
			if !has {
				if !isEmpty(x) {
					return false
				}
				continue
			}
			if !Equal(path.Key(k), x, y) {
				return false
			}
		}
		for k, y := range bv {
			if _, has := av[k]; !has && !isEmpty(y) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return len(av) == 0 && b == nil
		}
		if len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !Equal(path.Elem(i), av[i], bv[i]) {
				return false
			}
		}
		return true
	}
	switch b.(type) {
	case map[string]any, []any:
		return a == nil && isEmpty(b)
	}
	if isUnknown(a) || isUnknown(b) {
		return false
	}
	return scalarEqual(path, a, b)
}
