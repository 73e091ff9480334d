package fleet

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/config"
)

// Shard is the part I of N (0 <= I < N) of a fleet that one process runs.
type Shard struct {
	Index, Count int
}

// All is the whole fleet: one shard.
var All = Shard{Index: 0, Count: 1}

// ParseShard reads --shard I/N: I from 0 to N-1, as a Kubernetes Indexed
// Job numbers its pods (JOB_COMPLETION_INDEX) and a matrix can list them.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil || count < 1 || index < 0 || index >= count {
		return Shard{}, fmt.Errorf("--shard %q: write it as I/N, the shard I (from 0 to N-1) of N, e.g. 0/4", s)
	}
	return Shard{Index: index, Count: count}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Stack is one directory of the fleet, with the subscriptions its
// resources are in.
type Stack struct {
	Dir string
	// Subscriptions are the subscription IDs of the stack's resources,
	// lower case, sorted, each once (see Subscriptions).
	Subscriptions []string
}

// Key is what the stack is sharded by: its subscription, or when its
// resources span several, the sorted list of them joined by commas (so
// that stacks spanning the same subscriptions go together). A stack with
// no subscription known without Azure has the key "".
func (s Stack) Key() string { return strings.Join(s.Subscriptions, ",") }

// Has reports whether the stack belongs to the shard: the FNV-1a hash of
// its Key, modulo Count, is Index. The hash is stable across runs,
// machines and versions, so that every process of a sharded fleet agrees.
func (s Shard) Has(st Stack) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(st.Key()))
	return int(h.Sum32()%uint32(s.Count)) == s.Index
}

// Select returns the stacks of the shard, in their order.
func (s Shard) Select(stacks []Stack) []Stack {
	var out []Stack
	for _, st := range stacks {
		if s.Has(st) {
			out = append(out, st)
		}
	}
	return out
}

// Subscriptions returns the subscriptions of a loaded configuration's
// resources, read without Azure: the IDs of its resources and data sources
// that can be evaluated before anything is read, and when none names a
// subscription, the provider block's subscription_id. Lower case, sorted,
// each once.
func Subscriptions(cfg *config.Config) []string {
	seen := map[string]bool{}
	if ev, diags := cfg.EvaluateAll(nil); !diags.HasErrors() && ev != nil {
		for _, in := range append(ev.Resources(), ev.Data()...) {
			id, err := armid.Parse(in.ID)
			if err != nil {
				continue // not known yet, or not an ID
			}
			if sub := id.SubscriptionID(); sub != "" {
				seen[strings.ToLower(sub)] = true
			}
		}
	}
	if len(seen) == 0 && cfg.Provider.SubscriptionID != "" {
		seen[strings.ToLower(cfg.Provider.SubscriptionID)] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
