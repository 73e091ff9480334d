package apply

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// TestSerializedChildrenLeaveSlotsFree: subnets of one network are written
// one at a time; those waiting their turn must not hold the parallelism
// slots, so independent resources run beside them and end long before the
// last subnet starts.
func TestSerializedChildrenLeaveSlotsFree(t *testing.T) {
	vnet := sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
	p := &plan.Plan{}
	for i := range 6 {
		p.Changes = append(p.Changes, create(fmt.Sprintf("resource.subnet%d", i), fmt.Sprintf("%s/subnets/s%d", vnet, i)))
	}
	for i := range 6 {
		p.Changes = append(p.Changes, create(fmt.Sprintf("resource.ip%d", i), fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip%d", sub, i)))
	}
	f := newFake()
	f.delay = 20 * time.Millisecond
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New(), Parallelism: 3}); err != nil {
		t.Fatal(err)
	}
	var lastIP time.Time
	for i := range 6 {
		if end := f.finished["PUT "+strings.ToLower(fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip%d", sub, i))]; end.After(lastIP) {
			lastIP = end
		}
	}
	lastSubnet := f.startedAt["PUT "+strings.ToLower(vnet+"/subnets/s5")]
	if lastIP.IsZero() || lastSubnet.IsZero() || !lastIP.Before(lastSubnet) {
		t.Errorf("the last public IP ended at %v, after the last subnet started at %v: waiting subnets held the slots",
			lastIP.Format(time.StampMicro), lastSubnet.Format(time.StampMicro))
	}
	if f.peak > 3 {
		t.Errorf("peak concurrency %d exceeds the parallelism of 3", f.peak)
	}
}

// TestSerializedChainStartsFirst: subnets that become ready after many
// independent resources start before those, so that their chain, one at a
// time, does not begin only when everything else is done.
func TestSerializedChainStartsFirst(t *testing.T) {
	vnet := sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
	p := &plan.Plan{Changes: []*plan.Change{create("resource.vnet", vnet)}}
	for i := range 12 {
		p.Changes = append(p.Changes, create(fmt.Sprintf("resource.ip%d", i), fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip%d", sub, i)))
	}
	for i := range 3 {
		p.Changes = append(p.Changes, create(fmt.Sprintf("resource.subnet%d", i), fmt.Sprintf("%s/subnets/s%d", vnet, i), "resource.vnet"))
	}
	f := newFake()
	f.delay = 10 * time.Millisecond
	if _, err := Run(context.Background(), Options{Plan: p, Client: f, State: state.New(), Parallelism: 2}); err != nil {
		t.Fatal(err)
	}
	firstSubnet := f.startedAt["PUT "+strings.ToLower(vnet+"/subnets/s0")]
	lastIP := f.startedAt["PUT "+strings.ToLower(fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip11", sub))]
	if firstSubnet.IsZero() || lastIP.IsZero() || !firstSubnet.Before(lastIP) {
		t.Errorf("the first subnet started at %v, after the last public IP at %v: the chain waited behind independent writes",
			firstSubnet.Format(time.StampMicro), lastIP.Format(time.StampMicro))
	}
}
