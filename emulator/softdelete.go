package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Soft delete. With Options.SoftDelete, deleting a resource of the types in
// softDeleteKinds (directly or with its resource group) keeps a deleted
// record that holds its name, as Key Vault, Cognitive Services, API
// Management and App Configuration do:
//
//   - GET /subscriptions/{s}/providers/{ns}/locations/{loc}/[resourceGroups/{rg}/]{collection}/{name}
//     reads it (404 when there is none);
//   - a PUT that creates a resource of that name answers the service's
//     conflict (409) unless its body asks to recover (Key Vault and App
//     Configuration properties.createMode "recover", Cognitive Services and
//     API Management properties.restore true): then the resource comes
//     back as it was when deleted, and the record is gone;
//   - POST {deleted}/purge (Key Vault, App Configuration) or DELETE
//     {deleted} (Cognitive Services, API Management) removes the record
//     for good.

type softDeleteKind struct {
	typ, collection string
	inGroup         bool
	purgeByPost     bool
	recoverPath     string
	recoverValue    any
	code            string
	message         func(name, id string) string
}

var softDeleteKinds = []softDeleteKind{
	{typ: "Microsoft.KeyVault/vaults", collection: "deletedVaults", purgeByPost: true, recoverPath: "properties.createMode", recoverValue: "recover",
		code: "ConflictError", message: func(name, id string) string {
			return "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete."
		}},
	{typ: "Microsoft.CognitiveServices/accounts", collection: "deletedAccounts", inGroup: true, recoverPath: "properties.restore", recoverValue: true,
		code: "FlagMustBeSetForRestore", message: func(name, id string) string {
			return fmt.Sprintf("An existing resource with ID '%s' has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please purge it first.", id)
		}},
	{typ: "Microsoft.ApiManagement/service", collection: "deletedservices", recoverPath: "properties.restore", recoverValue: true,
		code: "ServiceAlreadyExistsInSoftDeletedState", message: func(name, id string) string {
			return fmt.Sprintf("Api service %s was soft-deleted. In order to create the new service with the same name, you have to either undelete the service or purge it. See https://aka.ms/apimsoftdelete.", name)
		}},
	{typ: "Microsoft.AppConfiguration/configurationStores", collection: "deletedConfigurationStores", purgeByPost: true, recoverPath: "properties.createMode", recoverValue: "Recover",
		code: "NameUnavailable", message: func(name, id string) string {
			return "The specified name is already in use."
		}},
}

func softDeleteKindOf(typ string) *softDeleteKind {
	for i := range softDeleteKinds {
		if strings.EqualFold(softDeleteKinds[i].typ, typ) {
			return &softDeleteKinds[i]
		}
	}
	return nil
}

// deletedResource is a soft-deleted resource.
type deletedResource struct {
	res       *Resource
	sub, rg   string
	location  string
	deletedAt time.Time
}

// recordKey is where a deleted resource of kind k is held: by name in the
// subscription, or, for a kind whose deleted resources live in a group
// (Cognitive Services: .../locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}),
// by location, group and name, so that accounts of one name in two groups
// are two records.
func (k *softDeleteKind) recordKey(sub, rg, location, name string) string {
	if k.inGroup {
		return strings.ToLower(sub + "/" + k.typ + "/" + NormalizeLocation(location) + "/" + rg + "/" + name)
	}
	return strings.ToLower(sub + "/" + k.typ + "/" + name)
}

// keepDeleted records the resource at key k as soft-deleted when it is of
// a soft-deleting type. Callers hold the world lock.
func (s *Server) keepDeleted(k string) {
	if !s.opts.SoftDelete {
		return
	}
	res, ok := s.world.resources[k]
	if !ok {
		return
	}
	kind := softDeleteKindOf(res.Type)
	if kind == nil {
		return
	}
	t, err := parseTarget(res.ID)
	if err != nil {
		return
	}
	loc, _ := res.Body["location"].(string)
	s.deleted[kind.recordKey(t.subscription, t.resourceGroup, loc, t.name)] = &deletedResource{
		res: &Resource{ID: res.ID, Type: res.Type, Body: deepCopy(res.Body).(map[string]any)},
		sub: t.subscription, rg: t.resourceGroup, location: NormalizeLocation(loc), deletedAt: s.opts.Now().UTC(),
	}
}

