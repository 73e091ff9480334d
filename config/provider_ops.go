package config

import (
	"github.com/hashicorp/hcl/v2"
)

// OpsSettings are the provider block's settings for what ARM refuses or
// keeps: provider registration, soft-deleted names, preflight.
type OpsSettings struct {
	// RegisterProviders lets apply register a resource provider namespace
	// the subscription is not registered for, and wait for it, instead of
	// failing with MissingSubscriptionRegistration.
	RegisterProviders bool
	// SoftDeleted is what a create does when a soft-deleted resource holds
	// its name: "recover" (the default, also when empty) or "purge" (purge
	// it for good, then create anew).
	SoftDeleted string
	// PurgeOnDestroy purges a soft-deleting resource right after its
	// delete, so that its name is free at once.
	PurgeOnDestroy bool
	// Preflight makes every plan validate its creates and updates with
	// ARM's deployment validation (as plan --preflight).
	Preflight bool
}

// opsAttributes are the provider block's attributes decoded here.
var opsAttributes = []hcl.AttributeSchema{
	{Name: "register_providers"}, {Name: "soft_deleted"}, {Name: "purge_on_destroy"}, {Name: "preflight"},
}

// decodeOps reads the OpsSettings of a provider block's content.
func decodeOps(content *hcl.BodyContent, ctx *hcl.EvalContext, p *OpsSettings) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for name, field := range map[string]*bool{"register_providers": &p.RegisterProviders, "purge_on_destroy": &p.PurgeOnDestroy, "preflight": &p.Preflight} {
		if a, ok := content.Attributes[name]; ok {
			v, d := evalBool(a, ctx)
			diags = append(diags, d...)
			*field = v
		}
	}
	if a, ok := content.Attributes["soft_deleted"]; ok {
		s, d := evalChoice(a, ctx, "soft_deleted", `soft_deleted is "recover" (recover a soft-deleted resource that holds the name of one being created, the default) or "purge" (purge it, then create anew)`, "recover", "purge")
		diags = append(diags, d...)
		if !d.HasErrors() {
			p.SoftDeleted = s
		}
	}
	return diags
}
