package main

import "testing"

func TestShowOptions(t *testing.T) {
	testOptions(t, NewCmdShow, []optionsCase[showOptions]{
		{name: "a file", args: []string{"tfplan"}, want: func(f *Factory) showOptions {
			return showOptions{factory: f, format: "text", file: "tfplan"}
		}},
		{name: "markdown without colour", args: []string{"tfplan", "--format", "markdown", "--no-color"}, want: func(f *Factory) showOptions {
			return showOptions{factory: f, format: "markdown", noColor: true, file: "tfplan"}
		}},
		{name: "no file", wantErr: "show takes one plan file"},
		{name: "two files", args: []string{"a", "b"}, wantErr: "show takes one plan file"},
		{name: "unknown format", args: []string{"tfplan", "--format", "xml"}, wantErr: `--format "xml"`},
		{name: "chdir is not show's", args: []string{"tfplan", "--chdir", "x"}, wantErr: "unknown flag: --chdir"},
	})
}
