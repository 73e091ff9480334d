package config

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestFunctions(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"acr.json":      `{"location": "westus", "sku": {"name": "Standard"}, "properties": {"adminUserEnabled": true}}`,
		"body.yaml":     "location: westus\ntags:\n  env: prod\n",
		"startup.tftpl": "#!/bin/sh\necho ${name}%{ for p in ports } ${p}%{ endfor }\n",
		"hello.txt":     "hello\n",
	})
	tests := []struct {
		expr string
		want string // JSON of the result
	}{
		{`jsondecode(file("acr.json"))`, `{"location":"westus","properties":{"adminUserEnabled":true},"sku":{"name":"Standard"}}`},
		{`file("hello.txt")`, `"hello\n"`},
		{`templatefile("startup.tftpl", { name = "app", ports = [80, 443] })`, `"#!/bin/sh\necho app 80 443\n"`},
		{`jsonencode({ a = 1, b = [true] })`, `"{\"a\":1,\"b\":[true]}"`},
		{`yamldecode(file("body.yaml"))`, `{"location":"westus","tags":{"env":"prod"}}`},
		{`base64encode("azapply")`, `"YXphcHBseQ=="`},
		{`base64decode("YXphcHBseQ==")`, `"azapply"`},
		{`try(jsondecode("{"), "fallback")`, `"fallback"`},
		{`can(jsondecode("{"))`, `false`},
		{`merge({ a = 1 }, { b = 2 }, { a = 3 })`, `{"a":3,"b":2}`},
		{`lookup({ a = "x" }, "b", "default")`, `"default"`},
		{`lookup({ a = "x" }, "a")`, `"x"`},
		{`lookup(tomap({ a = "x" }), "a")`, `"x"`},
		{`coalesce("", "second")`, `"second"`},
		{`format("%s-%03d", "vm", 7)`, `"vm-007"`},
		{`lower("WestUS")`, `"westus"`},
		{`upper("westus")`, `"WESTUS"`},
		{`replace("a-b-c", "-", "_")`, `"a_b_c"`},
		{`replace("vm01", "/[0-9]+/", "X")`, `"vmX"`},
		{`split(",", "a,b")`, `["a","b"]`},
		{`join("/", ["a", "b"])`, `"a/b"`},
		{`cidrsubnet("10.0.0.0/16", 8, 2)`, `"10.0.2.0/24"`},
		{`[for i in range(3) : cidrsubnet("10.1.0.0/16", 4, i)]`, `["10.1.0.0/20","10.1.16.0/20","10.1.32.0/20"]`},
		{`cidrsubnet("fd00::/56", 8, 255)`, `"fd00:0:0:ff::/64"`},
		{`length(keys({ a = 1, b = 2 }))`, `2`},
		{`length("westus")`, `6`},
		{`flatten([["a"], ["b", "c"]])`, `["a","b","c"]`},
		{`startswith("Microsoft.Network", "Microsoft.")`, `true`},
		{`trimprefix("/subscriptions/x", "/")`, `"subscriptions/x"`},
		{`regex("^/subscriptions/([^/]+)", "/subscriptions/abc/resourceGroups/x")`, `["abc"]`},
		{`zipmap(["a", "b"], [1, 2])`, `{"a":1,"b":2}`},
		{`tonumber("3") + 1`, `4`},
		{`path.module`, `"` + dir + `"`},
	}
	cfg := &Config{Dir: dir}
	ctx := cfg.varContext()
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			v, diags := expr.Value(ctx)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			got := jsonOf(t, ToJSONValue(v))
			if got != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestFunctionErrors(t *testing.T) {
	dir := writeDir(t, map[string]string{"bin": "\xff\xfe"})
	tests := []struct{ expr, want string }{
		{`file("missing.json")`, "cannot read missing.json"},
		{`file("bin")`, "not UTF-8"},
		{`base64decode("%%%")`, "not valid base64"},
		{`cidrsubnet("10.0.0.0/30", 4, 0)`, "more than the 32"},
		{`cidrsubnet("10.0.0.0/16", 2, 4)`, "does not fit in 2 new bits"},
		{`cidrsubnet("nonsense", 2, 0)`, "invalid CIDR prefix"},
		{`templatefile("missing.tftpl", {})`, "cannot read missing.tftpl"},
		{`replace("a", "/(/", "b")`, "invalid regular expression"},
		{`lookup({ a = "x" }, "b")`, `there is no key "b"`},
	}
	ctx := (&Config{Dir: dir}).varContext()
	for _, tt := range tests {
		expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		_, diags = expr.Value(ctx)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.expr, diags, tt.want)
		}
	}
}

func TestSHA256(t *testing.T) {
	// The FIPS 180-2 test vector.
	ctx := (&Config{Dir: t.TempDir()}).varContext()
	expr, _ := hclsyntax.ParseExpression([]byte(`sha256("abc")`), "t.hcl", hcl.InitialPos)
	v, diags := expr.Value(ctx)
	if diags.HasErrors() || v.AsString() != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("sha256(abc) = %#v %v", v, diags)
	}
}

func TestCIDRSubnetTable(t *testing.T) {
	tests := []struct {
		prefix          string
		newbits, netnum int64
		want            string
	}{
		{"10.0.0.0/16", 8, 0, "10.0.0.0/24"},
		{"10.0.0.0/16", 8, 255, "10.0.255.0/24"},
		{"10.0.5.7/16", 0, 0, "10.0.0.0/16"},
		{"172.16.0.0/12", 4, 15, "172.31.0.0/16"},
		{"10.0.0.0/8", 24, 1, "10.0.0.1/32"},
	}
	for _, tt := range tests {
		ctx := (&Config{Dir: "."}).varContext()
		src := "cidrsubnet(\"" + tt.prefix + "\", " + strconv.FormatInt(tt.newbits, 10) + ", " + strconv.FormatInt(tt.netnum, 10) + ")"
		expr, _ := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		v, diags := expr.Value(ctx)
		if diags.HasErrors() || v.AsString() != tt.want {
			t.Errorf("%s = %#v %v, want %s", src, v, diags, tt.want)
		}
	}
}
