package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Deployment validation (preflight): POST
// {scope}/providers/Microsoft.Resources/deployments/{name}/validate, at a
// resource group or a subscription, with a template of resources. Each
// resource is checked as a PUT of it would be, without storing anything:
// its scope exists, its namespace is registered, no deny policy refuses
// it, it has a location where one is required, and its type's rule
// (TypeRule.Validate, immutable properties) accepts it. The answer is 200
// with validatedResources, or 400 InvalidTemplateDeployment whose details
// carry each resource's error, its ID as the target.

// validateRoute answers a validation; it reports whether the path was one.
func (s *Server) validateRoute(w http.ResponseWriter, r *http.Request) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	lower := strings.ToLower(p)
	const marker = "/providers/microsoft.resources/deployments/"
	i := strings.LastIndex(lower, marker)
	if r.Method != http.MethodPost || i < 0 || !strings.HasSuffix(lower, "/validate") {
		return false
	}
	scope := p[:i]
	name := strings.TrimSuffix(p[i+len(marker):], "/validate")
	if strings.Contains(name, "/") {
		return false
	}
	segs := strings.Split(strings.Trim(scope, "/"), "/")
	if !(len(segs) == 2 || len(segs) == 4 && strings.EqualFold(segs[2], "resourceGroups")) || !strings.EqualFold(segs[0], "subscriptions") {
		writeError(w, http.StatusBadRequest, "InvalidDeploymentScope", fmt.Sprintf("Deployments are validated at a subscription or a resource group, not at '%s'.", scope))
		return true
	}
	req, ok := readBody(w, r, false)
	if !ok {
		return true
	}
	tmpl, _ := getPath(req, "properties.template")
	tm, _ := tmpl.(map[string]any)
	resources, _ := tm["resources"].([]any)
	if tm == nil {
		writeError(w, http.StatusBadRequest, "InvalidTemplate", "The request has no properties.template.")
		return true
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if len(segs) == 4 {
		if _, found := s.world.get(scope); !found {
			writeError(w, http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", segs[3]))
			return true
		}
	}
	var details []ErrorDetail
	var validated []any
	entries, errs := flattenTemplate(scope, resources)
	details = append(details, errs...)
	declared := map[string]bool{}
	for _, e := range entries {
		declared[key(e.id)] = true
	}
	for _, e := range entries {
		if d := s.validateOne(e.id, e.body, declared); d != nil {
			d.Target = e.id
			details = append(details, *d)
			continue
		}
		validated = append(validated, map[string]any{"id": e.id})
	}
	if len(details) > 0 {
		writeJSON(w, http.StatusBadRequest, armError{Error: ErrorDetail{Code: "InvalidTemplateDeployment",
			Message: fmt.Sprintf("The template deployment '%s' is not valid according to the validation procedure. The tracking id is '%s'. See inner errors for details.", name, uuid.NewString()),
			Details: details}})
		return true
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": p[:len(p)-len("/validate")], "name": name,
		"properties": map[string]any{"provisioningState": "Succeeded", "mode": "Incremental", "validatedResources": validated},
	})
	return true
}

// templateEntry is one resource of a template, nested deployments
// flattened.
type templateEntry struct {
	id   string
	body map[string]any
}

// flattenTemplate lists the resources of a template at scope; a nested
// deployment (Microsoft.Resources/deployments with an inline template, and
// resourceGroup naming where it deploys) contributes its own resources at
// its scope.
func flattenTemplate(scope string, resources []any) ([]templateEntry, []ErrorDetail) {
	var out []templateEntry
	var errs []ErrorDetail
	for i, item := range resources {
		res, _ := item.(map[string]any)
		if typ, _ := res["type"].(string); strings.EqualFold(typ, "Microsoft.Resources/deployments") {
			inner := scope
			if rg, _ := res["resourceGroup"].(string); rg != "" {
				segs := strings.Split(strings.Trim(scope, "/"), "/")
				inner = "/subscriptions/" + segs[1] + "/resourceGroups/" + rg
			}
			tmpl, _ := getPath(res, "properties.template")
			tm, _ := tmpl.(map[string]any)
			nested, _ := tm["resources"].([]any)
			e, d := flattenTemplate(inner, nested)
			out, errs = append(out, e...), append(errs, d...)
			continue
		}
		id, body, err := templateResource(scope, res)
		if err != nil {
			errs = append(errs, ErrorDetail{Code: "InvalidTemplate", Message: fmt.Sprintf("resources[%d]: %s", i, err)})
			continue
		}
		out = append(out, templateEntry{id: id, body: body})
	}
	return out, errs
}

