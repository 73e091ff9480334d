package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// groupBeingDeleted answers 409 ResourceGroupBeingDeleted for a write into
// a resource group whose delete is still running, as ARM does. Callers
// hold the world lock.
func (s *Server) groupBeingDeleted(w http.ResponseWriter, t target) bool {
	if t.resourceGroup == "" {
		return false
	}
	o, ok := s.world.pending[key("/subscriptions/"+t.subscription+"/resourceGroups/"+t.resourceGroup)]
	if !ok || o.done || o.method != http.MethodDelete {
		return false
	}
	writeError(w, http.StatusConflict, "ResourceGroupBeingDeleted",
		fmt.Sprintf("The resource group '%s' is in deprovisioning state and cannot perform this operation.", t.resourceGroup))
	return true
}

// locationKept answers 409 when a PUT moves an existing resource to
// another location, as ARM does: a resource cannot change location.
func locationKept(w http.ResponseWriter, t target, old *Resource, body map[string]any) bool {
	if old == nil {
		return true
	}
	was, _ := old.Body["location"].(string)
	now, _ := body["location"].(string)
	if was == "" || now == "" || NormalizeLocation(was) == NormalizeLocation(now) {
		return true
	}
	if t.typ == resourceGroupType {
		writeError(w, http.StatusConflict, "InvalidResourceGroupLocation", fmt.Sprintf(
			"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", now, was))
		return false
	}
	writeError(w, http.StatusConflict, "InvalidResourceLocation", fmt.Sprintf(
		"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
		t.name, was, t.resourceGroup, now))
	return false
}

// maxTags is ARM's limit on tags per resource.
const maxTags = 50

// tagsValid answers 400 InvalidTag for a tags value ARM refuses.
func tagsValid(w http.ResponseWriter, body map[string]any) bool {
	raw, ok := body["tags"]
	if !ok || raw == nil {
		return true
	}
	tags, ok := raw.(map[string]any)
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidTag", "tags must be an object of string values.")
		return false
	}
	if len(tags) > maxTags {
		writeError(w, http.StatusBadRequest, "InvalidTag", fmt.Sprintf("The resource has %d tags: at most %d are allowed.", len(tags), maxTags))
		return false
	}
	for k, v := range tags {
		if _, isString := v.(string); !isString && v != nil {
			writeError(w, http.StatusBadRequest, "InvalidTag", fmt.Sprintf("The value of tag '%s' must be a string.", k))
			return false
		}
		if len(k) > 512 || strings.ContainsAny(k, "<>%&\\?/") {
			writeError(w, http.StatusBadRequest, "InvalidTagNameCharacters", fmt.Sprintf("The tag name '%s' has more than 512 characters or one of <, >, %%, &, \\, ?, /.", k))
			return false
		}
	}
	return true
}

// validationStatus is the status a refused write is answered with.
func validationStatus(e *ErrorDetail) int {
	if strings.HasSuffix(e.Code, "NotPermitted") || strings.HasSuffix(e.Code, "Conflict") {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// apiVersionSupported answers 400 when Options.APIVersions lists the
// versions of the request's type and apiVersion is not one of them.
func (s *Server) apiVersionSupported(w http.ResponseWriter, r *http.Request, apiVersion string) bool {
	if len(s.opts.APIVersions) == 0 {
		return true
	}
	typ := requestType(r)
	var versions []string
	for k, v := range s.opts.APIVersions {
		if strings.EqualFold(k, typ) {
			versions = v
		}
	}
	if versions == nil {
		return true
	}
	for _, v := range versions {
		if strings.EqualFold(v, apiVersion) {
			return true
		}
	}
	list := strings.Join(versions, ", ")
	if typ == resourceGroupType || typ == "Microsoft.Resources/subscriptions" {
		writeError(w, http.StatusBadRequest, "InvalidApiVersionParameter",
			fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '%s'.", apiVersion, list))
		return false
	}
	ns, rest, _ := strings.Cut(typ, "/")
	writeError(w, http.StatusBadRequest, "NoRegisteredProviderFound",
		fmt.Sprintf("No registered resource provider found for API version '%s' for type '%s' of namespace '%s'. The supported api-versions are '%s'.", apiVersion, rest, ns, list))
	return false
}
