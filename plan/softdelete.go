package plan

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// SoftDeleteType is a resource type whose delete keeps the resource
// soft-deleted, holding its name, until it is purged or recovered.
type SoftDeleteType struct {
	// Type is the resource type, Noun what people call it.
	Type, Noun string
	// Collection is the deleted-resources collection under
	// /subscriptions/{s}/providers/{namespace}/locations/{location}/, and
	// InGroup says whether it sits under resourceGroups/{rg}/ there.
	Collection string
	InGroup    bool
	// PurgeMethod is how the deleted resource is purged: POST {deleted}/purge
	// or DELETE {deleted}.
	PurgeMethod string
	// APIVersion is the api-version of the deleted-resources API.
	APIVersion string
	// Conflicts are the codes a create answers while a deleted resource
	// holds its name.
	Conflicts []string
	// RecoverPath and RecoverValue are what a create body sets to recover
	// the deleted resource instead.
	RecoverPath  string
	RecoverValue any
}

// SoftDeleteTypes are the resource types azapply knows to soft-delete.
var SoftDeleteTypes = []SoftDeleteType{
	{Type: "Microsoft.KeyVault/vaults", Noun: "Key Vault", Collection: "deletedVaults", PurgeMethod: http.MethodPost, APIVersion: "2023-07-01",
		Conflicts: []string{"ConflictError", "VaultAlreadyExists"}, RecoverPath: "properties.createMode", RecoverValue: "recover"},
	{Type: "Microsoft.CognitiveServices/accounts", Noun: "Cognitive Services account", Collection: "deletedAccounts", InGroup: true, PurgeMethod: http.MethodDelete, APIVersion: "2023-05-01",
		Conflicts: []string{"FlagMustBeSetForRestore"}, RecoverPath: "properties.restore", RecoverValue: true},
	{Type: "Microsoft.ApiManagement/service", Noun: "API Management service", Collection: "deletedservices", PurgeMethod: http.MethodDelete, APIVersion: "2022-08-01",
		Conflicts: []string{"ServiceAlreadyExistsInSoftDeletedState"}, RecoverPath: "properties.restore", RecoverValue: true},
	{Type: "Microsoft.AppConfiguration/configurationStores", Noun: "App Configuration store", Collection: "deletedConfigurationStores", PurgeMethod: http.MethodPost, APIVersion: "2023-03-01",
		Conflicts: []string{"NameUnavailable", "ConflictError"}, RecoverPath: "properties.createMode", RecoverValue: "Recover"},
}

// SoftDeleteOf returns the soft-delete type of the resource id, or nil.
func SoftDeleteOf(id string) *SoftDeleteType {
	parsed, err := armid.Parse(id)
	if err != nil {
		return nil
	}
	typ := parsed.ResourceType()
	for i := range SoftDeleteTypes {
		if strings.EqualFold(SoftDeleteTypes[i].Type, typ) {
			return &SoftDeleteTypes[i]
		}
	}
	return nil
}

// DeletedID is the ID of the deleted resource that would hold the name of
// id, created in location.
func (t *SoftDeleteType) DeletedID(id, location string) string {
	parsed, err := armid.Parse(id)
	if err != nil || location == "" {
		return ""
	}
	ns, _, _ := strings.Cut(t.Type, "/")
	out := "/subscriptions/" + parsed.SubscriptionID() + "/providers/" + ns + "/locations/" + normalizeLocationName(location)
	if t.InGroup {
		out += "/resourceGroups/" + parsed.ResourceGroup()
	}
	return out + "/" + t.Collection + "/" + parsed.Name()
}

// PurgeRequest is the request that purges the deleted resource deletedID.
func (t *SoftDeleteType) PurgeRequest(deletedID string) arm.Request {
	if t.PurgeMethod == http.MethodPost {
		return arm.Request{Method: http.MethodPost, ID: deletedID + "/purge", APIVersion: t.APIVersion}
	}
	return arm.Request{Method: http.MethodDelete, ID: deletedID, APIVersion: t.APIVersion}
}

