package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Policy is an Azure Policy assignment with the deny effect: writes (PUT,
// PATCH) of the types or in the locations it names answer 403
// RequestDisallowedByPolicy with ARM's additionalInfo of type
// PolicyViolation, and so does deployment validation (validate.go).
type Policy struct {
	// DeniedTypes are resource types (case-insensitive; "Microsoft.Web/"
	// for a namespace) the policy denies.
	DeniedTypes []string
	// AllowedLocations, when set, deny every location not listed (as the
	// built-in "Allowed locations" policy does).
	AllowedLocations []string
	// AssignmentName and DefinitionName name the assignment and the
	// definition in the error ("deny-types" and "Not allowed resource
	// types" when empty).
	AssignmentName, DefinitionName string
}

// AdditionalInfo is one entry of an ARM error's additionalInfo.
type AdditionalInfo struct {
	Type string         `json:"type"`
	Info map[string]any `json:"info,omitempty"`
}

// policyDenial returns the error a deny policy answers for a write of t
// with body, or nil.
func (s *Server) policyDenial(t target, body map[string]any) *ErrorDetail {
	p := s.opts.Policy
	if p == nil || t.subscription == "" {
		return nil
	}
	denied := false
	for _, typ := range p.DeniedTypes {
		if (OperationRule{Type: typ}).match(t.typ, "") {
			denied = true
		}
	}
	if loc, _ := body["location"].(string); loc != "" && len(p.AllowedLocations) > 0 && !strings.EqualFold(loc, "global") {
		allowed := false
		for _, a := range p.AllowedLocations {
			if NormalizeLocation(a) == NormalizeLocation(loc) {
				allowed = true
			}
		}
		denied = denied || !allowed
	}
	if !denied {
		return nil
	}
	assignment, definition := p.AssignmentName, p.DefinitionName
	if assignment == "" {
		assignment = "deny-types"
	}
	if definition == "" {
		definition = "Not allowed resource types"
	}
	assignmentID := "/subscriptions/" + t.subscription + "/providers/Microsoft.Authorization/policyAssignments/" + assignment
	definitionID := "/providers/Microsoft.Authorization/policyDefinitions/" + strings.ReplaceAll(strings.ToLower(definition), " ", "-")
	ids, _ := json.Marshal([]any{map[string]any{
		"policyAssignment": map[string]any{"name": assignment, "id": assignmentID},
		"policyDefinition": map[string]any{"name": definition, "id": definitionID},
	}})
	return &ErrorDetail{
		Code:    "RequestDisallowedByPolicy",
		Target:  t.name,
		Message: fmt.Sprintf("Resource '%s' was disallowed by policy. Policy identifiers: '%s'.", t.name, ids),
		AdditionalInfo: []AdditionalInfo{{Type: "PolicyViolation", Info: map[string]any{
			"policyDefinitionDisplayName": definition,
			"policyDefinitionId":          definitionID,
			"policyDefinitionName":        strings.ReplaceAll(strings.ToLower(definition), " ", "-"),
			"policyDefinitionEffect":      "deny",
			"policyAssignmentId":          assignmentID,
			"policyAssignmentName":        assignment,
			"policyAssignmentDisplayName": assignment,
			"policyAssignmentScope":       "/subscriptions/" + t.subscription,
		}}},
	}
}

// deniedByPolicy answers 403 RequestDisallowedByPolicy when the policy
// denies the write, and reports whether it did.
func (s *Server) deniedByPolicy(w http.ResponseWriter, t target, body map[string]any) bool {
	if e := s.policyDenial(t, body); e != nil {
		writeJSON(w, http.StatusForbidden, armError{Error: *e})
		return true
	}
	return false
}
