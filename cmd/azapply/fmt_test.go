package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const uglyHCL = "resource \"x\" {\nid = \"a\"\n    api_version=\"2021-04-01\" # keep me\n}\n"
const prettyHCL = "resource \"x\" {\n  id          = \"a\"\n  api_version = \"2021-04-01\" # keep me\n}\n"

func TestFmt(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		files    map[string]string
		wantCode int
		wantOut  string
		wantErr  string
		// after is the content of main.hcl after the run.
		after string
	}{
		{"formats", nil, map[string]string{"main.hcl": uglyHCL}, exitOK, "main.hcl", "", prettyHCL},
		{"check lists and changes nothing", []string{"--check"}, map[string]string{"main.hcl": uglyHCL}, exitFmtCheck, "main.hcl", "", uglyHCL},
		{"check when formatted", []string{"--check"}, map[string]string{"main.hcl": prettyHCL}, exitOK, "", "", prettyHCL},
		{"syntax error left alone", nil, map[string]string{"main.hcl": "resource \"x\" {\n  id = \n"}, exitError, "", "main.hcl line", "resource \"x\" {\n  id = \n"},
		{"json untouched", nil, map[string]string{"main.hcl": prettyHCL, "b.hcl.json": `{"resource":{}}`}, exitOK, "", "", prettyHCL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			code, out, errOut := runCLI(t, append(append([]string{"fmt"}, tt.args...), dir)...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) || (tt.wantOut == "" && out != "") {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			got, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.after {
				t.Errorf("main.hcl is now:\n%s\nwant:\n%s", got, tt.after)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "b.hcl.json")); err == nil && string(b) != `{"resource":{}}` {
				t.Errorf("the JSON file was changed: %s", b)
			}
		})
	}
}

func TestFmtRecursive(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": prettyHCL})
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "x.hcl"), []byte(uglyHCL), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "fmt", "--check", dir); code != exitOK || out != "" {
		t.Errorf("without --recursive: exit %d, %q", code, out)
	}
	if code, out, _ := runCLI(t, "fmt", "--check", "--recursive", dir); code != exitFmtCheck || !strings.Contains(out, filepath.Join("sub", "x.hcl")) {
		t.Errorf("with --recursive: exit %d, %q", code, out)
	}
}

func TestFmtOptions(t *testing.T) {
	testOptions(t, NewCmdFmt, []optionsCase[fmtOptions]{
		{name: "defaults", want: func(f *Factory) fmtOptions {
			return fmtOptions{factory: f, paths: []string{"."}}
		}},
		{name: "every flag", args: []string{"--check", "--recursive", "--no-color", "a", "b.hcl"}, want: func(f *Factory) fmtOptions {
			return fmtOptions{factory: f, check: true, recursive: true, noColor: true, paths: []string{"a", "b.hcl"}}
		}},
		{name: "misspelt flag", args: []string{"--chek"}, wantErr: "Did you mean --check?"},
	})
}
