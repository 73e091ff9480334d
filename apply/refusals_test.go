package apply

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/plan"
)

func TestRefusedPaths(t *testing.T) {
	change := &plan.Change{Paths: []plan.PathChange{{Path: "properties.principalId"}, {Path: "properties.description"}, {Path: "tags.env"}}}
	cases := []struct {
		name string
		err  *arm.Error
		want []string
	}{
		{"by target", &arm.Error{Code: "PropertyChangeNotAllowed", Target: "properties.principalId", Message: "Changing property 'properties.principalId' is not allowed."}, []string{"properties.principalId"}},
		{"by last segment, quoted", &arm.Error{Code: "PropertyChangeNotAllowed", Message: "Changing property 'principalId' is not allowed."}, []string{"properties.principalId"}},
		{"in a detail", &arm.Error{Code: "BadRequest", Details: []arm.ErrorDetail{{Code: "PropertyChangeNotAllowed", Target: "description"}}}, []string{"properties.description"}},
		{"names none of several", &arm.Error{Code: "RoleAssignmentUpdateNotPermitted", Message: "Tenant ID, application ID, principal ID, and scope are not allowed to be updated."}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ae, ok := refusesInPlace(fmt.Errorf("wrapped: %w", tc.err))
			if !ok {
				t.Fatal("not seen as a refusal")
			}
			if got := refusedPaths(ae, change); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("paths %v, want %v", got, tc.want)
			}
		})
	}
	one := &plan.Change{Paths: []plan.PathChange{{Path: "properties.principalId"}}}
	if got := refusedPaths(cases[3].err, one); !reflect.DeepEqual(got, []string{"properties.principalId"}) {
		t.Errorf("a refusal of an update that changes one path: %v", got)
	}
	if _, ok := refusesInPlace(&arm.Error{Code: "InvalidParameter"}); ok {
		t.Error("another error was seen as a refusal")
	}
}

func TestMissingRegistration(t *testing.T) {
	const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Cache/redis/r1"
	msg := "The subscription is not registered to use namespace 'Microsoft.Cache'. See https://aka.ms/rps-not-found for how to register subscriptions."
	sub, ns, ok := missingRegistration(&arm.Error{StatusCode: 409, Code: "MissingSubscriptionRegistration", Message: msg,
		Details: []arm.ErrorDetail{{Code: "MissingSubscriptionRegistration", Target: "Microsoft.Cache", Message: msg}}}, id)
	if !ok || sub != "s1" || ns != "Microsoft.Cache" {
		t.Fatalf("got %q %q %v", sub, ns, ok)
	}
	if _, _, ok := missingRegistration(errors.New("other"), id); ok {
		t.Error("another error was seen as a missing registration")
	}
}
