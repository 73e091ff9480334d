package plan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
)

// PreflightAPIVersion is the api-version of deployment validation.
const PreflightAPIVersion = "2021-04-01"

// Validator sends a POST and returns ARM's answer whatever its status
// (*arm.Client's PostRaw).
type Validator interface {
	PostRaw(ctx context.Context, path, apiVersion string, body any) (int, []byte, error)
}

// PreflightError is an error ARM's deployment validation found.
type PreflightError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
	// Policy names the policy assignment and definition that deny it (from
	// a RequestDisallowedByPolicy's additionalInfo).
	Policy string `json:"policy,omitempty"`
	// Hint is what to do, as azapply says it for the same error from a
	// write (arm.Error.Hint); "" when it has nothing to add.
	Hint string `json:"hint,omitempty"`
}

func (e PreflightError) String() string {
	s := e.Code + ": " + e.Message
	if e.Policy != "" {
		s += " [" + e.Policy + "]"
	}
	return s
}

// PreflightReport is what plan --preflight found.
type PreflightReport struct {
	// Calls counts the validation requests sent (one per scope).
	Calls int `json:"calls"`
	// Validated counts the resources sent for validation.
	Validated int `json:"validated"`
	// Skipped are the resources not validated, each with why.
	Skipped []string `json:"skipped,omitempty"`
	// Errors are the errors not tied to one resource (a scope ARM refused
	// to validate at); each resource's are on its Change.
	Errors []PreflightError `json:"errors,omitempty"`
}

// Failed reports whether the report or any change holds an error.
func (p *Plan) PreflightFailed() bool {
	if p.Preflight == nil {
		return false
	}
	if len(p.Preflight.Errors) > 0 {
		return true
	}
	for _, c := range p.Changes {
		if len(c.PreflightErrors) > 0 {
			return true
		}
	}
	return false
}

// preflightGroup is the resources validated at one scope.
type preflightGroup struct {
	scope     string
	changes   []*Change
	resources []any
	location  string
	// nested are the resources of groups this plan creates, by group
	// name: deployed by a nested deployment of the subscription's template.
	nested      map[string][]any
	nestedOrder []string
}

