package emulator

import (
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentClients runs writers, readers, listers and out-of-band
// changes at once (run with -race): every answer must be one ARM could
// give, and the world must end consistent.
func TestConcurrentClients(t *testing.T) {
	c := newClient(t, Options{Operations: []OperationRule{{Method: "DELETE", Operation: Operation{Pattern: AsyncOperation}}}})
	c.createRG()
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := rgID + "/providers/Microsoft.Network/virtualNetworks/v" + itoa(w)
			for i := 0; i < 25; i++ {
				for _, step := range []struct {
					method string
					body   any
					ok     []int
				}{
					{"PUT", map[string]any{"location": "westus", "properties": map[string]any{"subnets": []any{map[string]any{"name": "s" + itoa(i)}}}}, []int{200, 201}},
					{"GET", nil, []int{200}},
					{"PATCH", map[string]any{"tags": map[string]any{"i": itoa(i)}}, []int{200}},
					{"GET", sub + "/providers/Microsoft.Network/virtualNetworks?api-version=x", []int{200}},
					{"DELETE", nil, []int{202, 409}},
				} {
					path := id
					if s, ok := step.body.(string); ok {
						path, step.body = s, nil
					}
					r, err := c.try(step.method, path, step.body)
					if err != nil {
						errs <- err.Error()
						return
					}
					ok := false
					for _, s := range step.ok {
						ok = ok || r.status == s
					}
					if !ok && r.status != http.StatusConflict {
						errs <- step.method + " " + path + ": " + itoa(r.status) + " " + r.raw
					}
					if ao := r.header.Get("Azure-AsyncOperation"); ao != "" {
						_, _ = c.try("GET", ao, nil) // a poll under load: any status will do
					}
				}
				_ = c.srv.ChangeOutOfBand(id, map[string]any{"tags": map[string]any{"oob": "x"}})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if cn := c.srv.Counters(); cn.InFlight != 0 || cn.Total < 8*25*5 {
		t.Errorf("counters %+v", cn)
	}
}
