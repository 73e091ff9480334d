package apply

import "reflect"

// MergePatch returns the RFC 7396 JSON merge patch that turns before into
// after: changed and new members with their new values, removed members as
// null, objects patched member by member, arrays replaced whole. before is
// the body applied last time (or the live body when there is none), so that
// a member the user deleted from the configuration is sent as null.
func MergePatch(before, after map[string]any) map[string]any {
	patch := map[string]any{}
	for k, av := range after {
		bv, had := before[k]
		if !had {
			patch[k] = av
			continue
		}
		am, aIsObj := av.(map[string]any)
		bm, bIsObj := bv.(map[string]any)
		if aIsObj && bIsObj {
			if sub := MergePatch(bm, am); len(sub) > 0 {
				patch[k] = sub
			}
			continue
		}
		if !reflect.DeepEqual(av, bv) {
			patch[k] = av
		}
	}
	for k := range before {
		if _, kept := after[k]; !kept {
			patch[k] = nil
		}
	}
	return patch
}
