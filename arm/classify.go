package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Class says what a caller should do with an error ARM answered.
type Class int

const (
	// Permanent errors fail at once: resending the same request meets the
	// same answer (a lock, a name taken, a policy, a bad value, a quota).
	Permanent Class = iota
	// Retryable errors are ARM's own "try later": 408, 429, 5xx, and the
	// conflicts that say another operation holds the resource or its
	// parent. The client resends them with backoff.
	Retryable
	// Consistency errors are the short windows of ARM's eventual
	// consistency: a principal created seconds ago that the directory has
	// not replicated yet. They are resent within a bounded window (see
	// apply), then fail as permanent.
	Consistency
)

func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Consistency:
		return "consistency"
	}
	return "permanent"
}

// retryableCodes are the codes ARM and its providers answer when another
// operation holds the resource or its parent: the same request succeeds
// once that operation ends. They come with 409 (most), 429 (Network's
// RetryableErrorDueToAnotherOperation) or 400.
var retryableCodes = map[string]bool{
	"anotheroperationinprogress":                 true,
	"operationinprogress":                        true,
	"retryableerrorduetoanotheroperation":        true,
	"conflictingconcurrentwritenotallowed":       true,
	"canceledandsupersededduetoanotheroperation": true,
	"pessimisticconcurrencyconflict":             true,
	"conflictingoperationinprogress":             true,
	"resourcebusy":                               true,
	"operationpreempted":                         true,
}

// consistencyCodes are the errors of ARM's replication lag: the directory
// (Microsoft Entra ID) has not yet replicated a principal created moments
// ago to the region that serves the request.
var consistencyCodes = map[string]bool{
	"principalnotfound": true,
}

// permanentCodes are never resent, whatever the status or the message says
// (ScopeLocked's message ends "Please remove the lock and try again").
var permanentCodes = map[string]bool{
	"scopelocked":                         true,
	"requestdisallowedbypolicy":           true,
	"missingsubscriptionregistration":     true,
	"authorizationfailed":                 true,
	"linkedauthorizationfailed":           true,
	"invalidresourcelocation":             true,
	"locationnotavailableforresourcetype": true,
	"propertychangenotallowed":            true,
	"quotaexceeded":                       true,
	"skunotavailable":                     true,
}

// busyWords mark a 409 as "another operation is in progress" rather than
// a lasting conflict such as a name already taken. "try again" is not among them: a lock's message says it
// too (and a lock has a code of its own, never resent).
var busyWords = []string{"in progress", "another operation", "is updating", "while the parent", "retry later"}

// Classify says whether err, as returned by the Client, may succeed if the
// same request is sent again (Retryable), may succeed after ARM's
// replication catches up (Consistency), or will fail again (Permanent).
// An error that is not ARM's answer (a network failure after the retries,
// a timeout, an interrupt) is Permanent: the client already retried what
// it could.
func Classify(err error) Class {
	var ae *Error
	if !errors.As(err, &ae) {
		return Permanent
	}
	return ae.Class()
}

// Class classifies the error: see Classify.
func (e *Error) Class() Class {
	code := strings.ToLower(e.Code)
	switch {
	case permanentCodes[code], strings.HasSuffix(code, "updatenotpermitted"), strings.HasSuffix(code, "alreadyexists"):
		return Permanent
	case consistencyCodes[code]:
		return Consistency
	case e.OperationStatus != "":
		// An operation that ran and failed: ARM's verdict, not a refusal to
		// start. Its code may still say another operation preempted it.
		if retryableCodes[code] {
			return Retryable
		}
		return Permanent
	case retryableCodes[code]:
		return Retryable
	}
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Retryable
	case http.StatusConflict:
		// Providers have codes of their own for "busy" (SQL's
		// ConflictingServerOperation, AKS's OperationNotAllowed "Another
		// operation (Updating) is in progress"): a 409 whose code names a
		// conflicting operation, or whose message says one is running, is
		// resent. The codes that are never resent returned above.
		if strings.HasPrefix(code, "conflicting") && strings.HasSuffix(code, "operation") || strings.HasSuffix(code, "operationinprogress") {
			return Retryable
		}
		msg := strings.ToLower(e.Message)
		for _, w := range busyWords {
			if strings.Contains(msg, w) {
				return Retryable
			}
		}
	}
	return Permanent
}

// IsBusy reports whether err says that another operation holds the
// resource or its parent (a Retryable 409, or Network's 429
// RetryableErrorDueToAnotherOperation): the request succeeds once that
// operation ends.
func IsBusy(err error) bool {
	var ae *Error
	if !errors.As(err, &ae) || ae.OperationStatus != "" {
		return false
	}
	switch ae.StatusCode {
	case http.StatusConflict:
		return ae.Class() == Retryable
	case http.StatusTooManyRequests, http.StatusBadRequest:
		return retryableCodes[strings.ToLower(ae.Code)]
	}
	return false
}

