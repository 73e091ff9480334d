package views

// The warnings of a run made with --target, as Terraform words them.
const (
	targetedSummary = "Resource targeting is in effect"
	targetedDetail  = "This plan was made with --target: it may not show every change the configuration asks\nfor. --target is not for routine use; it is for exceptional situations, such as\nrecovering from a mistake."

	targetedAppliedSummary = "Applied changes may be incomplete"
	targetedAppliedDetail  = "The plan was made with --target, so some changes the configuration asks for may have\nbeen left out, and the outputs may not all be up to date. Run azapply plan (without\n--target) to see whether other changes are pending."
)
