// Package limits holds the bounds azapply puts on input it does not trust:
// how deeply a body (a JSON document read by jsondecode, a live body ARM
// answers) or an HCL expression may nest. A bound turns input built to
// exhaust memory or the stack into a clear error. It is a leaf package:
// config (HCL) and arm (HTTP) both use it and know nothing of each other.
package limits

import "fmt"

// MaxDepth is how deeply objects, arrays, parentheses and templates may
// nest. The deepest real ARM body in the examples azapply is measured on
// (testdata/arm-examples, a virtual machine scale set) nests 11 levels;
// 64 leaves room for any real one.
const MaxDepth = 64

// DepthError says that input nests deeper than MaxDepth, and where.
type DepthError struct {
	// Offset is the byte offset where the limit was passed.
	Offset int
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("nests deeper than %d levels (at byte %d); azapply reads no deeper: real ARM bodies nest about a dozen", MaxDepth, e.Offset)
}

// CheckJSON returns a *DepthError when the JSON text in data nests objects
// and arrays deeper than MaxDepth. It reads data once, without decoding
// it; text that is not JSON is left for the decoder to refuse.
func CheckJSON(data []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDepth {
				return &DepthError{Offset: i}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
