package plan

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"

	"github.com/azapply/azapply/config"
)

// Diff lists the paths where desired differs from live. Paths the server
// adds (present in live only) are not differences; a path declared but not
// returned is.
func Diff(desired, live map[string]any) []PathChange {
	var out []PathChange
	diffValue("", desired, live, true, &out)
	return out
}

func diffValue(path string, want, got any, present bool, out *[]PathChange) {
	if _, unknown := want.(config.Unknown); unknown {
		*out = append(*out, PathChange{Path: path, Before: beforeOf(got, present), After: want})
		return
	}
	if !present {
		*out = append(*out, PathChange{Path: path, Before: Absent{}, After: want})
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, PathChange{Path: path, Before: got, After: want})
			return
		}
		for _, k := range sortedKeys(w) {
			gv, has := g[k]
			diffValue(join(path, k), w[k], gv, has, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*out = append(*out, PathChange{Path: path, Before: got, After: want})
			return
		}
		for i := range w {
			diffValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], true, out)
		}
	default:
		if !scalarEqual(path, want, got) {
			*out = append(*out, PathChange{Path: path, Before: got, After: want})
		}
	}
}

func beforeOf(got any, present bool) any {
	if !present {
		return Absent{}
	}
	return got
}

// scalarEqual compares two leaf values after normalization: locations
// ignore case and spaces, numbers compare by value.
func scalarEqual(path string, want, got any) bool {
	if path == "location" {
		ws, ok1 := want.(string)
		gs, ok2 := got.(string)
		if ok1 && ok2 {
			return normalizeLocation(ws) == normalizeLocation(gs)
		}
	}
	if wn, ok := number(want); ok {
		if gn, ok := number(got); ok {
			return wn.Cmp(gn) == 0
		}
	}
	return reflect.DeepEqual(want, got)
}

func number(v any) (*big.Float, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case float64:
		return big.NewFloat(v), true
	case int:
		return big.NewFloat(float64(v)), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	return f, err == nil
}

func normalizeLocation(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
