package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Kind is the kind of block an instance comes from.
type Kind string

const (
	// KindResource is a managed resource: PUT/PATCH, DELETE.
	KindResource Kind = "resource"
	// KindData is a data block: a GET only, never changed.
	KindData Kind = "data"
	// KindAction is an action block: a POST, on create or on every apply.
	KindAction Kind = "action"
)

// Instance is one evaluated resource, data source or action. A block
// without for_each or count has one instance (address resource.NAME); with
// for_each one per key (resource.NAME["key"]); with count one per index
// (resource.NAME[0]).
type Instance struct {
	Address    string
	Name       string
	ID         string
	APIVersion string
	// Body is an object value; parts of it may be unknown until apply.
	// Sensitive parts carry the SensitiveMark cty mark.
	Body cty.Value
	// DependsOn are the addresses of the instances this one waits for
	// (resource, data and action addresses), from references, depends_on
	// and ARM containment; sorted, without duplicates.
	DependsOn []string
	DeclRange hcl.Range

	// Kind says which block the instance comes from; "" is read as
	// KindResource.
	Kind Kind
	// Block is the address of the block (resource.NAME) without the key.
	Block string
	// Key is the for_each key (a string) or count index (a number), or
	// cty.NilVal for a block without for_each or count.
	Key cty.Value
	// Deferred is set on a data or action instance whose id depends on a
	// value not known yet (another data source's output, a resource's
	// output): its ID is "" until the configuration is evaluated again with
	// those outputs. Resource instances are never deferred: their id must be
	// known when planning.
	Deferred bool
	// Method is how a data instance reads: "GET" (a resource, the default)
	// or "POST" (a read-only action such as listKeys, run on every plan;
	// see readaction.go). It is "" for resources and actions.
	Method string
	// When is an action's trigger: "create" (POST once, after the instances
	// it depends on were created or replaced) or "every_apply".
	When string

	// The settings below come from the resource block's other attributes.
	// Paths are dotted (properties.rules), with [*] for every element of an
	// array (properties.subnets[*].name) and ["key"] for keys that are not
	// plain names (tags["hidden-link:/x"]).

	// UpdateMethod is "PUT" (the default) or "PATCH".
	UpdateMethod string
	// UpdateBody is how an update's PUT body is built: "merge" (the
	// default: the live body with the declared values laid over it) or
	// "declared" (exactly the declared body, a full replacement).
	UpdateBody string
	// IgnoreChanges are paths never diffed (the provider's are added).
	IgnoreChanges []string
	// Sensitive are paths whose values are never printed or stored in clear:
	// the declared ones (as written, whether or not the body has them: a
	// write-only value may be left out of it), those whose value came from a
	// sensitive variable, and string values found by name (a key ending in
	// password, secret, key, token or connectionString). Sorted, without
	// duplicates; in the paths found, array elements are written [*].
	Sensitive []string
	// PreventDestroy makes any plan that deletes or replaces it an error.
	PreventDestroy bool
	// DeleteUnmanagedContents lets a plan delete this resource group while
	// it holds resources azapply does not manage (they go with it); without
	// it such a plan is an error. It means nothing for other resources.
	DeleteUnmanagedContents bool
	// ReplaceOnChanges are paths whose change means delete-then-create.
	ReplaceOnChanges []string
	// CreateBeforeDestroy makes a replace create the new resource (at a
	// new ID: a plan that would keep the ID is an error) before it deletes
	// the old one.
	CreateBeforeDestroy bool
	// UpdateInPlace are paths changed in place even where azapply would
	// replace the resource (a location change, a path the service refused
	// to change at an earlier apply).
	UpdateInPlace []string
	// ArrayKeys names, per array path, the field that matches elements
	// (array_keys = { "properties.rules" = "priority" }).
	ArrayKeys map[string]string
	// Unordered are paths of scalar arrays compared as sets.
	Unordered []string
	// Timeouts bound each kind of operation; zero means the default (30m).
	Timeouts Timeouts
	// Retry is the resource's retry block (error codes and windows of
	// eventual consistency apply waits out); nil without one.
	Retry *Retry
}

// Timeouts are the per-operation time limits of a resource.
type Timeouts struct {
	Create, Update, Delete time.Duration
	// Read bounds the GET of a data source.
	Read time.Duration
}
