package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// armState is the encoded state of n resources shaped like ARM's public IP
// addresses: the same keys and many of the same values in each, and IDs,
// etags and GUIDs that differ.
func armState(tb testing.TB, n int) []byte {
	tb.Helper()
	s := New()
	for i := range n {
		id := fmt.Sprintf("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg%04d/providers/Microsoft.Network/publicIPAddresses/ip%05d", i%200, i)
		sent := map[string]any{"location": "westeurope", "tags": map[string]any{"env": "bench"}, "sku": map[string]any{"name": "Standard"},
			"properties": map[string]any{"publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": json.Number("4")}}
		out := map[string]any{"id": id, "name": fmt.Sprintf("ip%05d", i), "type": "Microsoft.Network/publicIPAddresses",
			"etag": fmt.Sprintf(`W/"%08x-0000-0000-0000-%012x"`, i, i), "location": "westeurope",
			"tags": map[string]any{"env": "bench"}, "sku": map[string]any{"name": "Standard", "tier": "Regional"},
			"properties": map[string]any{"provisioningState": "Succeeded", "resourceGuid": fmt.Sprintf("%08x-1111-2222-3333-%012x", i, i),
				"ipAddress": fmt.Sprintf("20.%d.%d.%d", i>>16, (i>>8)&255, i&255), "publicIPAddressVersion": "IPv4",
				"publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": json.Number("4"), "ipTags": []any{}},
			"systemData": map[string]any{"createdBy": "user@example.com", "createdByType": "User", "createdAt": "2026-11-22T17:13:19.408347778Z",
				"lastModifiedBy": "user@example.com", "lastModifiedByType": "User", "lastModifiedAt": "2026-11-22T17:13:19.408347778Z"}}
		s.Resources = append(s.Resources, &Resource{Address: fmt.Sprintf("resource.ip[%d]", i), ID: id, APIVersion: "2024-07-01", LastApplied: sent, Output: out})
	}
	data, err := Encode(s)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestDecodeSharesRepeatedStrings(t *testing.T) {
	data := armState(t, 3)
	// A value too long to share, and numbers, survive as they were.
	long := strings.Repeat("x", internMax+1)
	data = bytes.Replace(data, []byte(`"bench"`), []byte(`"`+long+`"`), 1)
	s, err := Decode(data, "test")
	if err != nil {
		t.Fatal(err)
	}
	var plain struct {
		Resources []struct {
			LastApplied map[string]any `json:"last_applied"`
			Output      map[string]any `json:"output"`
		} `json:"resources"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&plain); err != nil {
		t.Fatal(err)
	}
	for i, r := range s.Resources {
		if !reflect.DeepEqual(r.LastApplied, plain.Resources[i].LastApplied) || !reflect.DeepEqual(r.Output, plain.Resources[i].Output) {
			t.Errorf("resource %d decoded as %v / %v, want %v / %v", i, r.LastApplied, r.Output, plain.Resources[i].LastApplied, plain.Resources[i].Output)
		}
	}
	same := func(a, b any) bool { return unsafe.StringData(a.(string)) == unsafe.StringData(b.(string)) }
	a, b := s.Resources[0].Output, s.Resources[2].Output
	state := func(o map[string]any) any { return o["properties"].(map[string]any)["provisioningState"] }
	if !same(a["location"], b["location"]) || !same(state(a), state(s.Resources[1].Output)) {
		t.Errorf("the resources each hold their own copy of the same location and provisioningState")
	}
	if same(a["id"], b["id"]) {
		t.Errorf("different IDs share one string")
	}
	for k := range a {
		for k2 := range b {
			if k == k2 && unsafe.StringData(k) != unsafe.StringData(k2) {
				t.Errorf("the key %q is not shared", k)
			}
		}
	}
}

// BenchmarkDecodeRetained10000 decodes a 10,000-resource state of ARM-like
// bodies and reports the memory the decoded state keeps (retained-MB), what
// a plan holds for its whole run.
func BenchmarkDecodeRetained10000(b *testing.B) {
	data := armState(b, 10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var retained float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := Decode(data, "bench")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		retained = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(s)
	}
	b.ReportMetric(retained, "retained-MB")
}

// TestDecodeSharesOnlyEqualTrees checks that maps and arrays that look
// alike but differ (a string for a number, an empty array for an empty
// object, a key and value cut elsewhere) are not merged, and that equal ones
// are one copy.
func TestDecodeSharesOnlyEqualTrees(t *testing.T) {
	bodies := []string{
		`{"a":{"x":"1"},"b":[],"c":{},"d":[1,"1",true,null],"e":{"x1":""}}`,
		`{"a":{"x":1},"b":{},"c":[],"d":[1,"1",true,null],"e":{"x":"1"}}`,
		`{"a":{"x":"1"},"b":[],"c":null,"d":["1",1,true,null],"e":{"x1":""}}`,
		`{"a":{"x":"1"},"b":[[]],"c":[{}],"d":[1,"1",false,null],"e":{"x1":"","y":"` + strings.Repeat("y", internMax+1) + `"}}`,
	}
	var doc strings.Builder
	doc.WriteString(`{"version":2,"lineage":"l","serial":1,"salt":"s","resources":[`)
	for i, b := range bodies {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"address":"resource.r%d","id":"/x/%d","api_version":"2024-01-01","last_applied":%s,"output":%s}`, i, i, b, b)
	}
	doc.WriteString(`]}`)
	s, err := Decode([]byte(doc.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range bodies {
		var want map[string]any
		dec := json.NewDecoder(strings.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		r := s.Resources[i]
		if !reflect.DeepEqual(r.LastApplied, want) || !reflect.DeepEqual(r.Output, want) {
			t.Errorf("resource %d decoded as %v and %v, want %v", i, r.LastApplied, r.Output, want)
		}
	}
	ptr := func(v any) uintptr { return reflect.ValueOf(v).Pointer() }
	r := s.Resources
	for _, tc := range []struct {
		what string
		a, b any
	}{
		{"last_applied and output of one resource", r[0].LastApplied, r[0].Output},
		{"equal arrays", r[0].LastApplied["d"], r[1].LastApplied["d"]},
		{"equal objects", r[0].LastApplied["a"], r[2].LastApplied["a"]},
		{"empty arrays", r[0].LastApplied["b"], r[1].LastApplied["c"]},
	} {
		if ptr(tc.a) != ptr(tc.b) {
			t.Errorf("%s are not one copy", tc.what)
		}
	}
}
