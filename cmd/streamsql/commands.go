package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/examples"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/testrunner"
)

// loadApp reads an application file or a bare SQL file: one named .sql,
// or any file given with --schema, whatever its name (app.txt, a file
// without an extension).
func loadApp(path, schema string, lf *loadFlags, stderr io.Writer) (*app.Application, error) {
	return loadAppWarn(path, schema, lf, func(w string) { fmt.Fprintf(stderr, "streamsql: warning: %s\n", w) })
}

// loadAppWarn is loadApp with the file's warnings (fields ignored, values
// guessed) going to warn.
func loadAppWarn(path, schema string, lf *loadFlags, warn func(string)) (*app.Application, error) {
	if schema != "" && isDefinition(path) {
		return nil, &usageError{fmt.Sprintf("--schema is for a bare SQL file; %s is an application definition, whose inputs carry their schema", path)}
	}
	if schema != "" || strings.HasSuffix(strings.ToLower(path), ".sql") {
		a, err := app.FromSQL(path, schema)
		if err != nil {
			return nil, &configError{err} // a missing or bad file named on the command line (exit 2)
		}
		return a, nil
	}
	var o app.LoadOptions
	if lf != nil {
		var err error
		if o, err = lf.options(); err != nil {
			return nil, err
		}
	}
	a, warnings, err := app.LoadWith(path, o)
	for _, w := range warnings {
		warn(w)
	}
	if err != nil {
		return nil, &configError{err}
	}
	return a, nil
}

// isDefinition tells an application definition (a folder, or a file
// named as one) from a bare SQL file.
func isDefinition(path string) bool {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return true
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json", ".tf", ".template":
		return true
	}
	return false
}

// configError marks an application-file error (exit 2).
type configError struct{ err error }

func (e *configError) Error() string  { return e.err.Error() }
func (e *configError) Detail() string { return "streamsql: " + e.err.Error() }

