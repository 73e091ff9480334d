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

// PatchFor is the merge patch apply sends for update_method = "PATCH": every
// declared value that differs from live, and null for every member the last
// apply sent that the configuration no longer declares. Members only the
// server sets are left alone.
func PatchFor(live, lastApplied, desired map[string]any) map[string]any {
	patch := map[string]any{}
	for k, dv := range desired {
		lv, inLive := live[k]
		dm, dIsObj := dv.(map[string]any)
		lm, lIsObj := lv.(map[string]any)
		if dIsObj && lIsObj {
			la, _ := lastApplied[k].(map[string]any)
			if sub := PatchFor(lm, la, dm); len(sub) > 0 {
				patch[k] = sub
			}
			continue
		}
		if !inLive || !reflect.DeepEqual(dv, lv) {
			patch[k] = dv
		}
	}
	for k := range lastApplied {
		if _, declared := desired[k]; !declared {
			patch[k] = nil
		}
	}
	return patch
}