// Preflight sends every create and update of p (replaces as creates), with
// the body apply sends (its PUT request's; for update_method = "PATCH" the
// declared body, as a template declares whole resources), to ARM's
// deployment validation:
// one POST {scope}/providers/Microsoft.Resources/deployments/{name}/validate
// per resource group, and one at the subscription for resource groups and
// subscription-level resources. It records each resource's errors on its
// change and returns the report (also kept in p.Preflight). Nothing is
// created: validation writes nothing.
func Preflight(ctx context.Context, v Validator, p *Plan) (*PreflightReport, error) {
	rep := &PreflightReport{}
	p.Preflight = rep
	creatingGroups := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == Create || c.Action == Replace {
			if id, err := armid.Parse(c.ID); err == nil && id.ResourceType() == "Microsoft.Resources/resourceGroups" {
				creatingGroups[strings.ToLower(c.ID)] = true
			}
		}
	}
	groups := map[string]*preflightGroup{}
	var order []string
	for _, c := range p.Changes {
		if c.Action != Create && c.Action != Update && c.Action != Replace {
			continue
		}
		body := c.Desired
		if c.Request != nil && strings.EqualFold(c.Request.Method, http.MethodPut) {
			body = c.Request.Body // the exact body apply sends
		}
		if body == nil || hasUnknownValue(body) {
			rep.Skipped = append(rep.Skipped, c.Address+": its body has values known only after apply")
			continue
		}
		scope, res, err := templateResource(c.ID, c.APIVersion, body)
		if err != nil {
			rep.Skipped = append(rep.Skipped, c.Address+": "+err.Error())
			continue
		}
		nestedIn := ""
		if creatingGroups[strings.ToLower(scope)] {
			// ARM cannot validate at a group that does not exist yet: the
			// subscription's template deploys into it, after creating it.
			i := strings.LastIndex(scope, "/")
			nestedIn, scope = scope[i+1:], scope[:strings.LastIndex(scope[:i], "/")]
		}
		g := groups[strings.ToLower(scope)]
		if g == nil {
			g = &preflightGroup{scope: scope, nested: map[string][]any{}}
			groups[strings.ToLower(scope)] = g
			order = append(order, strings.ToLower(scope))
		}
		g.changes = append(g.changes, c)
		if nestedIn != "" {
			if _, ok := g.nested[nestedIn]; !ok {
				g.nestedOrder = append(g.nestedOrder, nestedIn)
			}
			g.nested[nestedIn] = append(g.nested[nestedIn], res)
		} else {
			g.resources = append(g.resources, res)
		}
		if loc, _ := body["location"].(string); loc != "" && g.location == "" {
			g.location = loc
		}
	}
	for _, k := range order {
		g := groups[k]
		if err := validateGroup(ctx, v, g, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// validateGroup validates one scope's resources.
func validateGroup(ctx context.Context, v Validator, g *preflightGroup, rep *PreflightReport) error {
	sum := sha256.New()
	for _, c := range g.changes {
		sum.Write([]byte(c.ID + "\n"))
	}
	name := "azapply-preflight-" + hex.EncodeToString(sum.Sum(nil))[:12]
	resources := g.resources
	for _, rg := range g.nestedOrder {
		resources = append(resources, map[string]any{
			"type": "Microsoft.Resources/deployments", "apiVersion": PreflightAPIVersion,
			"name": name + "-" + rg, "resourceGroup": rg,
			"dependsOn":  []any{"[resourceId('Microsoft.Resources/resourceGroups', '" + rg + "')]"},
			"properties": map[string]any{"mode": "Incremental", "template": template(groupTemplateSchema, g.nested[rg])},
		})
	}
	schema := subscriptionTemplateSchema
	if strings.Contains(strings.ToLower(g.scope), "/resourcegroups/") {
		schema = groupTemplateSchema
	}
	body := map[string]any{"properties": map[string]any{"mode": "Incremental", "template": template(schema, resources)}}
	if schema == subscriptionTemplateSchema {
		loc := g.location
		if loc == "" {
			loc = "westus"
		}
		body["location"] = loc // a subscription deployment keeps its metadata in a location
	}
	rep.Calls++
	rep.Validated += len(g.changes)
	status, raw, err := v.PostRaw(ctx, g.scope+"/providers/Microsoft.Resources/deployments/"+name+"/validate", PreflightAPIVersion, body)
	if err != nil {
		return fmt.Errorf("preflight at %s: %w", g.scope, err)
	}
	if status < http.StatusBadRequest {
		return nil
	}
	top, err := decodePreflightError(raw)
	if err != nil || top.Code == "" {
		rep.Errors = append(rep.Errors, PreflightError{Code: fmt.Sprintf("HTTP%d", status), Message: fmt.Sprintf("deployment validation at %s answered %d: %s", g.scope, status, strings.TrimSpace(string(raw)))})
		return nil
	}
	details := top.Details
	if len(details) == 0 {
		details = []wirePreflightError{top}
	}
	for _, d := range details {
		e := d.toError()
		if c := changeFor(g.changes, d); c != nil {
			c.PreflightErrors = append(c.PreflightErrors, e)
			continue
		}
		e.Message = fmt.Sprintf("%s (validating at %s)", e.Message, g.scope)
		rep.Errors = append(rep.Errors, e)
	}
	return nil
}

// Template schemas, by deployment scope.
const (
	groupTemplateSchema        = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
	subscriptionTemplateSchema = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
)

// template is a deployment template of resources.
func template(schema string, resources []any) map[string]any {
	return map[string]any{
		"$schema":        schema,
		"contentVersion": "1.0.0.0",
		"resources":      resources,
	}
}

// wirePreflightError is ARM's error object with its additionalInfo.
type wirePreflightError struct {
	Code           string               `json:"code"`
	Message        string               `json:"message"`
	Target         string               `json:"target"`
	Details        []wirePreflightError `json:"details"`
	AdditionalInfo []json.RawMessage    `json:"additionalInfo"`
}

func decodePreflightError(raw []byte) (wirePreflightError, error) {
	var w struct {
		Error wirePreflightError `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	err := dec.Decode(&w)
	return w.Error, err
}

func (d wirePreflightError) toError() PreflightError {
	e := PreflightError{Code: d.Code, Message: d.Message, Target: d.Target}
	// What to do, as for the same error from a write (arm.Error.Hint).
	e.Hint = (&arm.Error{StatusCode: http.StatusBadRequest, Code: d.Code, Message: d.Message, Target: d.Target, AdditionalInfo: d.AdditionalInfo}).Hint()
	for _, raw := range d.AdditionalInfo {
		var ai struct {
			Type string         `json:"type"`
			Info map[string]any `json:"info"`
		}
		if json.Unmarshal(raw, &ai) != nil || !strings.EqualFold(ai.Type, "PolicyViolation") {
			continue
		}
		str := func(k string) string { s, _ := ai.Info[k].(string); return s }
		assignment := str("policyAssignmentDisplayName")
		if assignment == "" {
			assignment = str("policyAssignmentName")
		}
		definition := str("policyDefinitionDisplayName")
		if definition == "" {
			definition = str("policyDefinitionName")
		}
		e.Policy = fmt.Sprintf("policy assignment %q (%s), definition %q (%s)", assignment, str("policyAssignmentId"), definition, str("policyDefinitionId"))
	}
	for _, inner := range d.Details {
		e.Message += "; " + inner.Code + ": " + inner.Message
	}
	return e
}

// changeFor finds the change an error names: by its target (an ID, or a
// resource's name), else by an ID or a quoted name in its message.
func changeFor(cs []*Change, d wirePreflightError) *Change {
	for _, c := range cs {
		if d.Target != "" && (strings.EqualFold(d.Target, c.ID) || strings.EqualFold(d.Target, resourceName(c.ID))) {
			return c
		}
	}
	msg := strings.ToLower(d.Message)
	for _, c := range cs {
		if strings.Contains(msg, strings.ToLower(c.ID)) || strings.Contains(msg, "'"+strings.ToLower(resourceName(c.ID))+"'") {
			return c
		}
	}
	if len(cs) == 1 {
		return cs[0]
	}
	return nil
}

func resourceName(id string) string {
	i := strings.LastIndex(id, "/")
	return id[i+1:]
}

// templateResource returns the deployment scope of id and its resource as
// a template declares it: type, apiVersion, name ("parent/child" for a
// child), scope for an extension resource, and the body's members.
func templateResource(id, apiVersion string, body map[string]any) (string, map[string]any, error) {
	parsed, err := armid.Parse(id)
	if err != nil {
		return "", nil, err
	}
	sub, rg := parsed.SubscriptionID(), parsed.ResourceGroup()
	if sub == "" {
		return "", nil, fmt.Errorf("deployment validation runs at a subscription or resource group, and %s is above them", id)
	}
	res := map[string]any{}
	for k, v := range body {
		res[k] = v
	}
	res["apiVersion"] = apiVersion
	typ := parsed.ResourceType()
	if strings.EqualFold(typ, "Microsoft.Resources/resourceGroups") {
		res["type"], res["name"] = "Microsoft.Resources/resourceGroups", parsed.Name()
		return "/subscriptions/" + sub, res, nil
	}
	low := strings.ToLower(id)
	i := strings.LastIndex(low, "/providers/")
	segs := strings.Split(strings.Trim(id[i+len("/providers/"):], "/"), "/")
	if len(segs) < 3 || len(segs)%2 == 0 {
		return "", nil, fmt.Errorf("%s is not a resource a template can declare", id)
	}
	types, names := []string{segs[0]}, []string{}
	for j := 1; j+1 < len(segs); j += 2 {
		types = append(types, segs[j])
		names = append(names, segs[j+1])
	}
	res["type"], res["name"] = strings.Join(types, "/"), strings.Join(names, "/")
	if parsed.IsExtension() {
		res["scope"] = parsed.Scope().String()
	}
	scope := "/subscriptions/" + sub
	if rg != "" {
		scope += "/resourceGroups/" + rg
	}
	return scope, res, nil
}

// hasUnknownValue reports whether v holds a value known only after apply.
func hasUnknownValue(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if hasUnknownValue(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasUnknownValue(e) {
				return true
			}
		}
	default:
		_, unknown := v.(config.Unknown)
		return unknown
	}
	return false
}

// PreflightLines words what preflight found, for the end of a text plan.
func PreflightLines(p *Plan) []string {
	if p.Preflight == nil {
		return nil
	}
	rep := p.Preflight
	var lines []string
	n := 0
	var addrs []string
	for _, c := range p.Changes {
		if len(c.PreflightErrors) > 0 {
			n += len(c.PreflightErrors)
			addrs = append(addrs, c.Address)
		}
	}
	n += len(rep.Errors)
	sort.Strings(addrs)
	if n == 0 && rep.Validated == 0 && len(rep.Skipped) == 0 {
		return nil // nothing to validate: no word about it
	}
	if n == 0 {
		lines = append(lines, fmt.Sprintf("Preflight: ARM's deployment validation accepted the %d planned creates and updates (%d validation requests).", rep.Validated, rep.Calls))
	} else {
		lines = append(lines, fmt.Sprintf("Preflight: ARM's deployment validation found %d errors (%s); nothing was sent to the resources.", n, strings.Join(addrs, ", ")))
		for _, e := range rep.Errors {
			lines = append(lines, "  - "+e.String())
		}
	}
	for _, s := range rep.Skipped {
		lines = append(lines, "  not validated: "+s)
	}
	return lines
}
