// Command streamsql runs Kinesis Data Analytics for SQL applications.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/agext/levenshtein"
)

const version = "0.1.0"

const usage = `streamsql runs Kinesis Data Analytics for SQL applications.

Usage:
  streamsql run APP --replay [STREAM=]FILE ...   run an application on recordings
  streamsql check APP|FILE.sql...                validate (every check run makes); errors point at line:column
  streamsql record --stream NAME --out FILE      capture a Kinesis stream into a recording
  streamsql explain APP... [--format F]          print the plan: text, dot, mermaid or json (--analyze --replay FILE: with figures)
  streamsql test DIR... [-run P] [-v] [--junit F] run every case folder under the DIRs (case.yaml: docs/case-yaml.md)
  streamsql demo                                 run the bundled news example
  streamsql functions [NAME]...                  list every function: scalar, aggregate, analytic, table
  streamsql convert FILE --to app.yaml           write the native file for a template, .tf or export
  streamsql discover RECORDING [--format F]      infer an input schema (DiscoverInputSchema)
  streamsql completion bash|zsh|fish             print a shell completion script (source <(streamsql completion bash))
  streamsql version                              print the version and the commit it was built from

APP is an application file (the KDA CreateApplication shape, YAML or JSON),
describe-application output, a CloudFormation template, a Terraform .tf file
or folder (--parameter, --resource, -var, --var-file, --app), or a .sql file
(with --schema FILE for its input). Run "streamsql COMMAND
--help" for a command's flags. Exit codes: 0 success, 1 runtime failure,
2 usage, configuration or SQL errors.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// detailer is an error the user fixes in their files: SQL errors with
// line:column and caret, configuration errors naming the field (exit 2).
type detailer interface{ Detail() string }

// run is the whole program, testable without os.Exit.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], stdout, stderr)
	case "check":
		err = cmdCheck(args[1:], stdout, stderr)
	case "record":
		err = cmdRecord(ctx, args[1:], stdout, stderr)
	case "explain":
		err = cmdExplain(args[1:], stdout, stderr)
	case "test":
		err = cmdTest(ctx, args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "functions":
		err = cmdFunctions(args[1:], stdout, stderr)
	case "convert":
		err = cmdConvert(args[1:], stdout, stderr)
	case "discover":
		err = cmdDiscover(args[1:], stdout, stderr)
	case "completion":
		err = cmdCompletion(args[1:], stdout, stderr)
	case "__flags":
		err = cmdFlags(args[1:], stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, printVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = &usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
	}
	return report(err, stderr)
}

// report prints err and maps it to the exit code.
func report(err error, stderr io.Writer) int {
	msg, code := describe(err)
	if msg != "" {
		fmt.Fprintf(stderr, "%s\n", msg)
	}
	return code
}

// describe is what report prints for err ("" when nothing: no error, or
// one already said) and the exit code: 2 for usage, configuration and SQL
// errors, 1 for the rest.
func describe(err error) (string, int) {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return "", 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return "streamsql: " + ue.msg, 2
	}
	var d detailer
	if errors.As(err, &d) {
		msg := d.Detail()
		if !strings.HasPrefix(msg, "streamsql: ") {
			msg = "streamsql: " + msg
		}
		return msg, 2
	}
	var fe *failedError
	if errors.As(err, &fe) {
		return "", fe.exitCode()
	}
	return fmt.Sprintf("streamsql: %v", err), 1
}

// failedError: the command already said what failed (test cases, or a
// run's error logged as a JSON line); code is the exit code (0: 1).
type failedError struct{ code int }

func (*failedError) Error() string { return "failed" }

func (e *failedError) exitCode() int { return max(e.code, 1) }

// newFlags makes a flag set whose --help prints the command's usage.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: streamsql %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, also accepting flags after positional arguments. A
// mistake is one line naming the flag (and the nearest one it may have
// meant), not the whole flag list; --help prints the list.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			return nil, flagError(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError rewrites the flag package's message as one line of the
// command's, with a suggestion for an unknown flag.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	name, unknown := strings.CutPrefix(msg, "flag provided but not defined: -")
	if !unknown {
		return &usageError{fmt.Sprintf("%s: %s (streamsql %s --help lists the flags)", fs.Name(), msg, fs.Name())}
	}
	name = strings.TrimLeft(name, "-")
	best, bestD := "", 0
	fs.VisitAll(func(f *flag.Flag) {
		d := levenshtein.Distance(name, f.Name, nil)
		if strings.HasPrefix(f.Name, name) {
			d = 1
		}
		if best == "" || d < bestD {
			best, bestD = f.Name, d
		}
	})
	hint := ""
	if best != "" && bestD <= max(2, len(name)/3) {
		hint = fmt.Sprintf("; did you mean --%s?", best)
	}
	return &usageError{fmt.Sprintf("%s: unknown flag --%s%s (streamsql %s --help lists the flags)", fs.Name(), name, hint, fs.Name())}
}

// multi is a repeatable flag.
type multi []string

func (m *multi) String() string     { return fmt.Sprint(*m) }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }
