package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
)

// ProvidersAPIVersion is the api-version of provider registration.
const ProvidersAPIVersion = "2021-04-01"

// DefaultRegisterWait bounds the wait for a namespace to be Registered.
const DefaultRegisterWait = 10 * time.Minute

var namespaceInMessage = regexp.MustCompile(`namespace '([^']+)'`)

// missingRegistration returns the subscription and the namespace that
// ARM's MissingSubscriptionRegistration names, when err is one.
func missingRegistration(err error, id string) (sub, ns string, ok bool) {
	var ae *arm.Error
	if !errors.As(err, &ae) || !strings.EqualFold(ae.Code, "MissingSubscriptionRegistration") {
		return "", "", false
	}
	parsed, perr := armid.Parse(id)
	if perr == nil {
		sub, ns = parsed.SubscriptionID(), parsed.Namespace()
	}
	for _, d := range ae.Details {
		if strings.EqualFold(d.Code, "MissingSubscriptionRegistration") && d.Target != "" {
			ns = d.Target
		}
	}
	if m := namespaceInMessage.FindStringSubmatch(ae.Message); m != nil {
		ns = m[1]
	}
	return sub, ns, sub != "" && ns != ""
}

// registrationHint words what to do about a namespace the subscription is
// not registered for.
func registrationHint(err error, sub, ns string) error {
	return fmt.Errorf("%w\nThe subscription %s is not registered for the resource provider %s. Register it once with: az provider register --namespace %s --subscription %s --wait (or set register_providers = true in the provider block, and apply registers it and waits)",
		err, sub, ns, ns, sub)
}

// registrar registers each namespace at most once per run, however many
// resources need it at once.
type registrar struct {
	mu   sync.Mutex
	regs map[string]*registration
}

type registration struct {
	done chan struct{}
	err  error
}

// registerWrite sends req, and when ARM answers that the subscription is
// not registered for the resource's namespace: with RegisterProviders,
// registers it, waits until it is Registered and sends req again; without
// it, fails saying how to register.
func (r *runner) registerWrite(ctx context.Context, address string, req arm.Request) (*arm.Response, error) {
	live, err := r.o.Client.Do(ctx, req)
	sub, ns, missing := missingRegistration(err, req.ID)
	if !missing {
		return live, err
	}
	if !r.o.RegisterProviders {
		return nil, registrationHint(err, sub, ns)
	}
	if rerr := r.register(ctx, address, sub, ns); rerr != nil {
		return nil, fmt.Errorf("%w\nregistering the resource provider %s (register_providers = true): %w", err, ns, rerr)
	}
	return r.o.Client.Do(ctx, req)
}

// register registers ns in sub and waits for Registered; concurrent calls
// for one namespace share one registration.
func (r *runner) register(ctx context.Context, address, sub, ns string) error {
	k := armid.Key("/subscriptions/" + sub + "/providers/" + ns)
	r.regs.mu.Lock()
	if r.regs.regs == nil {
		r.regs.regs = map[string]*registration{}
	}
	reg, started := r.regs.regs[k]
	if !started {
		reg = &registration{done: make(chan struct{})}
		r.regs.regs[k] = reg
	}
	r.regs.mu.Unlock()
	if started {
		select {
		case <-reg.done:
			return reg.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	reg.err = r.registerAndWait(ctx, address, sub, ns)
	close(reg.done)
	return reg.err
}

func (r *runner) registerAndWait(ctx context.Context, address, sub, ns string) error {
	start := r.o.Now()
	r.o.Reporter.Report(Event{Time: start, Kind: EventWarning, Address: address, Message: fmt.Sprintf(
		"the subscription is not registered for %s: registering it (register_providers = true) and waiting until it is Registered", ns)})
	id := "/subscriptions/" + sub + "/providers/" + ns
	if _, err := r.o.Client.Do(ctx, arm.Request{Method: http.MethodPost, ID: id + "/register", APIVersion: ProvidersAPIVersion}); err != nil {
		return err
	}
	wait := r.o.RegisterPoll
	if wait <= 0 {
		wait = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultRegisterWait)
	defer cancel()
	for {
		resp, err := r.o.Client.Get(ctx, id, ProvidersAPIVersion)
		if err != nil {
			return err
		}
		st, _ := resp.Body["registrationState"].(string)
		if strings.EqualFold(st, "Registered") {
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
				"%s is registered (after %s); sending the request again", ns, seconds(r.o.Now().Sub(start)))})
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s was still %s after %s: check it with az provider show --namespace %s, then run apply again: %w", ns, st, DefaultRegisterWait, ns, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 15*time.Second)
	}
}