func oneArg(cmd string, pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", &usageError{fmt.Sprintf("%s: expected one %s, got %d arguments (streamsql %s --help)", cmd, what, len(pos), cmd)}
	}
	return pos[0], nil
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("run", "run APP [--replay [STREAM=]FILE]... [flags]   (no --replay: read the application's Kinesis streams live)", stderr)
	var replays, refs, outs multi
	fs.Var(&replays, "replay", "feed the input (or STREAM) from a recording `[STREAM=]FILE`; repeatable")
	fs.Var(&refs, "reference", "load reference table from a local CSV/JSON file: `TABLE=FILE`; repeatable")
	fs.Var(&outs, "out", "send an in-application stream to - (stdout) or a file: `STREAM=DEST`; repeatable")
	format := fs.String("format", "", "output format: table, ndjson or csv (default: table on a terminal, else ndjson)")
	rowtime := fs.Bool("rowtime", false, "add a ROWTIME field to every output row")
	arrival := fs.String("arrival-field", "", "for plain NDJSON payloads: the field holding each record's arrival time")
	rate := fs.Float64("rate", 0, "for plain NDJSON payloads: synthetic arrival clock, records per second")
	start := fs.String("start", "", "start of the synthetic clock (RFC 3339 or yyyy-MM-dd HH:mm:ss; default 1970-01-01)")
	insertion := fs.Bool("insertion-time", false, "ROWTIME = processing time (KDA's own, non-reproducible behaviour)")
	schema := fs.String("schema", "", "input schema (YAML/JSON InputSchema) for a bare SQL APP (then read as SQL whatever its name)")
	stateMem := fs.String("max-state-memory", "", "bound on operator state (e.g. 4GB): past it a warning names the operator and its groups; past 1.5 times it the run stops with an error (default: half the machine's memory; off: no bound)")
	skew := fs.Duration("max-future-skew", engine.DefaultMaxFutureSkew, "a replayed record whose arrival time jumps further ahead of its shard's previous record, while the next one comes back before it, goes to error_stream; negative: no check")
	reorder := fs.Int("reorder", engine.DefaultReorder, "sort each replay by arrival time within this many records (shards recorded slightly out of order); 0 keeps file order")
	idle := fs.Duration("idle-timeout", engine.DefaultIdleTimeout, "live runs: a shard silent this long stops holding time back, and with every shard silent windows close this long after their end")
	failOnError := fs.Bool("fail-on-error", false, "exit 1 when any row went to error_stream (for CI)")
	quiet := fs.Bool("quiet", false, "do not print the end-of-run summary on stderr (warnings and errors still print)")
	lf := addLoadFlags(fs)
	live := liveFlags(fs)      // live.go: without --replay, run reads the application's AWS resources
	obs := addObserveFlags(fs) // observe.go: --http, --hold, --log-format, --log-level
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	path, err := oneArg("run", pos, "application file")
	if err != nil {
		return err
	}
	log, err := obs.logger(stderr)
	if err != nil {
		return err
	}
	progress := progressOut{w: stderr}
	if obs.json() {
		// Every line a JSON record: the failure too (the command line
		// itself is read before the logger exists: its mistakes stay plain).
		progress.log = log
		defer func() {
			if err != nil {
				err = logFailure(log, err)
			}
		}()
	}
	a, err := loadAppWarn(path, *schema, lf, func(w string) { log.Warn(w, "event", event.Config) })
	if err != nil {
		return err
	}
	o := engine.Options{App: a, Format: *format, Rowtime: *rowtime, ArrivalField: *arrival, Rate: *rate,
		InsertionTime: *insertion, Stdout: stdout, Stderr: stderr, References: map[string]string{}, IsTerminal: isTerminal(stdout)}
	o.Reorder = *reorder
	o.IdleTimeout = *idle
	o.MaxFutureSkew = *skew
	o.MaxStateMemory = engine.DefaultMaxStateMemory()
	if *stateMem != "" {
		if o.MaxStateMemory, err = engine.ParseBytes(*stateMem); err != nil {
			return &usageError{"--max-state-memory: " + err.Error()}
		}
	}
	if *reorder == 0 {
		o.Reorder = -1
	}
	if *start != "" {
		t, err := parseTime(*start)
		if err != nil {
			return &usageError{"--start: " + err.Error()}
		}
		o.Start = t
	}
	if err := addReplays(&o, replays, refs); err != nil {
		return err
	}
	for _, r := range outs {
		stream, dest, ok := strings.Cut(r, "=")
		if !ok {
			return &usageError{fmt.Sprintf("--out %q: want STREAM=DEST (DEST - for stdout)", r)}
		}
		o.Outs = append(o.Outs, engine.Out{Stream: stream, Dest: dest})
	}
	o.Log = log
	w, err := obs.start(&o, log)
	if err != nil {
		return err
	}
	replay := !(len(o.Replays) == 0 && len(a.Inputs) > 0)
	var ticker engine.Observer
	switch {
	case !replay:
	case *live.progress > 0:
		ticker = newReplayTicker(progress, *live.progress) // progress.go
	case !*quiet && !obs.json() && isTerminal(stderr):
		// A replay on a terminal shows its progress (progressbar.go).
		ticker = newProgressBar(stderr)
	}
	if ticker != nil {
		if o.Observer != nil {
			o.Observer = engine.Observers{o.Observer, ticker}
		} else {
			o.Observer = ticker
		}
	}
	var st engine.Stats
	if !replay {
		st, err = runLive(ctx, o, live, progress, w.live, withLog(log)) // live.go
	} else {
		st, err = engine.Run(ctx, o)
	}
	w.stop(ctx)
	if err != nil {
		return schemaHint(err, path, *schema, a)
	}
	switch {
	case *quiet:
	case obs.json():
		logSummary(log, st)
	default:
		printSummary(stderr, st)
	}
	return runOutcome(st, *failOnError)
}

// addReplays adds the --replay [STREAM=]FILE and --reference TABLE=FILE
// flags (run, explain --analyze) to o.
func addReplays(o *engine.Options, replays, refs multi) error {
	for _, r := range replays {
		stream, file, ok := strings.Cut(r, "=")
		if !ok {
			stream, file = "", r
		}
		o.Replays = append(o.Replays, engine.Replay{Stream: stream, Path: file})
	}
	for _, r := range refs {
		table, file, ok := strings.Cut(r, "=")
		if !ok {
			return &usageError{fmt.Sprintf("--reference %q: want TABLE=FILE", r)}
		}
		o.References[table] = file
	}
	return nil
}

func parseTime(s string) (time.Time, error) { return input.ParseTime(s) }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// appCommand parses the flags of a command taking applications (check,
// explain) and calls each for every file named; patterns (app/*.yaml) are
// expanded, for CI jobs and pre-commit hooks that pass them quoted. Every
// file is tried; the first error decides the exit code, the others print.
func appCommand(name string, args []string, stderr io.Writer, each func(path string, a *app.Application, many bool) error, flags ...func(*flag.FlagSet)) error {
	fs := newFlags(name, name+" APP|FILE.sql... [--schema FILE]", stderr)
	schema := fs.String("schema", "", "input schema (YAML/JSON InputSchema, or discover's Inputs block) for a bare SQL file (then read as SQL whatever its name)")
	lf := addLoadFlags(fs)
	for _, f := range flags {
		f(fs)
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{fmt.Sprintf("%s: expected an application or .sql file", name)}
	}
	paths, err := expandPatterns(pos)
	if err != nil {
		return err
	}
	var first error
	for _, path := range paths {
		a, err := loadApp(path, *schema, lf, stderr)
		if err == nil {
			err = each(path, a, len(paths) > 1)
		}
		if err != nil {
			err = schemaHint(err, path, *schema, a)
			if first == nil {
				first = err
			} else {
				report(err, stderr)
			}
		}
	}
	return first
}

