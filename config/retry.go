package config

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Retry is a resource's retry block: what apply waits out beyond its
// defaults.
//
//	retry {
//	  codes  = ["PrincipalNotFound", "InvalidPrincipalId"]
//	  within = "15m"
//	}
type Retry struct {
	// Codes are ARM error codes resent within the window, as ARM's own
	// replication errors are.
	Codes []string
	// Within lengthens each of the resource's consistency windows (read
	// after create, principal replication, delete confirmation) to at least
	// this long; zero keeps the defaults.
	Within time.Duration
}

var retrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "codes"},
		{Name: "within"},
	},
}

// armCode is what an ARM error code looks like: PascalCase letters and
// digits, sometimes with dots or underscores.
var armCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]*$`)

// maxRetryWithin bounds within: a window longer than this is a timeout, not
// a consistency window.
const maxRetryWithin = 2 * time.Hour

// evalRetry evaluates a retry block's attributes (nil: no block).
func evalRetry(attrs hcl.Attributes, ctx *hcl.EvalContext) (*Retry, hcl.Diagnostics) {
	if attrs == nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	out := &Retry{}
	if a, ok := attrs["codes"]; ok {
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v, _ = v.UnmarkDeep()
			list, err := convert.Convert(v, cty.List(cty.String))
			switch {
			case !v.IsWhollyKnown():
				diags = append(diags, notKnown(a.Expr, "codes", "Write the codes as strings."))
			case err != nil || list.IsNull():
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid retry codes",
					Detail:  `codes is a list of ARM error codes, like ["PrincipalNotFound", "ResourceNotFound"].`,
					Subject: a.Expr.Range().Ptr()})
			default:
				for _, c := range list.AsValueSlice() {
					if c.IsNull() || !armCode.MatchString(c.AsString()) {
						s := "null"
						if !c.IsNull() {
							s = fmt.Sprintf("%q", c.AsString())
						}
						diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid retry code",
							Detail:  fmt.Sprintf("%s is not an ARM error code: write the code as ARM answers it (error.code), like \"PrincipalNotFound\".", s),
							Subject: a.Expr.Range().Ptr()})
						continue
					}
					out.Codes = append(out.Codes, c.AsString())
				}
			}
		}
	}
	if a, ok := attrs["within"]; ok {
		s, d := evalString(a.Expr, ctx, "within")
		diags = append(diags, d...)
		if !d.HasErrors() {
			dur, err := time.ParseDuration(s)
			if err != nil || dur <= 0 || dur > maxRetryWithin {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid retry window",
					Detail:  fmt.Sprintf("within = %q is not a duration between 1s and %s: write it like \"5m\" or \"90s\".", s, maxRetryWithin),
					Subject: a.Expr.Range().Ptr()})
			} else {
				out.Within = dur
			}
		}
	}
	return out, diags
}
