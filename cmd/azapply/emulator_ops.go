package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/emulator"
)

// opsServeFlags are the emulator serve flags that switch on ARM's
// refusals: immutable properties, locks, unregistered providers, soft
// delete, policy.
type opsServeFlags struct {
	immutable         []string
	locks             bool
	unregistered      []string
	registrationDelay time.Duration
	softDelete        bool
	denyTypes         []string
	allowedLocations  []string
}

func (f *opsServeFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.denyTypes, "policy-deny-type", nil, "a resource `type` (or namespace ending in /) a deny policy refuses: 403 RequestDisallowedByPolicy with additionalInfo; repeat for more")
	fs.StringArrayVar(&f.allowedLocations, "policy-allowed-location", nil, "a `location` an allowed-locations policy accepts (others are denied); repeat for more")
	fs.BoolVar(&f.softDelete, "soft-delete", false, "keep deleted Key Vaults, Cognitive Services accounts, API Management services and App Configuration stores soft-deleted, holding their names until recovered or purged")
	fs.StringArrayVar(&f.unregistered, "unregistered", nil, "a resource provider `namespace` the subscription starts unregistered for (409 MissingSubscriptionRegistration until it registers); repeat for more")
	fs.DurationVar(&f.registrationDelay, "registration-delay", 10*time.Second, "how long a registration stays Registering before Registered")
	fs.BoolVar(&f.locks, "locks", false, "enforce management locks (Microsoft.Authorization/locks): CanNotDelete refuses deletes with 409 ScopeLocked, ReadOnly also writes")
	fs.StringArrayVar(&f.immutable, "immutable", nil, "a property the provider refuses to change, as `TYPE:PATH[:CODE]` (e.g. Microsoft.ContainerRegistry/registries:properties.zoneRedundancy); repeat for more")
}

// apply sets the options the flags ask for.
func (f *opsServeFlags) apply(opts *emulator.Options) error {
	opts.Locks, opts.SoftDelete = f.locks, f.softDelete
	if len(f.denyTypes) > 0 || len(f.allowedLocations) > 0 {
		opts.Policy = &emulator.Policy{DeniedTypes: f.denyTypes, AllowedLocations: f.allowedLocations}
	}
	opts.Unregistered, opts.RegistrationDelay = f.unregistered, f.registrationDelay
	if f.registrationDelay < 0 {
		return fmt.Errorf("--registration-delay %s cannot be negative", f.registrationDelay)
	}
	for _, v := range f.immutable {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return fmt.Errorf("--immutable %q: write it as TYPE:PATH or TYPE:PATH:CODE, e.g. Microsoft.ContainerRegistry/registries:properties.zoneRedundancy", v)
		}
		p := emulator.ImmutableProperty{Type: parts[0], Path: parts[1]}
		if len(parts) == 3 {
			p.Code = parts[2]
		}
		opts.Immutable = append(opts.Immutable, p)
	}
	return nil
}
