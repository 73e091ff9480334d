package emulator

import "fmt"

// ImmutableProperty is a property that a resource provider refuses to
// change once the resource exists, as ARM's providers refuse many (a
// cluster's node pool name, a vault's tenant, a zone redundancy).
type ImmutableProperty struct {
	// Type is the resource type (case-insensitive; "Microsoft.Web/" for a
	// namespace, as OperationRule.Type).
	Type string
	// Path is the dotted path of the property (properties.zoneRedundancy).
	Path string
	// Code is the error code answered: PropertyChangeNotAllowed (400) when
	// empty; a code ending in NotPermitted (such as
	// RoleAssignmentUpdateNotPermitted) answers 409.
	Code string
}

// immutableChange returns the error a provider answers when a write
// changes an ImmutableProperty of an existing resource: body is what is
// being stored, old what was (nil on create). A property the write leaves
// out is not a change.
func (s *Server) immutableChange(t target, body, old map[string]any) *ErrorDetail {
	if old == nil {
		return nil
	}
	for _, p := range s.opts.Immutable {
		if !(OperationRule{Type: p.Type}).match(t.typ, "") {
			continue
		}
		now, sent := getPath(body, p.Path)
		was, had := getPath(old, p.Path)
		// Compared as JSON, as read-only values are (jsonEqual): a stored
		// 1 and a decoded 1.0 are one value.
		if !sent || !had || jsonEqual(now, was) {
			continue
		}
		code := p.Code
		if code == "" {
			code = "PropertyChangeNotAllowed"
		}
		return &ErrorDetail{Code: code, Target: p.Path,
			Message: fmt.Sprintf("Changing property '%s' is not allowed.", p.Path)}
	}
	return nil
}
