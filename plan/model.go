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
	// Forget removes a resource from the state that is already gone from
	// Azure and no longer declared: nothing to send.
	Forget Action = "forget"
)

// Plan is the set of changes apply will make.
type Plan struct {
	// Changes are in dependency order: each follows those it depends on.
	Changes []*Change
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
	// Paths are the differences that make this an update.
	Paths []PathChange
	// DependsOn are the addresses this resource waits for.
	DependsOn []string
	// PriorID is the ID recorded in the state when it differs from ID (a
	// replace to a new ID).
	PriorID string
}

// Absent marks a value missing on one side of a PathChange.
type Absent struct{}

// PathChange is one differing path, e.g. sku.name, with its two values.
type PathChange struct {
	Path   string
	Before any
	After  any
}

// Summary counts the changes as Terraform does: a replace is one add and one
// destroy.
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

// HasChanges reports whether applying the plan would send anything.
func (p *Plan) HasChanges() bool {
	a, c, d := p.Summary()
	return a+c+d > 0
}
