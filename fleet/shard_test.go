package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

func TestExpand(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"stacks/b", "stacks/a", "stacks/c.d", "other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "stacks", "README.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	in := func(s ...string) []string {
		for i := range s {
			s[i] = filepath.Join(root, s[i])
		}
		return s
	}
	tests := []struct {
		name string
		args []string
		want []string
		err  string
	}{
		{"a pattern keeps directories in name order", in("stacks/*"), in("stacks/a", "stacks/b", "stacks/c.d"), ""},
		{"plain arguments as given, each once", append(in("other", "stacks/a"), filepath.Join(root, "stacks", "..", "other")), in("other", "stacks/a"), ""},
		{"a missing directory is kept: it fails in the report", in("missing"), in("missing"), ""},
		{"a pattern matching nothing", in("nothing/*"), nil, "no directory matches it"},
		{"a bad pattern", in("stacks/["), nil, "syntax error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Expand(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Expand(%q) error %v, want %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Expand = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestVarFilesOf(t *testing.T) {
	dir := t.TempDir()
	if got := VarFilesOf(dir); len(got) != 0 {
		t.Errorf("no files: %q", got)
	}
	for _, f := range []string{"fleet.vars.json", "fleet.vars", "other.vars"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{filepath.Join(dir, "fleet.vars"), filepath.Join(dir, "fleet.vars.json")}
	if got := VarFilesOf(dir); !reflect.DeepEqual(got, want) {
		t.Errorf("VarFilesOf = %q, want %q", got, want)
	}
}
