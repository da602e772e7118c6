package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// commandNames are the commands, for completion and its test.
var commandNames = []string{"run", "check", "record", "explain", "test", "demo", "functions", "convert", "discover", "completion", "version", "help"}

// cmdCompletion prints a completion script for bash, zsh or fish. The
// scripts complete command names, file names, and each command's flags,
// which they ask the binary for (streamsql __flags CMD), so they never go
// out of step with it.
func cmdCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("completion", "completion bash|zsh|fish   (e.g. source <(streamsql completion bash))", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	shell, err := oneArg("completion", pos, "shell (bash, zsh or fish)")
	if err != nil {
		return err
	}
	cmds := strings.Join(commandNames, " ")
	switch shell {
	case "bash":
		fmt.Fprintf(stdout, `# bash completion for streamsql: source <(streamsql completion bash)
_streamsql() {
	local cur="${COMP_WORDS[COMP_CWORD]}"
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=( $(compgen -W "%s" -- "$cur") )
		return
	fi
	case "$cur" in
	-*) COMPREPLY=( $(compgen -W "$(streamsql __flags "${COMP_WORDS[1]}" 2>/dev/null)" -- "$cur") ) ;;
	*) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
	esac
}
complete -o filenames -F _streamsql streamsql
`, cmds)
	case "zsh":
		fmt.Fprintf(stdout, `#compdef streamsql
# zsh completion for streamsql: source <(streamsql completion zsh)
_streamsql() {
	if (( CURRENT == 2 )); then
		compadd -- %s
		return
	fi
	if [[ ${words[CURRENT]} == -* ]]; then
		compadd -- ${(f)"$(streamsql __flags ${words[2]} 2>/dev/null)"}
		return
	fi
	_files
}
compdef _streamsql streamsql
`, cmds)
	case "fish":
		fmt.Fprintf(stdout, `# fish completion for streamsql: streamsql completion fish | source
complete -c streamsql -f -n '__fish_use_subcommand' -a '%s'
complete -c streamsql -n 'not __fish_use_subcommand' -F
complete -c streamsql -n 'not __fish_use_subcommand; and string match -q -- "-*" (commandline -ct)' -a '(streamsql __flags (commandline -opc)[2] 2>/dev/null)'
`, cmds)
	default:
		return &usageError{fmt.Sprintf("completion: %q: want bash, zsh or fish", shell)}
	}
	return nil
}

// cmdFlags lists a command's flags, one --name a line, for the completion
// scripts: it asks the command for its --help and reads the flag lines.
func cmdFlags(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return &usageError{"__flags: expected one command"}
	}
	var help bytes.Buffer
	run([]string{args[0], "--help"}, io.Discard, &help)
	sc := bufio.NewScanner(&help)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "  -"), " ")
		fmt.Fprintln(stdout, "--"+name)
	}
	return nil
}
