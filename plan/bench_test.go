package plan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// slowReader adds a fixed latency to each GET, standing for the round trip
// to ARM that the in-process emulator does not have.
type slowReader struct {
	r     Reader
	delay time.Duration
}

func (s slowReader) Get(ctx context.Context, id, apiVersion string) (*arm.Response, error) {
	time.Sleep(s.delay)
	return s.r.Get(ctx, id, apiVersion)
}

// BenchmarkBuild plans 100 managed resources, with a 5 ms round trip per GET,
// at several parallelisms.
func BenchmarkBuild(b *testing.B) {
	srv, client := newEmulator(b)
	world := map[string]map[string]any{}
	st := state.New()
	var insts []*config.Instance
	for i := range 100 {
		id := fmt.Sprintf("%s/providers/Microsoft.Network/publicIPAddresses/ip%d", rgID, i)
		body := map[string]any{"location": "westus", "properties": map[string]any{"idleTimeoutInMinutes": i}}
		world[id] = body
		st.Set(&state.Resource{Address: fmt.Sprintf("resource.ip%d", i), ID: id, APIVersion: "2024-07-01", LastApplied: body, Output: body})
		insts = append(insts, &config.Instance{Address: fmt.Sprintf("resource.ip%d", i), ID: id, APIVersion: "2024-07-01", Body: config.FromJSONValue(body)})
	}
	setWorld(b, srv, world)
	for _, par := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			for b.Loop() {
				p, err := Build(context.Background(), Options{Reader: slowReader{client, 5 * time.Millisecond}, Instances: insts, State: st, Parallelism: par})
				if err != nil || p.HasChanges() {
					b.Fatalf("%v %v", err, p)
				}
			}
		})
	}
}
