package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// completionShells are the shells azapply completion writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func runCompletion(ctx context.Context, args []string, s *IOStreams) int {
	fs := pflag.NewFlagSet("completion", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	fs.Usage = func() {
		fmt.Fprintln(s.Err, `Usage: azapply completion bash|zsh|fish

Print a script that completes azapply's commands and flags in your shell.

Examples:
  source <(azapply completion bash)                                   # in ~/.bashrc
  azapply completion zsh > "${fpath[1]}/_azapply"                     # then restart zsh
  azapply completion fish > ~/.config/fish/completions/azapply.fish`)
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(s.Err, "Error: completion takes the name of a shell: azapply completion bash|zsh|fish")
		return exitError
	}
	spec := completionSpec(ctx)
	var err error
	switch shell := fs.Arg(0); shell {
	case "bash":
		err = writeBashCompletion(s.Out, spec)
	case "zsh":
		err = writeZshCompletion(s.Out, spec)
	case "fish":
		err = writeFishCompletion(s.Out, spec)
	default:
		msg := fmt.Sprintf("Error: no completion for the shell %q: choose bash, zsh or fish", shell)
		if n := nearest(shell, completionShells); n != "" {
			msg += fmt.Sprintf(". Did you mean %q?", n)
		}
		fmt.Fprintln(s.Err, msg)
		return exitError
	}
	if err != nil {
		return reportError(s, err)
	}
	return exitOK
}

// completionCommand is a command (or a subcommand, such as "state list") as
// the completion scripts see it.
type completionCommand struct {
	name, summary string
	// path is the words that name it: ["plan"] or ["state", "list"].
	path  []string
	flags []completionFlag
	// subs are its subcommands (state, emulator).
	subs []completionCommand
}

type completionFlag struct {
	name, usage string
	// takesValue is false for a boolean flag.
	takesValue bool
}

// subcommandsOf lists the subcommands of the commands that have them.
func subcommandsOf(name string) [][2]string {
	switch name {
	case "state":
		var subs [][2]string
		for _, sc := range stateSubcommands {
			subs = append(subs, [2]string{sc.name, sc.summary})
		}
		return subs
	case "emulator":
		return [][2]string{
			{"serve", "Serve the local ARM emulator over TLS on loopback"},
			{"change", "Change or delete a resource in the emulator out of band"},
		}
	case "completion":
		return [][2]string{{"bash", "Bash"}, {"zsh", "Zsh"}, {"fish", "Fish"}}
	}
	return nil
}

// completionSpec gathers every command with its flags, from the flag sets the
// commands themselves build, so that the scripts cannot miss a flag.
func completionSpec(ctx context.Context) []completionCommand {
	var cmds []completionCommand
	for _, c := range commands() {
		cc := completionCommand{name: c.name, summary: c.summary, path: []string{c.name}}
		subs := subcommandsOf(c.name)
		if len(subs) == 0 || c.name == "completion" {
			cc.flags = flagsOf(ctx, []string{c.name})
		}
		for _, sub := range subs {
			sc := completionCommand{name: sub[0], summary: sub[1], path: []string{c.name, sub[0]}}
			if c.name != "completion" {
				sc.flags = flagsOf(ctx, sc.path)
			}
			cc.subs = append(cc.subs, sc)
		}
		cmds = append(cmds, cc)
	}
	return cmds
}

func flagsOf(ctx context.Context, path []string) []completionFlag {
	var out []completionFlag
	for _, f := range commandFlags(ctx, path) {
		out = append(out, completionFlag{name: f.Name, usage: firstLine(f.Usage), takesValue: f.Value.Type() != "bool"})
	}
	out = append(out, completionFlag{name: "help", usage: "show the command's usage, flags and an example"})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// shellQuote quotes s in single quotes for bash and zsh, closing the quote
// around each embedded single quote. fish reads quotes differently: see
// fishQuote.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func flagWords(flags []completionFlag) string {
	words := make([]string, len(flags))
	for i, f := range flags {
		words[i] = "--" + f.name
	}
	return strings.Join(words, " ")
}

func commandNames(cmds []completionCommand) string {
	n := make([]string, len(cmds))
	for i, c := range cmds {
		n[i] = c.name
	}
	return strings.Join(n, " ")
}

