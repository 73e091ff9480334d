package config

// This file decodes the top-level settings blocks: provider, azapply (the
// backend), import and removed.

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// sensitiveProviderAttrs are never shown in diagnostics: not their value,
// not even the line that holds it.
var sensitiveProviderAttrs = map[string]bool{
	"client_secret": true, "password": true, "client_certificate_password": true,
}

var providerClouds = []string{"public", "china", "usgovernment"}

// providerRefreshes are the refresh modes (see plan.RefreshMode).
var providerRefreshes = []string{"resource", "collection"}

var providerAuths = []string{
	"", "cli", "env", "workload_identity", "managed_identity",
	"client_secret", "client_certificate", "username_password",
}

func (c *Config) decodeProvider(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(providerSchema)
	p := &c.Provider
	p.DeclRange = b.DefRange
	ctx := c.baseContext()
	fields := map[string]*string{
		"subscription_id": &p.SubscriptionID, "endpoint": &p.Endpoint, "cloud": &p.Cloud,
		"audience": &p.Audience, "authority_host": &p.AuthorityHost,
		"metadata_endpoint": &p.MetadataEndpoint, "auth": &p.Auth,
		"tenant_id": &p.TenantID, "client_id": &p.ClientID, "client_secret": &p.ClientSecret,
		"client_certificate_path":     &p.ClientCertificatePath,
		"client_certificate_password": &p.ClientCertificatePass,
		"federated_token_file":        &p.FederatedTokenFile,
		"username":                    &p.Username, "password": &p.Password,
		"refresh": &p.Refresh,
	}
	for _, name := range providerStringAttrs {
		a, ok := content.Attributes[name]
		if !ok {
			continue
		}
		if c.checkOnly {
			// validate: a variable with no value yet is unknown, and that
			// is no mistake of the configuration's.
			if v, d := a.Expr.Value(ctx); !d.HasErrors() && !v.IsWhollyKnown() {
				continue
			}
		}
		if sensitiveProviderAttrs[name] {
			s, d := evalSecretString(a, ctx)
			diags = append(diags, d...)
			*fields[name] = s
			continue
		}
		s, d := evalString(a.Expr, ctx, name)
		diags = append(diags, d...)
		*fields[name] = s
	}
	if a, ok := content.Attributes["cloud"]; ok && p.Cloud != "" && !oneOf(p.Cloud, providerClouds) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown cloud",
			Detail:   fmt.Sprintf("cloud %q is not one of %s. For Azure Stack Hub or another custom cloud, set metadata_endpoint instead.", p.Cloud, strings.Join(providerClouds, ", ")),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	if a, ok := content.Attributes["auth"]; ok && !oneOf(p.Auth, providerAuths) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown auth",
			Detail:   fmt.Sprintf("auth %q is not one of %s; leave it out for the default chain.", p.Auth, strings.Join(providerAuths[1:], ", ")),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	if a, ok := content.Attributes["refresh"]; ok && p.Refresh != "" && !oneOf(p.Refresh, providerRefreshes) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown refresh",
			Detail: fmt.Sprintf("refresh %q is not one of %s: \"resource\" (the default) reads each resource with a GET; \"collection\" lists the collections that hold three or more declared resources, checked against a GET.",
				p.Refresh, strings.Join(providerRefreshes, ", ")),
			Subject: a.Expr.Range().Ptr(),
		})
	}
	if a, ok := content.Attributes["endpoint"]; ok && p.Endpoint != "" && p.Endpoint != "emulator" && !strings.HasPrefix(p.Endpoint, "https://") && !strings.HasPrefix(p.Endpoint, "http://") {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid endpoint",
			Detail:   fmt.Sprintf("endpoint %q is neither \"emulator\" nor a URL such as https://management.azure.com.", p.Endpoint),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	if a, ok := content.Attributes["ignore_changes"]; ok {
		paths, d := evalPaths(a, ctx)
		diags = append(diags, d...)
		p.IgnoreChanges = paths
	}
	if a, ok := content.Attributes["auxiliary_tenant_ids"]; ok {
		ids, d := evalTenantIDs(a, ctx, c.checkOnly)
		diags = append(diags, d...)
		p.AuxiliaryTenantIDs = ids
	}
	if a, ok := content.Attributes["adopt_existing"]; ok {
		v, d := evalBool(a, ctx)
		diags = append(diags, d...)
		p.AdoptExisting = v
	}
	diags = append(diags, decodeOps(content, ctx, &p.Ops)...)
	return diags
}

// evalSecretString evaluates a secret provider attribute. Its diagnostics
// give the position in words and carry no subject, so that no snippet of
// the line (which may hold the secret itself) is ever printed.
func evalSecretString(a *hcl.Attribute, ctx *hcl.EvalContext) (string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	bad := func(why string) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s (%s:%d) %s. Its value is not shown because it is a secret; prefer a sensitive variable set through AZAPPLY_VAR_ or a --var-file kept out of git.", a.Name, a.NameRange.Filename, a.NameRange.Start.Line, why),
		}}
	}
	if diags.HasErrors() {
		return "", bad("cannot be evaluated: check the variables and functions it uses")
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return "", bad("must be a known string")
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", bad("must be a string")
	}
	return s.AsString(), nil
}

