package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// ErrConnectionDropped is what the in-process transport returns when a
// fault drops the connection mid-response: the same kind of failure a
// network client sees as an unexpected EOF.
var ErrConnectionDropped = errors.New("emulator: the connection was dropped mid-response")

// Transport returns an http.RoundTripper that serves every request in-process
// with this emulator, whatever host the URL names. It lets an https client
// (azcore refuses bearer tokens over plain http) reach the emulator with no
// socket and no certificate. A dropped connection surfaces as an error
// wrapping ErrConnectionDropped and io.ErrUnexpectedEOF.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler { //nolint:errorlint // a sentinel value passed to panic
				panic(p)
			}
			resp, err = nil, fmt.Errorf("%s %s: %w: %w", req.Method, req.URL.Redacted(), ErrConnectionDropped, io.ErrUnexpectedEOF)
		}
	}()
	t.h.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status  int
	dropped bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets a dropped response reach the client before the connection
// closes.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// dropMidResponse serves the request in full (so that it takes effect),
// then sends the status line, the headers and half of the body, and aborts
// the connection.
func dropMidResponse(w *statusWriter, r *http.Request, serve http.HandlerFunc) {
	buf := httptest.NewRecorder()
	serve(buf, r)
	for k, v := range buf.Header() {
		w.Header()[k] = v
	}
	body := buf.Body.Bytes()
	if len(body) > 0 {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(buf.Code)
		_, _ = w.Write(body[:len(body)/2])
		w.Flush()
	} else {
		w.status = buf.Code
	}
	panic(http.ErrAbortHandler)
}
