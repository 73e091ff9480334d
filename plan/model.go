package plan

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
	// Import is true when an import block (or adopt_existing) takes over an
	// existing resource that the state does not record yet.
	Import bool
	// DeletedWith is the address of the resource whose delete removes this
	// one too (a resource group): apply sends no DELETE of its own.
	DeletedWith string
	// Sensitive are the paths never printed (for creates, whose bodies are
	// shown whole).
	Sensitive []string
}

// Absent marks a value missing on one side of a PathChange.
type Absent struct{}

// PathChange is one differing path, e.g. sku.name, with its two values.
type PathChange struct {
	Path   string
	Before any
	After  any
	// Sensitive values print as (sensitive) and are never saved in clear.
	Sensitive bool
	// ForcesReplace is true when the path is a replace_on_changes path.
	ForcesReplace bool
	// Declared (drift only) is true when the configuration declares the
	// path: the plan also changes it back.
	Declared bool

	at Path // the parsed path, for AcceptedOutput
}

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

// HasDrift reports whether anything changed outside azapply.
func (p *Plan) HasDrift() bool {
	return len(p.Drift) > 0
}
