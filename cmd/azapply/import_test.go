package main

import "testing"

func TestImportOptions(t *testing.T) {
	testOptions(t, NewCmdImport, []optionsCase[importOptions]{
		{name: "address and ID", args: []string{"--chdir", "s", "resource.rg", rgID}, want: func(f *Factory) importOptions {
			c := defaultCommon("import", true)
			c.chdir = "s"
			return importOptions{factory: f, common: c, address: "resource.rg", id: rgID}
		}},
		{name: "no ID", args: []string{"resource.rg"}, wantErr: "import takes an address and a resource ID"},
		{name: "three arguments", args: []string{"a", "b", "c"}, wantErr: "import takes an address and a resource ID"},
	})
}
