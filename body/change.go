package body

import "github.com/azapply/azapply/bodypath"

// PathChange is one differing path, e.g. sku.name, with its two values.
type PathChange struct {
	Path   string
	Before any
	After  any
	// Sensitive values print as (sensitive) and are never saved in clear.
	Sensitive bool
	// ForcesReplace is true when a change of the path means delete-then-
	// create; ReplaceReason says why (one of the Reason constants).
	ForcesReplace bool
	ReplaceReason string
	// Declared (drift only) is true when the configuration declares the
	// path: the plan also changes it back.
	Declared bool
	// Dropped is true for a live value the configuration does not declare
	// and the update's request leaves out (update_body = "declared", or an
	// element of a declared array): the write removes it.
	Dropped bool
	// NotReturned (values the service keeps differently only) is true for
	// a declared value, not named like a secret, that the service did not
	// return after the write: misspelled, or not supported at the
	// api-version, unless it is write-only.
	NotReturned bool

	at bodypath.Path // the parsed path, for AcceptedOutput
}
