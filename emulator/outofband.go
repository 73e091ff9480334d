package emulator

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned by the out-of-band API for a resource that does
// not exist.
var ErrNotFound = errors.New("no such resource in the emulator")

// portalUser is who systemData says made an out-of-band change.
const portalUser = "portal-user@example.com"

// ChangeOutOfBand merges patch (an RFC 7396 JSON merge patch: null removes
// a value) into the resource with the given ID, as if someone changed it
// in the portal: the type's rules apply as for any write, the etag
// changes, and systemData names another user. Drift tests use it.
func (s *Server) ChangeOutOfBand(id string, patch map[string]any) error {
	t, err := parseTarget(id)
	if err != nil {
		return fmt.Errorf("changing %s out of band: %w", id, err)
	}
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	res, ok := s.world.get(id)
	if !ok {
		return fmt.Errorf("changing %s out of band: %w", id, ErrNotFound)
	}
	t.id = res.ID // keep the casing the resource was created with
	merged := mergePatch(deepCopy(res.Body).(map[string]any), patch)
	wr, detail := s.serverBody(t, merged, res.Body)
	if detail == nil {
		detail = s.inUse(s.dropped(wr, false))
	}
	if detail != nil {
		return fmt.Errorf("changing %s out of band: %s: %s", id, detail.Code, detail.Message)
	}
	if sys, ok := wr.body["systemData"].(map[string]any); ok {
		sys["lastModifiedBy"] = portalUser
	}
	s.store(wr, false)
	return nil
}

// DeleteOutOfBand deletes the resource with the given ID and everything
// under it, as if someone deleted it in the portal: it is refused, as
// there, when it would delete a subnet still in use.
func (s *Server) DeleteOutOfBand(id string) error {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	if _, ok := s.world.get(id); !ok {
		return fmt.Errorf("deleting %s out of band: %w", id, ErrNotFound)
	}
	if detail := s.inUse(append(s.world.under(id), id)); detail != nil {
		return fmt.Errorf("deleting %s out of band: %s: %s", id, detail.Code, detail.Message)
	}
	s.remove(id)
	return nil
}
