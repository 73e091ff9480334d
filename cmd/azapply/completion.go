package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// completionShells are the shells azapply completion writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

type completionOptions struct {
	factory *Factory
	shell   string
}

// NewCmdCompletion defines azapply completion; runF, when a test gives it,
// runs instead of completionRun.
func NewCmdCompletion(f *Factory, runF func(context.Context, *completionOptions) error) *command {
	o := &completionOptions{factory: f}
	c := newCommand(f, "completion", "bash|zsh|fish", "Print a shell completion script for bash, zsh or fish",
		"Print a script that completes azapply's commands and flags in your shell.",
		`source <(azapply completion bash)                                   # in ~/.bashrc
azapply completion zsh > "${fpath[1]}/_azapply"                     # then restart zsh
azapply completion fish > ~/.config/fish/completions/azapply.fish`)
	c.run = func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return errors.New("completion takes the name of a shell: azapply completion bash|zsh|fish")
		}
		o.shell = args[0]
		if !slices.Contains(completionShells, o.shell) {
			msg := fmt.Sprintf("no completion for the shell %q: choose bash, zsh or fish", o.shell)
			if n := nearest(o.shell, completionShells); n != "" {
				msg += fmt.Sprintf(". Did you mean %q?", n)
			}
			return errors.New(msg)
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return completionRun(ctx, o)
	}
	return c
}

func completionRun(_ context.Context, o *completionOptions) error {
	spec := completionSpec(commands(o.factory))
	w := o.factory.IOStreams.Out
	switch o.shell {
	case "bash":
		return writeBashCompletion(w, spec)
	case "zsh":
		return writeZshCompletion(w, spec)
	default:
		return writeFishCompletion(w, spec)
	}
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

// completionShells are completed as the subcommands of completion.
var completionShellSummaries = [][2]string{{"bash", "Bash"}, {"zsh", "Zsh"}, {"fish", "Fish"}}

// completionSpec gathers every command with its flags, from the flag sets
// the commands themselves define, so that the scripts cannot miss a flag.
func completionSpec(cmds []*command) []completionCommand {
	var out []completionCommand
	for _, c := range cmds {
		cc := completionCommand{name: c.name, summary: c.summary, path: []string{c.name}}
		if len(c.subs) == 0 {
			cc.flags = flagsOf(c)
		}
		for _, sub := range c.subs {
			cc.subs = append(cc.subs, completionCommand{name: sub.name, summary: sub.summary, path: []string{c.name, sub.name}, flags: flagsOf(sub)})
		}
		if c.name == "completion" {
			for _, sh := range completionShellSummaries {
				cc.subs = append(cc.subs, completionCommand{name: sh[0], summary: sh[1], path: []string{c.name, sh[0]}})
			}
		}
		out = append(out, cc)
	}
	return out
}

func flagsOf(c *command) []completionFlag {
	var out []completionFlag
	for _, f := range c.visibleFlags() {
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
