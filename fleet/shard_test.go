package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/azapply/azapply/config"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true},
		{"2/4", Shard{2, 4}, true},
		{" 3 / 4 ", Shard{3, 4}, true},
		{"4/4", Shard{}, false},
		{"-1/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
	}
	for _, tc := range tests {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestShardsPartitionTheStacks: for every number of shards, each stack is
// in exactly one shard, and stacks of one subscription are in the same one.
func TestShardsPartitionTheStacks(t *testing.T) {
	var stacks []Stack
	for i := range 60 {
		subs := []string{fmt.Sprintf("00000000-0000-0000-0000-%012d", i%13)}
		if i%10 == 9 {
			subs = append(subs, "00000000-0000-0000-0000-00000000ffff") // spans two
		}
		if i%17 == 0 {
			subs = nil // no subscription known
		}
		stacks = append(stacks, Stack{Dir: fmt.Sprintf("stacks/s%02d", i), Subscriptions: subs})
	}
	for _, n := range []int{1, 2, 3, 4, 7, 16} {
		seen := map[string]int{}
		shardOf := map[string]int{}
		nonEmpty := 0
		for i := range n {
			sel := Shard{Index: i, Count: n}.Select(stacks)
			if len(sel) > 0 {
				nonEmpty++
			}
			for _, st := range sel {
				seen[st.Dir]++
				if prev, ok := shardOf[st.Key()]; ok && prev != i {
					t.Errorf("N=%d: stacks of %q are in shards %d and %d", n, st.Key(), prev, i)
				}
				shardOf[st.Key()] = i
			}
		}
		for _, st := range stacks {
			if seen[st.Dir] != 1 {
				t.Errorf("N=%d: %s is in %d shards, want exactly 1", n, st.Dir, seen[st.Dir])
			}
		}
		if n > 1 && nonEmpty < 2 {
			t.Errorf("N=%d: every stack is in one shard: the hash does not spread them", n)
		}
	}
}

func TestShardIsStable(t *testing.T) {
	// FNV-1a (32 bits) of the subscription is 3175583038, which is 2
	// modulo 4: the same shard on every machine and
	// run. A change here moves stacks between shards: say so in the
	// changelog.
	st := Stack{Subscriptions: []string{"00000000-0000-0000-0000-000000000001"}}
	got := -1
	for i := range 4 {
		if (Shard{Index: i, Count: 4}).Has(st) {
			got = i
		}
	}
	if got != 2 {
		t.Errorf("the stack of subscription ...0001 is in shard %d of 4, want 2", got)
	}
}

func TestSubscriptions(t *testing.T) {
	tests := []struct {
		name, hcl string
		want      []string
	}{
		{"from the resources", `
provider { subscription_id = "AAAA0000-0000-0000-0000-000000000001" }
resource "rg" {
  id          = "/subscriptions/BBBB0000-0000-0000-0000-000000000002/resourceGroups/x"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "ip" {
  id          = "${resource.rg.id}/providers/Microsoft.Network/publicIPAddresses/ip"
  api_version = "2024-07-01"
  body        = { location = "westus" }
}`, []string{"bbbb0000-0000-0000-0000-000000000002"}},
		{"several", `
resource "a" {
  id          = "/subscriptions/22222222-0000-0000-0000-000000000000/resourceGroups/a"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "b" {
  id          = "/subscriptions/11111111-0000-0000-0000-000000000000/resourceGroups/b"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}`, []string{"11111111-0000-0000-0000-000000000000", "22222222-0000-0000-0000-000000000000"}},
		{"the provider's when no ID names one", `
provider { subscription_id = "CCCC0000-0000-0000-0000-000000000003" }
resource "mg" {
  id          = "/providers/Microsoft.Management/managementGroups/mg"
  api_version = "2021-04-01"
  body        = {}
}`, []string{"cccc0000-0000-0000-0000-000000000003"}},
		{"none", `
resource "mg" {
  id          = "/providers/Microsoft.Management/managementGroups/mg"
  api_version = "2021-04-01"
  body        = {}
}`, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(tc.hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := config.Load(dir, config.LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got := Subscriptions(cfg); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Subscriptions = %q, want %q", got, tc.want)
			}
		})
	}
}
