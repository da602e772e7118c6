package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/examples"
	"github.com/streamsql/streamsql/testrunner"
)

// loadApp reads an application file or a bare SQL file: one named .sql,
// or any file given with --schema, whatever its name (app.txt, a file
// without an extension).
func loadApp(path, schema string, lf *loadFlags, stderr io.Writer) (*app.Application, error) {
	if schema != "" && isDefinition(path) {
		return nil, &usageError{fmt.Sprintf("--schema is for a bare SQL file; %s is an application definition, whose inputs carry their schema", path)}
	}
	if schema != "" || strings.HasSuffix(strings.ToLower(path), ".sql") {
		return app.FromSQL(path, schema)
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
		fmt.Fprintf(stderr, "warning: %s\n", w)
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

func oneArg(pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", &usageError{fmt.Sprintf("expected one %s, got %d arguments", what, len(pos))}
	}
	return pos[0], nil
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	reorder := fs.Int("reorder", engine.DefaultReorder, "sort each replay by arrival time within this many records (shards recorded slightly out of order); 0 keeps file order")
	idle := fs.Duration("idle-timeout", engine.DefaultIdleTimeout, "live runs: a shard silent this long stops holding time back, and with every shard silent windows close this long after their end")
	failOnError := fs.Bool("fail-on-error", false, "exit 1 when any row went to error_stream (for CI)")
	quiet := fs.Bool("quiet", false, "do not print the end-of-run summary on stderr (warnings and errors still print)")
	lf := addLoadFlags(fs)
	live := liveFlags(fs) // live.go: without --replay, run reads the application's AWS resources
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	path, err := oneArg(pos, "application file")
	if err != nil {
		return err
	}
	a, err := loadApp(path, *schema, lf, stderr)
	if err != nil {
		return err
	}
	o := engine.Options{App: a, Format: *format, Rowtime: *rowtime, ArrivalField: *arrival, Rate: *rate,
		InsertionTime: *insertion, Stdout: stdout, Stderr: stderr, References: map[string]string{}, IsTerminal: isTerminal(stdout)}
	o.Reorder = *reorder
	o.IdleTimeout = *idle
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
	for _, r := range outs {
		stream, dest, ok := strings.Cut(r, "=")
		if !ok {
			return &usageError{fmt.Sprintf("--out %q: want STREAM=DEST (DEST - for stdout)", r)}
		}
		o.Outs = append(o.Outs, engine.Out{Stream: stream, Dest: dest})
	}
	var st engine.Stats
	if len(o.Replays) == 0 && len(a.Inputs) > 0 {
		st, err = runLive(ctx, o, live) // live.go
	} else {
		st, err = engine.Run(ctx, o)
	}
	if err != nil {
		return err
	}
	if !*quiet {
		printSummary(stderr, st)
	}
	return runOutcome(st, *failOnError)
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)", s)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// appCommand parses the flags of a command taking one application (check,
// explain) and loads it.
func appCommand(name string, args []string, stderr io.Writer) (string, *app.Application, error) {
	fs := newFlags(name, name+" APP|FILE.sql [--schema FILE]", stderr)
	schema := fs.String("schema", "", "input schema (YAML/JSON InputSchema) for a bare SQL file (then read as SQL whatever its name)")
	lf := addLoadFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return "", nil, err
	}
	path, err := oneArg(pos, "application or .sql file")
	if err != nil {
		return "", nil, err
	}
	a, err := loadApp(path, *schema, lf, stderr)
	return path, a, err
}

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	path, a, err := appCommand("check", args, stderr)
	if err != nil {
		return err
	}
	notes, err := engine.Unimplemented(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %s\n", path)
	if len(a.Ignored) > 0 {
		fmt.Fprintf(stdout, "note: accepted and ignored (meaningful on AWS only): %s\n", strings.Join(a.Ignored, ", "))
	}
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: %s (validated; run will refuse it)\n", n)
	}
	warnings, err := engine.Warnings(a)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}

func cmdExplain(args []string, stdout, stderr io.Writer) error {
	_, a, err := appCommand("explain", args, stderr)
	if err != nil {
		return err
	}
	s, err := engine.Explain(a)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, s)
	return nil
}

func cmdTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("test", "test DIR [--update]", stderr)
	update := fs.Bool("update", false, "rewrite the expected files with the actual output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneArg(pos, "folder")
	if err != nil {
		return err
	}
	_, failed, err := testrunner.Run(ctx, dir, stdout, *update)
	if err != nil {
		return err
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
