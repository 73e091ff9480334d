package limits

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		in      string
		tooDeep bool
	}{
		{`{"a":{"b":[1,2,{"c":"d"}]}}`, false},
		{deep(MaxDepth), false},
		{deep(MaxDepth + 1), true},
		{deep(5000), true},
		{`{"s":"` + strings.Repeat("[", 200) + `"}`, false}, // brackets in a string
		{`{"s":"a\"[[[[` + strings.Repeat("{", 100) + `"}`, false},
		{`not json [[[`, false},
	}
	for _, tt := range tests {
		err := CheckJSON([]byte(tt.in))
		var de *DepthError
		if got := errors.As(err, &de); got != tt.tooDeep {
			t.Errorf("CheckJSON(%.40q) = %v, want too deep %v", tt.in, err, tt.tooDeep)
		}
	}
}
