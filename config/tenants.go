package config

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// tenantID is a Microsoft Entra tenant: a GUID, or a domain name such as
// contoso.onmicrosoft.com.
var tenantID = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+)$`)

// maxAuxiliaryTenants is ARM's limit on the tokens of
// x-ms-authorization-auxiliary.
const maxAuxiliaryTenants = 3

// evalTenantIDs evaluates auxiliary_tenant_ids: a list of at most three
// tenant IDs.
func evalTenantIDs(a *hcl.Attribute, ctx *hcl.EvalContext, checkOnly bool) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		if checkOnly {
			return nil, nil
		}
		return nil, hcl.Diagnostics{notKnown(a.Expr, "auxiliary_tenant_ids", "Write the tenant IDs, or use variables.")}
	}
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid auxiliary_tenant_ids", Detail: detail, Subject: a.Expr.Range().Ptr()}}
	}
	list, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || list.IsNull() {
		return nil, bad(`auxiliary_tenant_ids is a list of tenant IDs, like ["00000000-0000-0000-0000-000000000000"].`)
	}
	var ids []string
	for _, t := range list.AsValueSlice() {
		if t.IsNull() || !tenantID.MatchString(t.AsString()) {
			s := "null"
			if !t.IsNull() {
				s = fmt.Sprintf("%q", t.AsString())
			}
			return nil, bad(fmt.Sprintf("%s is not a tenant ID: give the tenant's GUID (or its domain, such as contoso.onmicrosoft.com).", s))
		}
		ids = append(ids, t.AsString())
	}
	if len(ids) > maxAuxiliaryTenants {
		return nil, bad(fmt.Sprintf("ARM accepts the tokens of at most %d auxiliary tenants; %d are given.", maxAuxiliaryTenants, len(ids)))
	}
	return ids, nil
}