// IsConflict reports whether err is the conflict a create of this type
// answers while a deleted resource holds its name.
func (t *SoftDeleteType) IsConflict(err error) bool {
	var e *arm.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range t.Conflicts {
		if strings.EqualFold(e.Code, c) {
			return true
		}
	}
	return false
}

func normalizeLocationName(loc string) string {
	return strings.ToLower(strings.ReplaceAll(loc, " ", ""))
}

// SoftDeleted settings: what a create does when a deleted resource holds
// its name.
const (
	SoftDeletedRecover = "recover"
	SoftDeletedPurge   = "purge"
)

// readSoftDeleted looks, for each create of a soft-delete type, whether a
// deleted resource holds its name, and records on the change what apply
// will do (mode: recover or purge). It also marks each delete of such a
// type as a soft delete, or a purge. Reads that fail leave the change as
// it is: apply meets the conflict and acts on it anyway.
func readSoftDeleted(ctx context.Context, r Reader, changes []*Change, mode string, purgeOnDestroy bool) {
	if mode == "" {
		mode = SoftDeletedRecover
	}
	for _, c := range changes {
		t := SoftDeleteOf(c.ID)
		if t == nil {
			continue
		}
		switch c.Action {
		case Delete, Replace:
			c.SoftDelete = &SoftDeleteNote{Noun: t.Noun, OnDelete: "soft-delete"}
			if purgeOnDestroy {
				c.SoftDelete.OnDelete = "purge"
			}
			if c.Action == Replace && !purgeOnDestroy {
				// Its delete leaves the name held: the create meets it.
				c.SoftDelete.OnCreate = mode
			}
		case Create:
			loc, _ := c.Desired["location"].(string)
			deleted := t.DeletedID(c.ID, loc)
			if deleted == "" {
				continue
			}
			if _, err := r.Get(ctx, deleted, t.APIVersion); err == nil {
				c.SoftDelete = &SoftDeleteNote{Noun: t.Noun, OnCreate: mode, DeletedID: deleted}
			}
		}
	}
}

// SoftDeleteNote says what a change does about soft delete.
type SoftDeleteNote struct {
	Noun string `json:"noun"`
	// OnCreate is "recover" or "purge" when a deleted resource holds the
	// name of the one created (or replaced).
	OnCreate string `json:"on_create,omitempty"`
	// OnDelete is "soft-delete" or "purge" for a delete (or replace).
	OnDelete string `json:"on_delete,omitempty"`
	// DeletedID is the deleted resource found.
	DeletedID string `json:"deleted_id,omitempty"`
}

// Lines are the plan's words for the note.
func (n *SoftDeleteNote) Lines() []string {
	var out []string
	switch n.OnDelete {
	case "soft-delete":
		out = append(out, fmt.Sprintf("the %s is soft-deleted: it keeps its name until purged (purge_on_destroy = true purges it)", n.Noun))
	case "purge":
		out = append(out, fmt.Sprintf("the %s is deleted, then purged (purge_on_destroy = true)", n.Noun))
	}
	switch n.OnCreate {
	case SoftDeletedRecover:
		if n.DeletedID != "" {
			out = append(out, fmt.Sprintf("a soft-deleted %s holds its name (%s): apply recovers it, then updates it to this body (soft_deleted = \"recover\")", n.Noun, n.DeletedID))
		} else {
			out = append(out, fmt.Sprintf("the create recovers the soft-deleted %s, then updates it to this body (soft_deleted = \"recover\")", n.Noun))
		}
	case SoftDeletedPurge:
		if n.DeletedID != "" {
			out = append(out, fmt.Sprintf("a soft-deleted %s holds its name (%s): apply purges it for good, then creates it anew (soft_deleted = \"purge\")", n.Noun, n.DeletedID))
		} else {
			out = append(out, fmt.Sprintf("the create purges the soft-deleted %s for good, then creates it anew (soft_deleted = \"purge\")", n.Noun))
		}
	}
	return out
}
