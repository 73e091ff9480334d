package arm

import "testing"

// TestProvisioningStateFromTheDecodedBody: reading provisioningState from
// the decoded body gives what parsing the raw body for it gives.
func TestProvisioningStateFromTheDecodedBody(t *testing.T) {
	for _, raw := range []string{
		``,
		`{}`,
		`[]`,
		`{"properties":{"provisioningState":"Succeeded"}}`,
		`{"properties":{"provisioningState":"Creating"},"name":"x"}`,
		`{"Properties":{"ProvisioningState":"Failed"}}`,
		`{"properties":{"provisioningState":42}}`,
		`{"properties":"nope"}`,
		`{"properties":null}`,
		`{"provisioningState":"Succeeded"}`,
		`{"properties":{"status":{"provisioningState":"Deleting"}}}`,
	} {
		r := &Response{}
		if raw != "" {
			var v any
			if err := unmarshalBody([]byte(raw), &v); err != nil {
				t.Fatal(err)
			}
			r.Raw = []byte(raw)
			r.Body, _ = v.(map[string]any)
		}
		if got, want := r.provisioningState(), provisioningState([]byte(raw)); got != want {
			t.Errorf("%s: %q, parsing the raw body gives %q", raw, got, want)
		}
	}
}
