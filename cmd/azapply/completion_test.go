package main

import "testing"

func TestCompletionOptions(t *testing.T) {
	testOptions(t, NewCmdCompletion, []optionsCase[completionOptions]{
		{name: "bash", args: []string{"bash"}, want: func(f *Factory) completionOptions { return completionOptions{factory: f, shell: "bash"} }},
		{name: "fish", args: []string{"fish"}, want: func(f *Factory) completionOptions { return completionOptions{factory: f, shell: "fish"} }},
		{name: "no shell", wantErr: "completion takes the name of a shell"},
		{name: "unknown shell", args: []string{"bsh"}, wantErr: `no completion for the shell "bsh": choose bash, zsh or fish. Did you mean "bash"?`},
	})
}