// Hint returns one line saying what to do about err, for the codes people
// meet most, or "" when azapply has nothing to add to ARM's message.
func Hint(err error) string {
	var ae *Error
	if !errors.As(err, &ae) {
		return ""
	}
	return ae.Hint()
}

// Hints returns the hint of every ARM error in err's tree (errors.Join
// and %w wrapping), once each, in order.
func Hints(err error) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if ae, ok := err.(*Error); ok {
			if h := ae.Hint(); h != "" && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

var (
	lockedScopes   = regexp.MustCompile(`(?i)following scope\(s\) are locked: (.+?)\.?\s*(?:Please|$)`)
	quoted         = regexp.MustCompile(`'([^']+)'`)
	lockID         = regexp.MustCompile(`(?i)(/[^'"\s]*?/providers/Microsoft\.Authorization/locks/([^/'"\s,.]+))`)
	namespaceWords = regexp.MustCompile(`(?i)namespace '([^']+)'`)
	// deletingWords say that a 409 is a delete still running, not a name
	// taken: "is being deleted", "deprovisioning state", "in the process
	// of being deleted", "deletion has not finished".
	deletingWords = regexp.MustCompile(`(?i)being deleted|deprovisioning state|pending deletion|deletion (?:is )?(?:still )?in progress|deletion has not (?:yet )?finished|until its deletion has finished`)
	propertyWords = regexp.MustCompile(`(?i)propert(?:y|ies) '?([A-Za-z0-9_.\[\]]+)'?`)
)

// Hint returns one line saying what to do: see Hint.
func (e *Error) Hint() string {
	code := strings.ToLower(e.Code)
	msg := e.Message
	all := e.allText()
	switch {
	case code == "scopelocked":
		return lockHint(all)
	case code == "requestdisallowedbypolicy":
		return policyHint(e.AdditionalInfo)
	case code == "missingsubscriptionregistration":
		ns := ""
		if m := namespaceWords.FindStringSubmatch(all); m != nil {
			ns = m[1]
		}
		if ns == "" {
			return "The subscription has not registered the resource provider of this type: register it with `az provider register --namespace <Namespace>` and apply again."
		}
		return fmt.Sprintf("The subscription has not registered the resource provider %s: run `az provider register --namespace %s` (it takes a minute or two) and apply again.", ns, ns)
	case code == "invalidresourcelocation":
		return "A resource's location cannot change in place: set location back to where it is, or replace the resource (add \"location\" to replace_on_changes, or apply with --replace ADDRESS), which deletes it first."
	case code == "locationnotavailableforresourcetype", code == "noregisteredproviderfound" && strings.Contains(strings.ToLower(msg), "location"):
		return "This resource type is not offered in that location: choose one of the locations ARM lists above."
	case code == "propertychangenotallowed", strings.HasSuffix(code, "updatenotpermitted"):
		what := "this property"
		if m := propertyWords.FindStringSubmatch(all); m != nil {
			what = m[1]
		}
		return fmt.Sprintf("The service cannot change %s in place: replace the resource (add the path to replace_on_changes, or apply with --replace ADDRESS), which deletes it first.", what)
	case isQuota(code, msg):
		return "A quota or capacity limit refused this: request an increase (Azure portal, Quotas; or `az quota`), free capacity, or choose another size or location."
	case e.StatusCode == http.StatusConflict && (strings.HasSuffix(code, "beingdeleted") || deletingWords.MatchString(all)):
		// A delete ARM accepted has not finished: the name is not taken
		// for good. Retried or not, what to do is wait for it.
		return "A delete of this resource (or of the group that holds it) is still finishing in Azure: wait until a GET of it answers 404, which can take minutes for some services, then apply again. It is no name taken by someone else."
	case code == "conflict" || strings.HasSuffix(code, "alreadyexists") || code == "storageaccountalreadytaken" || code == "namenotavailable":
		if e.Class() == Retryable {
			return ""
		}
		return "The name is taken (by a resource azapply does not manage, perhaps in another subscription for globally unique names, or one soft-deleted): choose another name, or adopt the existing resource with `azapply import`."
	case code == "authorizationfailed" || code == "linkedauthorizationfailed":
		return "The identity azapply signs in as lacks permission for this action: grant it a role that allows it at this scope (or a parent scope)."
	case code == "principalnotfound":
		return "The principal does not exist in the directory, or was created moments ago and has not replicated yet (azapply retried within its consistency window): check the principal ID, or lengthen the window with a retry block."
	}
	return ""
}

// allText is the message with its details, for patterns that may be in
// either.
func (e *Error) allText() string {
	var b strings.Builder
	b.WriteString(e.Message)
	var walk func([]ErrorDetail)
	walk = func(ds []ErrorDetail) {
		for _, d := range ds {
			b.WriteString(" ")
			b.WriteString(d.Message)
			b.WriteString(" ")
			b.WriteString(d.Target)
			walk(d.Details)
		}
	}
	walk(e.Details)
	return b.String()
}

func isQuota(code, msg string) bool {
	switch code {
	case "quotaexceeded", "skunotavailable", "insufficientquota", "operationnotallowed", "regionalquotaexceeded", "subscriptionquotaexceeded":
		if code == "operationnotallowed" {
			return strings.Contains(strings.ToLower(msg), "quota")
		}
		return true
	}
	return false
}

// lockHint names the locked scopes (and the locks, when ARM names them).
func lockHint(text string) string {
	var locks []string
	seen := map[string]bool{}
	for _, m := range lockID.FindAllStringSubmatch(text, -1) {
		if !seen[strings.ToLower(m[1])] {
			seen[strings.ToLower(m[1])] = true
			locks = append(locks, fmt.Sprintf("%s (%s)", m[2], m[1]))
		}
	}
	if len(locks) > 0 {
		return fmt.Sprintf("A management lock forbids this: %s. Remove it (`az lock delete --ids ID`) or change the plan, then apply again; azapply does not retry a lock.", strings.Join(locks, ", "))
	}
	var scopes []string
	if m := lockedScopes.FindStringSubmatch(text); m != nil {
		for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
			scopes = append(scopes, q[1])
		}
	}
	if len(scopes) == 0 {
		return "A management lock forbids this: find it with `az lock list` at the resource's scope and its parents, remove it or change the plan, then apply again; azapply does not retry a lock."
	}
	return fmt.Sprintf("A management lock at %s forbids this: list it with `az lock list --scope %s`, remove it or change the plan, then apply again; azapply does not retry a lock.",
		strings.Join(scopes, ", "), scopes[0])
}