// expandPatterns replaces each argument holding * ? or [ that names no file
// by the files it matches.
func expandPatterns(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") || exists(a) {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("%q: %v", a, err)}
		}
		if len(m) == 0 {
			return nil, &usageError{fmt.Sprintf("%q matches no file", a)}
		}
		out = append(out, m...)
	}
	return out, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// schemaHint points a configuration error at the file and line of the
// field it names, and adds what to do when a bare .sql file reads a stream
// that only an input schema would declare.
func schemaHint(err error, path, schema string, a *app.Application) error {
	var ce *engine.ConfigError
	if a != nil && a.FieldError != nil && errors.As(err, &ce) && !strings.HasPrefix(ce.Field, "-") {
		return &configError{a.FieldError(ce)}
	}
	if schema != "" || !strings.HasSuffix(strings.ToLower(path), ".sql") || (a != nil && len(a.Inputs) > 0) ||
		!strings.Contains(err.Error(), "unknown stream or table") {
		return err
	}
	return &hintError{err, "the source stream comes from an input schema: pass --schema FILE (an InputSchema; streamsql discover RECORDING prints one), or check the application file that holds this SQL"}
}

// hintError adds a line saying what to do to an error the user fixes.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "; " + e.hint }
func (e *hintError) Unwrap() error { return e.err }
func (e *hintError) Detail() string {
	msg := e.err.Error()
	if d, ok := e.err.(detailer); ok {
		msg = d.Detail()
	}
	return msg + "\nhint: " + e.hint
}

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	return appCommand("check", args, stderr, func(path string, a *app.Application, _ bool) error {
		warnings, notes, err := engine.Validate(a)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ok: %s\n", path)
		for _, n := range notes {
			fmt.Fprintf(stdout, "split: %s\n", n)
		}
		if len(a.Ignored) > 0 {
			fmt.Fprintf(stdout, "note: accepted and ignored (meaningful on AWS only): %s\n", strings.Join(a.Ignored, ", "))
		}
		for _, w := range warnings {
			fmt.Fprintf(stdout, "warning: %s\n", w)
		}
		return nil
	})
}

func cmdExplain(args []string, stdout, stderr io.Writer) error {
	var ef explainFlags // explain.go
	return appCommand("explain", args, stderr, func(path string, a *app.Application, many bool) error {
		s, err := ef.explain(a, stderr)
		if err != nil {
			return err
		}
		if many {
			fmt.Fprintf(stdout, "== %s\n", path)
		}
		if _, err := io.WriteString(stdout, s); err != nil {
			return fmt.Errorf("writing the plan: %w", err)
		}
		return nil
	}, ef.add)
}

func cmdTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("test", "test DIR... [-run PATTERN] [-v] [--junit FILE] [--update]", stderr)
	update := fs.Bool("update", false, "rewrite the expected files with the actual output")
	run := fs.String("run", "", "run only the cases whose folder matches this regular expression")
	verbose := fs.Bool("v", false, "print every case, its description and the rows of each checked stream, not only failures")
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE` (for CI systems)")
	dirs, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return &usageError{"test: expected one or more folders holding case.yaml files"}
	}
	o := testrunner.RunOptions{Update: *update, Verbose: *verbose}
	if *run != "" {
		if o.Match, err = regexp.Compile(*run); err != nil {
			return &usageError{fmt.Sprintf("test: -run %q: %v", *run, err)}
		}
	}
	var report *os.File
	if *junit != "" {
		if report, err = os.Create(*junit); err != nil {
			return &usageError{"test: --junit: " + err.Error()}
		}
		defer report.Close()
		o.JUnit = report
	}
	_, failed, err := testrunner.Run(ctx, dirs, stdout, o)
	if err != nil {
		return err
	}
	if report != nil {
		if err := report.Close(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &failedError{}
	}
	return nil
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [--format table|ndjson|csv]", stderr)
	format := fs.String("format", "", "output format (default: table on a terminal, else ndjson)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "streamsql-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	appFile, rec, err := examples.WriteNews(dir)
	if err != nil {
		return err
	}
	a, err := loadApp(appFile, "", nil, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "streamsql demo: news personalization (examples/news): clicks LEFT JOIN users, impressions and clicks per minute")
	format2 := *format
	if format2 == "" && isTerminal(stdout) {
		format2 = "table"
	}
	st, err := engine.Run(ctx, engine.Options{App: a, Replays: []engine.Replay{{Path: rec}}, Format: format2, Rowtime: true,
		Stdout: stdout, Stderr: stderr, IsTerminal: isTerminal(stdout)})
	if err != nil {
		return err
	}
	printSummary(stderr, st)
	return nil
}
