package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// adminPrefix is where the emulator's own control API lives, outside ARM's
// URL space. It takes the same bearer token as ARM requests and is never
// throttled or faulted:
//
//	POST /_emulator/out-of-band  {"id": ID, "merge": {...}} or {"id": ID, "delete": true}
//	GET  /_emulator/world        the world, as SaveFile writes it
//	GET  /_emulator/counters     the request counters
const adminPrefix = "/_emulator/"

// OutOfBandChange is the body of POST /_emulator/out-of-band.
type OutOfBandChange struct {
	ID     string         `json:"id"`
	Merge  map[string]any `json:"merge,omitempty"`
	Delete bool           `json:"delete,omitempty"`
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == adminPrefix+"out-of-band":
		s.adminOutOfBand(w, r)
	case r.Method == http.MethodGet && r.URL.Path == adminPrefix+"world":
		data, err := s.MarshalWorld()
		if err != nil {
			writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(data)
	case r.Method == http.MethodGet && r.URL.Path == adminPrefix+"counters":
		writeJSON(w, http.StatusOK, s.Counters())
	default:
		writeError(w, http.StatusNotFound, "NotFound", "No such emulator control endpoint: "+r.Method+" "+r.URL.Path)
	}
}

func (s *Server) adminOutOfBand(w http.ResponseWriter, r *http.Request) {
	var c OutOfBandChange
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The body must be {\"id\": ..., \"merge\": {...}} or {\"id\": ..., \"delete\": true}: "+err.Error())
		return
	case c.ID == "" || (c.Delete == (c.Merge != nil)):
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "Give an id and exactly one of merge (an object) or delete (true).")
		return
	}
	if c.Delete {
		err = s.DeleteOutOfBand(c.ID)
	} else {
		err = s.ChangeOutOfBand(c.ID, c.Merge)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "ResourceNotFound", err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", err.Error())
	case c.Delete:
		w.WriteHeader(http.StatusNoContent)
	default:
		res, _ := s.Resource(c.ID)
		writeResource(w, http.StatusOK, res.Body)
	}
}
