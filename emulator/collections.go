package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// collection is a list request: every resource of typ (all types when
// empty) under scope, or only the direct children of a parent resource.
type collection struct {
	scope  target
	typ    string
	direct bool
}

// parseCollection recognises collection paths: .../resourceGroups,
// .../resources, .../providers/{ns}/{type} under a subscription or a
// resource group, and {resourceId}/{childType}.
func parseCollection(path string) (collection, bool) {
	p := strings.Trim(path, "/")
	segs := strings.Split(p, "/")
	n := len(segs)
	if n < 3 || !strings.EqualFold(segs[0], "subscriptions") {
		return collection{}, false
	}
	scopeOf := func(segs []string) (target, bool) {
		t, err := parseTarget("/" + strings.Join(segs, "/"))
		return t, err == nil
	}
	switch {
	case n == 3 && strings.EqualFold(segs[2], "resourceGroups"):
		sc, _ := scopeOf(segs[:2])
		return collection{scope: sc, typ: resourceGroupType, direct: true}, true
	case strings.EqualFold(segs[n-1], "resources") && (n == 3 || (n == 5 && strings.EqualFold(segs[2], "resourceGroups"))):
		sc, ok := scopeOf(segs[:n-1])
		return collection{scope: sc}, ok
	case n >= 5 && strings.EqualFold(segs[n-3], "providers"):
		sc, ok := scopeOf(segs[:n-3])
		return collection{scope: sc, typ: segs[n-2] + "/" + segs[n-1]}, ok
	}
	parent, ok := scopeOf(segs[:n-1])
	if !ok || parent.typ == "Microsoft.Resources/subscriptions" || parent.typ == resourceGroupType {
		return collection{}, false
	}
	return collection{scope: parent, typ: parent.typ + "/" + segs[n-1], direct: true}, true
}

// list answers a collection GET with {"value": [...], "nextLink": ...}.
func (s *Server) list(w http.ResponseWriter, r *http.Request, c collection) {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if c.scope.typ != "Microsoft.Resources/subscriptions" {
		// A parent whose delete has run its time is gone before its
		// children are listed.
		s.finishDueAt(c.scope.id)
		if code, msg, ok := s.missingScope(c.scope); !ok {
			writeError(w, http.StatusNotFound, code, msg)
			return
		}
		if _, ok := s.world.get(c.scope.id); !ok {
			writeError(w, http.StatusNotFound, resourceNotFoundCode(c.scope), notFoundMessage(c.scope))
			return
		}
	}
	if rule := s.rule(c.typ); c.typ != "" && rule.ListError != nil {
		status := rule.ListStatus
		if status == 0 {
			status = http.StatusForbidden
		}
		writeError(w, status, rule.ListError.Code, rule.ListError.Message)
		return
	}
	prefix := key(c.scope.id) + "/"
	// Operations that are due end before the list is read, as a GET of
	// each member would end them.
	s.finishDueUnder(prefix)
	type item struct {
		k   string
		res *Resource
	}
	var items []item
	for k, res := range s.world.resources {
		if !strings.HasPrefix(k, prefix) || (c.typ != "" && !strings.EqualFold(res.Type, c.typ)) {
			continue
		}
		if c.direct && strings.Count(k[len(prefix):], "/") > 1 {
			continue
		}
		if c.typ == "" && (res.Type == resourceGroupType || strings.EqualFold(res.Type, lockType)) {
			continue // ARM's resources list holds neither groups nor locks
		}
		items = append(items, item{k, res})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].k < items[j].k })
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if skip < 0 || skip > len(items) {
		skip = len(items)
	}
	end := min(skip+s.opts.PageSize, len(items))
	value := make([]any, 0, end-skip)
	for _, it := range items[skip:end] {
		item := s.render(it.res)
		for _, p := range s.rule(it.res.Type).ListOmits {
			deletePath(item, p)
		}
		value = append(value, item)
	}
	out := map[string]any{"value": value}
	if end < len(items) {
		q := url.Values{"api-version": {r.URL.Query().Get("api-version")}, "$skiptoken": {strconv.Itoa(end)}}
		out["nextLink"] = s.baseURL(r) + r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}
