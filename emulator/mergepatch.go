package emulator

// mergePatch applies an RFC 7396 JSON merge patch to target and returns it.
func mergePatch(target map[string]any, patch map[string]any) map[string]any {
	for k, pv := range patch {
		if pv == nil {
			delete(target, k)
			continue
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			target[k] = deepCopy(pv)
			continue
		}
		tm, ok := target[k].(map[string]any)
		if !ok {
			tm = map[string]any{}
		}
		target[k] = mergePatch(tm, pm)
	}
	return target
}
