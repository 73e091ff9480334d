package main

import "testing"

func TestVersionOptions(t *testing.T) {
	testOptions(t, NewCmdVersion, []optionsCase[versionOptions]{
		{name: "none", want: func(f *Factory) versionOptions { return versionOptions{factory: f} }},
		{name: "an argument", args: []string{"now"}, wantErr: "version takes no arguments"},
		{name: "a flag", args: []string{"--short"}, wantErr: "unknown flag: --short"},
	})
}
