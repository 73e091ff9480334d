package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	cands := []string{"plan", "apply", "destroy", "version"}
	cases := []struct{ in, want string }{
		{"plna", "plan"}, {"aply", "apply"}, {"destory", "destroy"}, {"versoin", "version"}, {"frobnicate", ""},
	}
	for _, tc := range cases {
		if got := nearest(tc.in, cands); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"aply"}, &IOStreams{Out: &out, Err: &errb})
	if code != exitError || !strings.Contains(errb.String(), `Did you mean "apply"?`) {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &IOStreams{Out: &out, Err: &out}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"azapply ", "commit ", "go1."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q: %q", want, out.String())
		}
	}
}
