package plan

import "github.com/azapply/azapply/body"

// Action is what apply will do to one resource.
type Action string

// The actions a plan can hold.
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
	// Read is a data source: a GET only.
	Read Action = "read"
	// Forget removes a resource from the state and sends nothing: it is
	// already gone from Azure, or a removed block keeps it there.
	Forget Action = "forget"
)

// Plan is the set of changes apply will make.
type Plan struct {
	// Changes are in dependency order: each follows those it depends on.
	// Deletes come last, deepest ID first.
	Changes []*Change
	// Drift lists what changed outside azapply since the last apply.
	Drift []*Drift
	// OutputChanges are the output values apply records anew (see
	// PlanOutputs); nothing is sent to Azure for them.
	OutputChanges []OutputChange
	// RefreshOnly plans hold drift only (plan --refresh-only, drift).
	RefreshOnly bool
	// Lineage and Serial identify the state the plan was made from.
	Lineage string
	Serial  int64
	// Targets are the --target addresses the plan was limited to, if any.
	Targets []string
	// Preflight is what deployment validation found, when it ran.
	Preflight *PreflightReport
}

// Change is the planned action on one resource.
type Change struct {
	Address    string
	ID         string
	APIVersion string
	Action     Action
	// Desired is the declared body as JSON-like values, with config.Unknown
	// where a value is known only after apply. Nil for a delete.
	Desired map[string]any
	// Live is the body the refresh read, nil when the resource is absent.
	Live map[string]any
	// Paths are the differences that make this an update (or a replace).
	Paths []PathChange
	// KeptDifferently are declared values the service keeps differently
	// (DESIGN.md): shown, but no action.
	KeptDifferently []PathChange
	// DependsOn are the addresses this resource waits for.
	DependsOn []string
	// PriorID is the ID recorded in the state when it differs from ID (a
	// replace to a new ID).
	PriorID string
	// MovedFrom is the address the state records the resource at, when a
	// moved block moves it to Address: apply records it at Address with no
	// request of its own.
	MovedFrom string
	// CreateBeforeDestroy is set on a replace to a new ID whose resource
	// sets create_before_destroy: apply creates the new one, then deletes
	// the old one (shown +/-).
	CreateBeforeDestroy bool
	// Import is true when an import block (or adopt_existing) takes over an
	// existing resource that the state does not record yet.
	Import bool
	// DeletedWith is the address of the resource whose delete removes this
	// one too (a resource group): apply sends no DELETE of its own. A
	// declared resource inside a resource group the plan deletes is a
	// Delete (or, when the group is replaced, a Replace) with DeletedWith
	// set and its Desired body kept: the configuration still declares it.
	DeletedWith string
	// Contents is what a resource group held when the plan listed it, for a
	// group the plan deletes (Delete, or the delete half of a Replace); nil
	// for anything else. Apply deletes no group whose contents the plan did
	// not list.
	Contents *Contents
	// Sensitive are the paths never printed (for creates, whose bodies are
	// shown whole).
	Sensitive []string
	// ReplaceReason says why a Replace that no path forces is one (it was
	// asked for with --replace).
	ReplaceReason string
	// Locks are the management locks that refuse this change's delete (a
	// delete's, or a replace's): apply starts nothing while there are any.
	Locks []Lock
	// SoftDelete says, for a type that soft-deletes, what its delete
	// leaves and what its create does about a deleted resource that holds
	// its name.
	SoftDelete *SoftDeleteNote
	// PreflightErrors are what ARM's deployment validation found wrong
	// with this create or update (plan --preflight).
	PreflightErrors []PreflightError
	// Request is the exact request apply sends for a create, a replace's
	// create or an update (DESIGN.md, "The request"); nil for the other
	// actions. Its body has config.Unknown where a value is known only
	// after apply; apply builds it again then, from the same live body,
	// with RequestFor.
	Request *Request
	// UpdateMethod is the resource's update_method: "PUT" (also when
	// empty) or "PATCH".
	UpdateMethod string
	// UpdateBody is how an update's PUT body is built: UpdateMerge (the
	// default, also when empty) or UpdateDeclared.
	UpdateBody UpdateBody

	// rules are the resource's rules, which RequestFor needs to build the
	// request again with the values known after apply; leaveOut the IDs
	// (keys) of the inline children the plan deletes, left out of it.
	rules    body.Rules
	leaveOut []string
	// notTargeted marks a delete planned only because a group the plan
	// deletes holds the resource, which --target left out.
	notTargeted bool
}

// Contents is what a resource group held when the plan listed it
// (GET {group}/resources, and the managed resources recorded inside it).
type Contents struct {
	// Resources are sorted by ID: the managed ones, which leave the state
	// with the group, and those azapply does not manage.
	Resources []Contained `json:"resources"`
	// DeleteUnmanaged is true when the configuration lets the group's
	// delete take resources azapply does not manage with it
	// (delete_unmanaged_contents = true); without it a plan that would is
	// an error.
	DeleteUnmanaged bool `json:"delete_unmanaged,omitempty"`
}

// Contained is one resource inside a resource group the plan deletes.
type Contained struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Managed is true for a resource azapply manages (recorded in the
	// state, or declared); Address is then its address.
	Managed bool   `json:"managed,omitempty"`
	Address string `json:"address,omitempty"`
	// NotTargeted marks a managed resource that a --target run left out:
	// it is managed here, goes with the group all the same, and leaves
	// the state with it.
	NotTargeted bool `json:"not_targeted,omitempty"`
}

// Unmanaged counts the contained resources azapply does not manage.
func (c *Contents) Unmanaged() int {
	if c == nil {
		return 0
	}
	n := 0
	for _, r := range c.Resources {
		if !r.Managed {
			n++
		}
	}
	return n
}

// Absent marks a value missing on one side of a PathChange.
type Absent = body.Absent

// PathChange is one differing path, e.g. sku.name, with its two values; the
// body engine finds them.
type PathChange = body.PathChange

// Summary counts the changes as Terraform does: a replace is one add and one
// destroy; a resource deleted with its resource group counts as a destroy.
func (p *Plan) Summary() (add, change, destroy int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			add++
		case Update:
			change++
		case Delete:
			destroy++
		case Replace:
			add++
			destroy++
		}
	}
	return add, change, destroy
}

// Dropped counts the live values, not in the configuration, that the
// updates' requests remove (PathChange.Dropped).
func (p *Plan) Dropped() int {
	n := 0
	for _, c := range p.Changes {
		for _, pc := range c.Paths {
			if pc.Dropped {
				n++
			}
		}
	}
	return n
}

// UnmanagedDeletes counts the resources azapply does not manage that the
// plan deletes with their resource groups.
func (p *Plan) UnmanagedDeletes() int {
	n := 0
	for _, c := range p.Changes {
		n += c.Contents.Unmanaged()
	}
	return n
}

// Imports counts the resources taken over by import.
func (p *Plan) Imports() int {
	n := 0
	for _, c := range p.Changes {
		if c.Import {
			n++
		}
	}
	return n
}

// HasChanges reports whether applying the plan would send anything or take
// over a resource.
func (p *Plan) HasChanges() bool {
	a, c, d := p.Summary()
	return a+c+d+p.Imports() > 0
}

// Moves counts the resources a moved block moves to a new address.
func (p *Plan) Moves() int {
	n := 0
	for _, c := range p.Changes {
		if c.MovedFrom != "" {
			n++
		}
	}
	return n
}

// HasDrift reports whether anything changed outside azapply.
func (p *Plan) HasDrift() bool {
	return len(p.Drift) > 0
}
