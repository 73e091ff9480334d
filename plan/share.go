package plan

import "encoding/json"

// share returns fresh with every part that is exactly equal to the same
// part of kept replaced by kept's, and whether the whole of fresh was
// equal (then it returns kept itself). A plan holds for each resource the
// live body it read and the state's output recorded after the last apply,
// and the declared body beside the state's last-applied one: in a plan
// with no change they are the same values twice, and the fresh copy is
// dropped for the one already kept.
//
// Equal means the same JSON: the same keys and elements, strings and
// json.Numbers spelled the same, a nil map or array never equal to an
// empty one. fresh must belong to the caller, which must not change either
// value afterwards: share stores kept's parts into fresh's maps and arrays.
func share(fresh, kept any) (any, bool) {
	switch f := fresh.(type) {
	case map[string]any:
		k, ok := kept.(map[string]any)
		if !ok || (f == nil) != (k == nil) {
			return fresh, false
		}
		same := len(f) == len(k)
		for key, fv := range f {
			kv, found := k[key]
			if !found {
				same = false
				continue
			}
			v, eq := share(fv, kv)
			if eq {
				f[key] = v
			} else {
				same = false
			}
		}
		if same {
			return kept, true
		}
		return f, false
	case []any:
		k, ok := kept.([]any)
		if !ok || (f == nil) != (k == nil) {
			return fresh, false
		}
		same := len(f) == len(k)
		for i := range min(len(f), len(k)) {
			v, eq := share(f[i], k[i])
			if eq {
				f[i] = v
			} else {
				same = false
			}
		}
		if same {
			return kept, true
		}
		return f, false
	case string:
		if k, ok := kept.(string); ok && k == f {
			return kept, true
		}
	case json.Number:
		if k, ok := kept.(json.Number); ok && k == f {
			return kept, true
		}
	case bool:
		if k, ok := kept.(bool); ok && k == f {
			return kept, true
		}
	case nil:
		if kept == nil {
			return nil, true
		}
	}
	return fresh, false
}

// shareBody is share for a body: fresh with the parts equal to kept's
// replaced by them, or kept itself when the two are equal.
func shareBody(fresh, kept map[string]any) map[string]any {
	if fresh == nil || kept == nil {
		return fresh
	}
	v, _ := share(fresh, kept)
	return v.(map[string]any)
}
