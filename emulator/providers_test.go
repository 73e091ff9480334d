package emulator

import (
	"testing"
	"time"
)

func TestProviderRegistration(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, Options{Unregistered: []string{"Microsoft.ContainerRegistry"}, RegistrationDelay: time.Minute, Now: func() time.Time { return now }})
	c.createRG()
	r := c.do("PUT", acrID, acrBody()).must(t, 409)
	if r.errorCode() != "MissingSubscriptionRegistration" || r.str("error.message") != "The subscription is not registered to use namespace 'Microsoft.ContainerRegistry'. See https://aka.ms/rps-not-found for how to register subscriptions." {
		t.Fatalf("unregistered PUT: %s", r.raw)
	}
	prov := sub + "/providers/Microsoft.ContainerRegistry"
	state := func() string {
		return c.do("GET", prov+"?api-version=2021-04-01", nil).must(t, 200).str("registrationState")
	}
	if st := state(); st != "NotRegistered" {
		t.Fatalf("before registering: %s", st)
	}
	if st := c.do("POST", prov+"/register?api-version=2021-04-01", nil).must(t, 200).str("registrationState"); st != "Registering" {
		t.Fatalf("register answered %s", st)
	}
	c.do("PUT", acrID, acrBody()).must(t, 409)
	now = now.Add(time.Minute)
	if st := state(); st != "Registered" {
		t.Fatalf("after the delay: %s", st)
	}
	c.do("PUT", acrID, acrBody()).must(t, 201)
	if st := c.do("GET", sub+"/providers/Microsoft.Network?api-version=2021-04-01", nil).must(t, 200).str("registrationState"); st != "Registered" {
		t.Fatalf("a namespace not listed: %s", st)
	}
}
