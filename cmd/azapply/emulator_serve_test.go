package main

import (
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

func TestServeConsistencyAndThrottleFlags(t *testing.T) {
	o := serveOptions{operations: "realistic", throttle: true, readRate: 5, readAfterCreate: 5 * time.Second,
		lingeringDelete: 10 * time.Second, principalDelay: 30 * time.Second}
	opts, err := o.emulatorOptions()
	if err != nil {
		t.Fatal(err)
	}
	want := emulator.Consistency{ReadAfterCreate: 5 * time.Second, LingeringDelete: 10 * time.Second, PrincipalDelay: 30 * time.Second}
	if opts.Consistency != want || opts.Throttle == nil || opts.Throttle.ReadRate != 5 || opts.Throttle.WriteRate != 10 || !opts.TimedOperations {
		t.Errorf("options %+v (throttle %+v)", opts, opts.Throttle)
	}
	for _, bad := range []serveOptions{
		{operations: "sync", readRate: 5},
		{operations: "sync", throttle: true, readRate: -1},
		{operations: "sync", principalDelay: -time.Second},
	} {
		if _, err := bad.emulatorOptions(); err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: err = %v, want it to name the flag", bad, err)
		}
	}
}
