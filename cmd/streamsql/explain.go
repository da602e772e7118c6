package main

import (
	"context"
	"flag"
	"io"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/explain"
)

// explainFlags are explain's own flags.
type explainFlags struct {
	format  *string
	analyze *bool
	replays multi
	refs    multi
}

func (f *explainFlags) add(fs *flag.FlagSet) {
	f.format = fs.String("format", "text", "text, dot (Graphviz), mermaid or json")
	f.analyze = fs.Bool("analyze", false, "run the application on --replay and print rows in and out and time per operator (in every --format)")
	fs.Var(&f.replays, "replay", "with --analyze: the recording to run, `[STREAM=]FILE`; repeatable")
	fs.Var(&f.refs, "reference", "with --analyze: a reference table's local file, `TABLE=FILE`; repeatable")
}

func (f *explainFlags) explain(a *app.Application, stderr io.Writer) (string, error) {
	g, err := engine.Plan(a)
	if err != nil {
		return "", err
	}
	doc := explain.Build(a, g)
	if !*f.analyze {
		if len(f.replays) > 0 {
			return "", &usageError{"explain: --replay is for --analyze"}
		}
		s, err := doc.Format(*f.format)
		if err != nil {
			return "", &usageError{"explain: " + err.Error()}
		}
		return s, nil
	}
	if err := explain.CheckFormat(*f.format); err != nil {
		return "", &usageError{"explain --analyze: " + err.Error()}
	}
	if len(f.replays) == 0 && len(a.Inputs) > 0 {
		return "", &usageError{"explain --analyze runs the application: give its recording with --replay FILE"}
	}
	o := engine.Options{App: a, Stdout: io.Discard, Stderr: stderr, References: map[string]string{}, TimeOperators: true}
	if err := addReplays(&o, f.replays, f.refs); err != nil { // commands.go
		return "", err
	}
	rec := &explain.Recorder{}
	o.Observer = rec
	st, err := engine.Run(context.Background(), o)
	if err != nil {
		return "", err
	}
	return doc.FormatAnalyzed(*f.format, rec.Analysis(st))
}
