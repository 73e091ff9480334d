package secret

import (
	"strings"
	"testing"
)

func TestValuesRedact(t *testing.T) {
	var v Values
	v.Add("hunter2-pw", `quo"te`, "ab")
	tests := []struct{ in, want string }{
		{"the password hunter2-pw is too weak", "the password (sensitive value) is too weak"},
		{`{"adminPassword":"hunter2-pw"}`, `{"adminPassword":"(sensitive value)"}`},
		{`body {"tag":"quo\"te"}`, `body {"tag":"(sensitive value)"}`},
		{"cut short: hunter2...", "cut short: (sensitive value)..."},
		{"ab is too short to be searched", "ab is too short to be searched"},
		{"nothing here", "nothing here"},
	}
	for _, tt := range tests {
		if got := v.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var none *Values
	if got := none.Redact("x hunter2-pw"); !strings.Contains(got, "hunter2-pw") {
		t.Error("a nil Values changed the text")
	}
}
