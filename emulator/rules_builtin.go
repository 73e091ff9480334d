package emulator

// builtinRules are the realistic behaviours of the types the examples and
// tests use, drawn from the real responses in shared/arm-examples.
func builtinRules() map[string]*TypeRule {
	return map[string]*TypeRule{
		resourceGroupType: {NoETag: true, NoSystemData: true},
	}
}
