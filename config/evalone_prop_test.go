package config

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestEvaluateInstanceProperty generates configurations of a few blocks,
// each repeated by for_each, by count or not at all, whose bodies refer to
// earlier blocks by literal key, by computed key, as a whole and through
// locals made from outputs, and checks that EvaluateInstance agrees with
// EvaluateAll at every address, with a random part of the outputs known.
func TestEvaluateInstanceProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2026))
	compared, configs := 0, 100
	for i := range configs {
		src := randomConfig(rng)
		cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{})
		if diags.HasErrors() {
			t.Fatalf("config %d does not load:\n%s\n%s", i, src, diagText(cfg, diags))
		}
		all := allOutputs(t, cfg)
		some := map[string]any{}
		for addr, o := range all {
			if rng.IntN(2) == 0 {
				some[addr] = o
			}
		}
		full, diags := cfg.EvaluateAll(some)
		if diags.HasErrors() {
			// An id made from an output not known yet: nothing to compare.
			continue
		}
		for _, want := range full.Instances {
			got, diags := cfg.EvaluateInstance(want.Address, some)
			if diags.HasErrors() {
				t.Fatalf("config %d, %s: %s\n%s", i, want.Address, diagText(cfg, diags), src)
			}
			if d := instanceDiff(got, want); d != "" {
				t.Fatalf("config %d, %s: %s\n%s", i, want.Address, d, src)
			}
			compared++
		}
	}
	t.Logf("%d instances compared", compared)
	if compared < 2*configs {
		t.Fatalf("only %d instances compared in %d configurations", compared, configs)
	}
}

// randomConfig writes 2 to 6 blocks b0, b1, ... and their locals.
func randomConfig(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("variable \"secret\" {\n  default   = \"s3cret\"\n  sensitive = true\n}\n")
	n := 2 + rng.IntN(5)
	type block struct {
		rep  string // "", "for_each", "count"
		keys []string
		size int
	}
	blocks := make([]block, n)
	var locals []string
	for i := range n {
		bl := block{rep: []string{"", "for_each", "count"}[rng.IntN(3)]}
		switch bl.rep {
		case "for_each":
			for k := range 1 + rng.IntN(4) {
				bl.keys = append(bl.keys, fmt.Sprintf("k%d%c", k, 'a'+rune(rng.IntN(3))))
			}
			locals = append(locals, fmt.Sprintf("l%d = %s", i, hclList(bl.keys)))
			bl.size = len(bl.keys)
		case "count":
			bl.size = 1 + rng.IntN(4)
			fmt.Fprintf(&b, "variable \"n%d\" { default = %d }\n", i, bl.size)
		}
		blocks[i] = bl
	}
	for i, bl := range blocks {
		// idx is a number that varies per instance.
		idx, suffix, rep := "0", "", ""
		switch bl.rep {
		case "for_each":
			idx, suffix, rep = "parseint(substr(each.key, 1, 1), 10)", "-${each.key}", fmt.Sprintf("  for_each = toset(local.l%d)\n", i)
		case "count":
			idx, suffix, rep = "count.index", "-${count.index}", fmt.Sprintf("  count = var.n%d\n", i)
		}
		var fields []string
		for j := range i {
			to := blocks[j]
			ref := fmt.Sprintf("resource.b%d", j)
			var one, computed string // one instance of b_j, literally and by a computed key
			switch to.rep {
			case "":
				one, computed = ref, ref
			case "for_each":
				one = fmt.Sprintf("%s[%q]", ref, to.keys[rng.IntN(len(to.keys))])
				computed = fmt.Sprintf("%s[local.l%d[(%s) %% %d]]", ref, j, idx, len(to.keys))
			case "count":
				one = fmt.Sprintf("%s[%d]", ref, rng.IntN(to.size))
				computed = fmt.Sprintf("%s[(%s) %% var.n%d]", ref, idx, j)
			}
			switch rng.IntN(6) {
			case 0:
				fields = append(fields, fmt.Sprintf("f%d = %s.output.properties.resourceGuid", j, one))
			case 1:
				fields = append(fields, fmt.Sprintf("f%d = %s.output.id", j, computed))
			case 2:
				fields = append(fields, fmt.Sprintf("f%d = %s.body", j, computed))
			case 3:
				if to.rep != "" {
					fields = append(fields, fmt.Sprintf("f%d = [for x in %s : x.output.name]", j, ref))
				} else {
					fields = append(fields, fmt.Sprintf("f%d = %s.id", j, ref))
				}
			case 4:
				locals = append(locals, fmt.Sprintf("d%d_%d = %s.output.properties.principalId", i, j, one))
				fields = append(fields, fmt.Sprintf("f%d = local.d%d_%d", j, i, j))
			}
		}
		if rng.IntN(3) == 0 {
			fields = append(fields, "adminPassword = var.secret")
		}
		fmt.Fprintf(&b, "resource \"b%d\" {\n%s  id = \"%s/resourceGroups/b%d%s\"\n  api_version = \"2021-04-01\"\n  body = { %s }\n", i, rep, sub, i, suffix, strings.Join(fields, ", "))
		if rng.IntN(3) == 0 {
			b.WriteString("  sensitive = [\"f0\"]\n  timeouts {\n    create = \"7m\"\n  }\n")
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "locals {\n  %s\n}\n", strings.Join(locals, "\n  "))
	return b.String()
}

func hclList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