// templateResource turns a template's resource into its ID and body.
func templateResource(scope string, res map[string]any) (string, map[string]any, error) {
	typ, _ := res["type"].(string)
	name, _ := res["name"].(string)
	types := strings.Split(typ, "/")
	names := strings.Split(name, "/")
	if len(types) < 2 || len(names) != len(types)-1 || name == "" {
		return "", nil, fmt.Errorf("type %q and name %q do not match (a child's name has one part per type segment)", typ, name)
	}
	base := scope
	if sc, ok := res["scope"].(string); ok && sc != "" {
		base = strings.TrimSuffix(sc, "/")
	}
	var id string
	if strings.EqualFold(typ, resourceGroupType) {
		id = base + "/resourceGroups/" + name
	} else {
		var b strings.Builder
		b.WriteString(base + "/providers/" + types[0])
		for i, n := range names {
			b.WriteString("/" + types[i+1] + "/" + n)
		}
		id = b.String()
	}
	body := map[string]any{}
	for k, v := range res {
		switch k {
		case "type", "apiVersion", "name", "scope", "dependsOn", "condition", "copy", "comments":
			continue
		}
		body[k] = deepCopy(v)
	}
	return id, body, nil
}

// declaredScope reports whether every container of t (its group, its
// parent) exists or is declared by the template. Callers hold the world
// lock.
func (s *Server) declaredScope(t target, declared map[string]bool) bool {
	rg := "/subscriptions/" + t.subscription + "/resourceGroups/" + t.resourceGroup
	if t.resourceGroup != "" {
		if _, ok := s.world.get(rg); !ok && !declared[key(rg)] {
			return false
		}
	}
	if t.parent == "" || strings.Count(t.parent, "/") <= 2 || key(t.parent) == key(rg) {
		return true
	}
	if _, ok := s.world.get(t.parent); ok {
		return true
	}
	return declared[key(t.parent)]
}

// validateOne checks one resource as a PUT would. Callers hold the world
// lock.
// A scope or parent missing from the world is no error when the template
// itself declares it (declared holds the keys of its resources' IDs).
func (s *Server) validateOne(id string, body map[string]any, declared map[string]bool) *ErrorDetail {
	t, err := parseTarget(id)
	if err != nil {
		return &ErrorDetail{Code: "InvalidResourceId", Message: err.Error()}
	}
	if code, msg, ok := s.missingScope(t); !ok && t.typ != resourceGroupType && !s.declaredScope(t, declared) {
		return &ErrorDetail{Code: code, Message: msg}
	}
	if ns, _, _ := strings.Cut(t.typ, "/"); len(s.opts.Unregistered) > 0 && s.registrationState(t.subscription, ns) != "Registered" {
		return &ErrorDetail{Code: "MissingSubscriptionRegistration", Message: fmt.Sprintf("The subscription is not registered to use namespace '%s'. See https://aka.ms/rps-not-found for how to register subscriptions.", ns)}
	}
	if e := s.policyDenial(t, body); e != nil {
		return e
	}
	if t.typ == resourceGroupType || s.rule(t.typ).RequireLocation {
		if loc, _ := body["location"].(string); loc == "" {
			return &ErrorDetail{Code: "LocationRequired", Message: "The location property is required for this definition."}
		}
	}
	var old map[string]any
	if res, ok := s.world.get(id); ok {
		old = res.Body
		if was, _ := old["location"].(string); was != "" {
			if loc, _ := body["location"].(string); loc != "" && NormalizeLocation(loc) != NormalizeLocation(was) {
				return &ErrorDetail{Code: "InvalidResourceLocation", Message: fmt.Sprintf("The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.", t.name, was, t.resourceGroup, NormalizeLocation(loc))}
			}
		}
	}
	if _, e := s.serverBody(t, body, old); e != nil {
		return e
	}
	return nil
}