// PolicyViolation is one entry of a RequestDisallowedByPolicy error's
// additionalInfo: the policy assignment that denied the request and its
// definition.
type PolicyViolation struct {
	AssignmentID, AssignmentName, AssignmentDisplayName string
	DefinitionID, DefinitionName, DefinitionDisplayName string
	Effect                                              string
}

// PolicyViolations decodes the additionalInfo entries of type
// PolicyViolation.
func (e *Error) PolicyViolations() []PolicyViolation {
	return policyViolations(e.AdditionalInfo)
}

func policyViolations(info []json.RawMessage) []PolicyViolation {
	var out []PolicyViolation
	for _, raw := range info {
		var entry struct {
			Type string `json:"type"`
			Info struct {
				PolicyAssignmentID          string `json:"policyAssignmentId"`
				PolicyAssignmentName        string `json:"policyAssignmentName"`
				PolicyAssignmentDisplayName string `json:"policyAssignmentDisplayName"`
				PolicyDefinitionID          string `json:"policyDefinitionId"`
				PolicyDefinitionName        string `json:"policyDefinitionName"`
				PolicyDefinitionDisplayName string `json:"policyDefinitionDisplayName"`
				PolicyDefinitionEffect      string `json:"policyDefinitionEffect"`
			} `json:"info"`
		}
		if json.Unmarshal(raw, &entry) != nil || !strings.EqualFold(entry.Type, "PolicyViolation") {
			continue
		}
		i := entry.Info
		out = append(out, PolicyViolation{
			AssignmentID: i.PolicyAssignmentID, AssignmentName: i.PolicyAssignmentName, AssignmentDisplayName: i.PolicyAssignmentDisplayName,
			DefinitionID: i.PolicyDefinitionID, DefinitionName: i.PolicyDefinitionName, DefinitionDisplayName: i.PolicyDefinitionDisplayName,
			Effect: i.PolicyDefinitionEffect,
		})
	}
	return out
}

func policyHint(info []json.RawMessage) string {
	vs := policyViolations(info)
	if len(vs) == 0 {
		return "An Azure Policy assignment denies this request: change the body to comply, or ask the policy's owner for an exemption."
	}
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("assignment %s (%s), definition %s (%s)",
			quoteName(v.AssignmentDisplayName, v.AssignmentName), v.AssignmentID,
			quoteName(v.DefinitionDisplayName, v.DefinitionName), v.DefinitionID))
	}
	return "Denied by Azure Policy: " + strings.Join(parts, "; ") + ". Change the body to comply, or ask the policy's owner for an exemption."
}

func quoteName(display, name string) string {
	if display != "" {
		return fmt.Sprintf("%q", display)
	}
	return fmt.Sprintf("%q", name)
}