func writeBashCompletion(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString(`# bash completion for azapply: source <(azapply completion bash)
_azapply() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev="${COMP_WORDS[COMP_CWORD-1]}"
    local cmd="" sub="" i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
        -*) continue ;;
        esac
        if [[ -z "$cmd" ]]; then
            cmd="$w"
        elif [[ -z "$sub" && " state emulator completion " == *" $cmd "* ]]; then
            sub="$w"
        fi
    done
    if [[ -z "$cmd" ]]; then
        COMPREPLY=($(compgen -W "` + commandNames(cmds) + ` --help --version" -- "$cur"))
        return
    fi
    local flags="" subs=""
    case "$cmd/$sub" in
`)
	for _, c := range cmds {
		if len(c.subs) > 0 {
			fmt.Fprintf(&b, "    %s/) subs=%s ;;\n", c.name, shellQuote(commandNames(c.subs)))
			for _, sc := range c.subs {
				if len(sc.flags) > 0 {
					fmt.Fprintf(&b, "    %s/%s) flags=%s ;;\n", c.name, sc.name, shellQuote(flagWords(sc.flags)))
				}
			}
			continue
		}
		fmt.Fprintf(&b, "    %s/*) flags=%s ;;\n", c.name, shellQuote(flagWords(c.flags)))
	}
	b.WriteString(`    esac
    if [[ -n "$subs" ]]; then
        COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
        return
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi
    if [[ "$prev" == --chdir ]]; then
        COMPREPLY=($(compgen -d -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _azapply azapply
`)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeZshCompletion(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	described := func(items []string) string {
		q := make([]string, len(items))
		for i, it := range items {
			q[i] = shellQuote(it)
		}
		return strings.Join(q, " ")
	}
	cmdItems := func(cs []completionCommand) []string {
		var items []string
		for _, c := range cs {
			items = append(items, c.name+":"+c.summary)
		}
		return items
	}
	flagItems := func(fl []completionFlag) []string {
		var items []string
		for _, f := range fl {
			items = append(items, "--"+f.name+":"+f.usage)
		}
		return items
	}
	b.WriteString(`#compdef azapply
# zsh completion for azapply: azapply completion zsh > "${fpath[1]}/_azapply"
_azapply() {
    local -a items
    local cmd="${words[2]}" sub=""
    if (( CURRENT == 2 )); then
        items=(` + described(cmdItems(cmds)) + `)
        _describe -t commands 'azapply command' items
        return
    fi
    case "$cmd" in
`)
	for _, c := range cmds {
		if len(c.subs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    %s)\n        if (( CURRENT == 3 )); then\n            items=(%s)\n            _describe -t commands '%s command' items\n            return\n        fi\n        sub=\"${words[3]}\" ;;\n",
			c.name, described(cmdItems(c.subs)), c.name)
	}
	b.WriteString("    esac\n    case \"$cmd/$sub\" in\n")
	for _, c := range cmds {
		if len(c.subs) == 0 {
			fmt.Fprintf(&b, "    %s/) items=(%s) ;;\n", c.name, described(flagItems(c.flags)))
			continue
		}
		for _, sc := range c.subs {
			if len(sc.flags) > 0 {
				fmt.Fprintf(&b, "    %s/%s) items=(%s) ;;\n", c.name, sc.name, described(flagItems(sc.flags)))
			}
		}
	}
	b.WriteString(`    *) items=() ;;
    esac
    if [[ "$PREFIX" == -* ]]; then
        _describe -t flags 'flag' items
    else
        _files
    fi
}
if [[ "$funcstack[1]" == "_azapply" ]]; then
    _azapply "$@"
else
    compdef _azapply azapply
fi
`)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFishCompletion(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString(`# fish completion for azapply: azapply completion fish > ~/.config/fish/completions/azapply.fish
function __azapply_at
    # true when the words typed so far are exactly azapply $argv
    set -l t (commandline -opc)
    set -l words
    for w in $t[2..-1]
        string match -q -- '-*' $w; or set -a words $w
    end
    test (count $words) -eq (count $argv); or return 1
    for i in (seq (count $argv))
        test "$words[$i]" = "$argv[$i]"; or return 1
    end
end
function __azapply_in
    # true when the command typed so far starts with azapply $argv
    set -l t (commandline -opc)
    set -l words
    for w in $t[2..-1]
        string match -q -- '-*' $w; or set -a words $w
    end
    test (count $words) -ge (count $argv); or return 1
    for i in (seq (count $argv))
        test "$words[$i]" = "$argv[$i]"; or return 1
    end
end
complete -c azapply -f
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c azapply -n '__azapply_at' -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	writeFlags := func(path []string, flags []completionFlag) {
		for _, f := range flags {
			r := ""
			if f.takesValue {
				r = " -r -F"
			}
			fmt.Fprintf(&b, "complete -c azapply -n '__azapply_in %s' -l %s%s -d %s\n", strings.Join(path, " "), f.name, r, fishQuote(f.usage))
		}
	}
	for _, c := range cmds {
		if len(c.subs) == 0 {
			writeFlags(c.path, c.flags)
			if c.name == "show" || c.name == "apply" || c.name == "fmt" {
				fmt.Fprintf(&b, "complete -c azapply -n '__azapply_in %s' -F\n", c.name)
			}
			continue
		}
		for _, sc := range c.subs {
			fmt.Fprintf(&b, "complete -c azapply -n '__azapply_at %s' -a %s -d %s\n", c.name, sc.name, fishQuote(sc.summary))
			writeFlags(sc.path, sc.flags)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