// softDeletedCreate checks a PUT that creates t against the soft-deleted
// resources. When one holds the name, it answers and returns false: the
// service's conflict, or, when body asks to recover it, 201 with the
// resource restored as it was when deleted. Otherwise it returns body and
// true, and the PUT goes on. Callers hold the world lock.
func (s *Server) softDeletedCreate(w http.ResponseWriter, t target, body map[string]any) (map[string]any, bool) {
	kind := softDeleteKindOf(t.typ)
	if !s.opts.SoftDelete || kind == nil {
		return body, true
	}
	loc, _ := body["location"].(string)
	k := kind.recordKey(t.subscription, t.resourceGroup, loc, t.name)
	d, held := s.deleted[k]
	flag, _ := getPath(body, kind.recoverPath)
	recovering := flag != nil && strings.EqualFold(fmt.Sprint(flag), fmt.Sprint(kind.recoverValue))
	switch {
	case held && recovering:
		// It comes back as it was when deleted (the request's other values
		// are ignored, as the services do), with a new etag.
		delete(s.deleted, k)
		body := deepCopy(d.res.Body).(map[string]any)
		body["id"] = t.id
		if _, ok := body["etag"]; ok {
			body["etag"] = `W/"` + uuid.NewString() + `"`
		}
		res := &Resource{ID: t.id, Type: d.res.Type, Body: body}
		s.world.resources[key(t.id)] = res
		writeResource(w, http.StatusCreated, s.render(res))
		return nil, false
	case held:
		writeError(w, http.StatusConflict, kind.code, kind.message(t.name, t.id))
		return nil, false
	case recovering:
		writeError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("There is no soft-deleted resource named '%s' to recover.", t.name))
		return nil, false
	}
	return body, true
}

// softDeleteRoute answers GET, purge and DELETE of deleted resources; it
// reports whether the path was one.
func (s *Server) softDeleteRoute(w http.ResponseWriter, r *http.Request) bool {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// subscriptions/{s}/providers/{ns}/locations/{loc}/[resourceGroups/{rg}/]{collection}/{name}[/purge]
	if len(segs) < 8 || !strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "providers") || !strings.EqualFold(segs[4], "locations") {
		return false
	}
	sub, ns, loc := segs[1], segs[3], segs[5]
	rest := segs[6:]
	rg := ""
	if len(rest) >= 4 && strings.EqualFold(rest[0], "resourceGroups") {
		rg, rest = rest[1], rest[2:]
	}
	if len(rest) < 2 || len(rest) > 3 {
		return false
	}
	var kind *softDeleteKind
	for i := range softDeleteKinds {
		k := &softDeleteKinds[i]
		if strings.EqualFold(k.collection, rest[0]) && strings.HasPrefix(strings.ToLower(k.typ), strings.ToLower(ns)+"/") && k.inGroup == (rg != "") {
			kind = k
		}
	}
	if kind == nil {
		return false
	}
	name := rest[1]
	var allowed bool
	if len(rest) == 3 {
		allowed = strings.EqualFold(rest[2], "purge") && r.Method == http.MethodPost && kind.purgeByPost
	} else {
		allowed = r.Method == http.MethodGet || (r.Method == http.MethodDelete && !kind.purgeByPost)
	}
	if !allowed {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The method %s is not supported on %s.", r.Method, r.URL.Path))
		return true
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	k := kind.recordKey(sub, rg, loc, name)
	d, ok := s.deleted[k]
	if ok && (!strings.EqualFold(d.location, NormalizeLocation(loc)) || (rg != "" && !strings.EqualFold(d.rg, rg))) {
		ok = false
	}
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The deleted resource '%s' could not be found in location '%s'.", name, loc))
		return true
	}
	if r.Method != http.MethodGet {
		delete(s.deleted, k)
		w.WriteHeader(http.StatusOK)
		return true
	}
	id := strings.TrimSuffix(r.URL.Path, "/")
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "name": name, "type": ns + "/locations/" + kind.collection,
		"properties": map[string]any{
			"resourceId": d.res.ID, "location": d.location,
			"deletionDate":       d.deletedAt.Format(time.RFC3339),
			"scheduledPurgeDate": d.deletedAt.Add(90 * 24 * time.Hour).Format(time.RFC3339),
		},
	})
	return true
}