func (c *Config) decodeAzapply(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(azapplySchema)
	for _, bb := range content.Blocks {
		if c.Backend != nil {
			diags = append(diags, duplicate("backend block", "", c.Backend.DeclRange, bb.DefRange))
			continue
		}
		typ := bb.Labels[0]
		schema, ok := backendSchemas[typ]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown backend",
				Detail:   fmt.Sprintf("backend %q is not one azapply knows: use \"local\" (a file) or \"azureblob\" (Azure Blob Storage).", typ),
				Subject:  bb.LabelRanges[0].Ptr(),
			})
			continue
		}
		bc, d := bb.Body.Content(schema)
		diags = append(diags, d...)
		be := &Backend{Type: typ, DeclRange: bb.DefRange}
		ctx := c.baseContext()
		for name, dst := range map[string]*string{
			"path": &be.Path, "account_url": &be.AccountURL, "container": &be.Container, "key": &be.Key,
		} {
			if a, ok := bc.Attributes[name]; ok {
				s, d := evalString(a.Expr, ctx, name)
				diags = append(diags, d...)
				*dst = s
			}
		}
		if typ == "local" && be.Path == "" {
			be.Path = "azapply.state.json"
		}
		if a, ok := bc.Attributes["account_url"]; ok && be.AccountURL != "" && !strings.HasPrefix(be.AccountURL, "https://") && !strings.HasPrefix(be.AccountURL, "http://127.0.0.1") && !strings.HasPrefix(be.AccountURL, "http://localhost") {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid account_url",
				Detail:   fmt.Sprintf("account_url %q must be an https URL such as https://ACCOUNT.blob.core.windows.net (plain http only on loopback, for Azurite).", be.AccountURL),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		c.Backend = be
	}
	return diags
}

func (c *Config) decodeImport(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(importSchema)
	if diags.HasErrors() {
		return diags
	}
	im := &Import{DeclRange: b.DefRange}
	to, d := instanceAddress(content.Attributes["to"], "to")
	diags = append(diags, d...)
	im.To = to
	id, d := evalString(content.Attributes["id"].Expr, c.baseContext(), "id")
	diags = append(diags, d...)
	if !d.HasErrors() {
		if err := validateID(id); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid resource ID",
				Detail:   err.Error() + ".",
				Subject:  content.Attributes["id"].Expr.Range().Ptr(),
			})
		}
	}
	im.ID = armid.Canonical(id)
	if !diags.HasErrors() {
		c.Imports = append(c.Imports, im)
	}
	return diags
}

func (c *Config) decodeRemoved(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(removedSchema)
	if diags.HasErrors() {
		return diags
	}
	rm := &Removed{DeclRange: b.DefRange}
	from, d := instanceAddress(content.Attributes["from"], "from")
	diags = append(diags, d...)
	rm.From = from
	v, d := evalBool(content.Attributes["destroy"], nil)
	diags = append(diags, d...)
	rm.Destroy = v
	if a, ok := content.Attributes["delete_unmanaged_contents"]; ok {
		b, d := evalBool(a, nil)
		diags = append(diags, d...)
		rm.DeleteUnmanagedContents = b
		if b && !rm.Destroy && !d.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "delete_unmanaged_contents without destroy",
				Detail:   "delete_unmanaged_contents = true lets the delete of a resource group take what azapply does not manage with it; with destroy = false nothing is deleted. Set destroy = true, or remove delete_unmanaged_contents.",
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	if !diags.HasErrors() {
		c.Removed = append(c.Removed, rm)
	}
	return diags
}

// instanceAddress reads a bare instance reference such as resource.x or
// resource.subnet["app"] and returns it as an address string.
func instanceAddress(a *hcl.Attribute, what string) (string, hcl.Diagnostics) {
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + what,
		Detail:   what + " names a resource without quotes: resource.NAME, resource.NAME[\"key\"] or resource.NAME[0].",
		Subject:  a.Expr.Range().Ptr(),
	}}
	if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() && tr.RootName() == "module" {
		addr, d := moveAddress(a)
		if d.HasErrors() || AddressKind(addr) != KindResource {
			return "", bad
		}
		return addr, nil
	}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() || tr.RootName() != "resource" {
		return "", bad
	}
	name, ok := traversalName(tr)
	if !ok || len(tr) > 3 {
		return "", bad
	}
	addr := "resource." + name
	if len(tr) == 3 {
		ix, ok := tr[2].(hcl.TraverseIndex)
		if !ok {
			return "", bad
		}
		key, ok := keySuffix(ix.Key)
		if !ok {
			return "", bad
		}
		addr += key
	}
	return addr, nil
}

func evalBool(a *hcl.Attribute, ctx *hcl.EvalContext) (bool, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return false, diags
	}
	v, _ = v.Unmark()
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || !b.IsKnown() || b.IsNull() {
		return false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("%s must be true or false.", a.Name),
			Subject:  a.Expr.Range().Ptr(),
		}}
	}
	return b.True(), nil
}

func oneOf(s string, list []string) bool {
	for _, e := range list {
		if s == e {
			return true
		}
	}
	return false
}
