package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Resource provider registration. With Options.Unregistered, the listed
// namespaces start unregistered in every subscription: a PUT of one of
// their types answers 409 MissingSubscriptionRegistration, worded as ARM
// words it, until the subscription registers the namespace with
// POST /subscriptions/{s}/providers/{ns}/register. GET
// /subscriptions/{s}/providers/{ns} shows registrationState: Registering
// for Options.RegistrationDelay (by Options.Now), then Registered.
// Namespaces not listed are Registered.

// registrations tracks, per subscription and namespace (lower case), when
// a registration started.
type registrations struct {
	mu      sync.Mutex
	started map[string]time.Time
}

func regKey(sub, ns string) string { return strings.ToLower(sub + "/" + ns) }

// listedUnregistered reports whether ns starts unregistered.
func (s *Server) listedUnregistered(ns string) bool {
	for _, u := range s.opts.Unregistered {
		if strings.EqualFold(u, ns) {
			return true
		}
	}
	return false
}

// registrationState is the namespace's state in the subscription.
func (s *Server) registrationState(sub, ns string) string {
	if !s.listedUnregistered(ns) {
		return "Registered"
	}
	s.regs.mu.Lock()
	defer s.regs.mu.Unlock()
	at, ok := s.regs.started[regKey(sub, ns)]
	switch {
	case !ok:
		return "NotRegistered"
	case s.opts.Now().Sub(at) < s.opts.RegistrationDelay:
		return "Registering"
	}
	return "Registered"
}

// providerRoute answers GET /subscriptions/{s}/providers/{ns} and POST
// .../{ns}/register (and unregister); it reports whether the path was one.
func (s *Server) providerRoute(w http.ResponseWriter, r *http.Request) bool {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) < 4 || !strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "providers") {
		return false
	}
	sub, ns := segs[1], segs[3]
	switch {
	case len(segs) == 4 && r.Method == http.MethodGet:
	case len(segs) == 5 && r.Method == http.MethodPost && strings.EqualFold(segs[4], "register"):
		if s.listedUnregistered(ns) {
			s.regs.mu.Lock()
			if _, ok := s.regs.started[regKey(sub, ns)]; !ok {
				s.regs.started[regKey(sub, ns)] = s.opts.Now()
			}
			s.regs.mu.Unlock()
		}
	case len(segs) == 5 && r.Method == http.MethodPost && strings.EqualFold(segs[4], "unregister"):
		s.regs.mu.Lock()
		delete(s.regs.started, regKey(sub, ns))
		s.regs.mu.Unlock()
	default:
		return false
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":                 "/subscriptions/" + sub + "/providers/" + ns,
		"namespace":          ns,
		"registrationState":  s.registrationState(sub, ns),
		"registrationPolicy": "RegistrationRequired",
	})
	return true
}

// unregistered answers 409 MissingSubscriptionRegistration when the
// namespace of t is not registered in its subscription, and reports
// whether it did.
func (s *Server) unregistered(w http.ResponseWriter, t target) bool {
	if len(s.opts.Unregistered) == 0 || t.subscription == "" {
		return false
	}
	ns, _, _ := strings.Cut(t.typ, "/")
	if s.registrationState(t.subscription, ns) == "Registered" {
		return false
	}
	msg := fmt.Sprintf("The subscription is not registered to use namespace '%s'. See https://aka.ms/rps-not-found for how to register subscriptions.", ns)
	writeJSON(w, http.StatusConflict, armError{Error: ErrorDetail{Code: "MissingSubscriptionRegistration", Message: msg,
		Details: []ErrorDetail{{Code: "MissingSubscriptionRegistration", Target: ns, Message: msg}}}})
	return true
}
