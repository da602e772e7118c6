package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/observe"
)

// observeFlags are run's flags for watching a run: the HTTP endpoint
// (metrics, health, console) and the logs.
type observeFlags struct {
	http      *string
	hold      *bool
	readyAge  *time.Duration
	logFormat *string
	logLevel  *string
}

func addObserveFlags(fs *flag.FlagSet) observeFlags {
	return observeFlags{
		http:      fs.String("http", "", "serve Prometheus /metrics, /healthz, /readyz and the web console on `ADDR` (\":8080\" binds 127.0.0.1; off by default)"),
		hold:      fs.Bool("hold", false, "with --http: keep serving after the run ends, until interrupted (inspect a replay in the console)"),
		readyAge:  fs.Duration("ready-max-age", observe.DefaultReadyMaxAge, "with --http, live run: /readyz fails when an open shard was last read longer ago than this"),
		logFormat: fs.String("log-format", "text", "log lines on stderr (warnings, a live run's events): text (\"streamsql: warning: ...\" lines) or json (log/slog)"),
		logLevel:  fs.String("log-level", "info", "least level logged: debug, info, warn or error"),
	}
}

// logger makes the run's structured logger on stderr.
func (f observeFlags) logger(stderr io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*f.logLevel)); err != nil {
		return nil, &usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", *f.logLevel)}
	}
	opts := slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(*f.logFormat) {
	case "text":
		return slog.New(newPlainHandler(stderr, opts)), nil // logtext.go
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, &opts)), nil
	}
	return nil, &usageError{fmt.Sprintf("--log-format %q: want text or json", *f.logFormat)}
}

// json reports whether every line of the run is a JSON log record
// (--log-format json): then the progress, the summary and a failure are
// records too (semantics 122).
func (f observeFlags) json() bool { return strings.EqualFold(*f.logFormat, "json") }

// logFailure writes the run's failure as an ERROR record (event "exit",
// with the exit code) instead of report's plain line; the error returned
// keeps the exit code and prints nothing more.
func logFailure(log *slog.Logger, err error) error {
	msg, code := describe(err)
	if msg == "" {
		return err
	}
	log.Error(strings.TrimPrefix(msg, "streamsql: "), "event", event.Exit, "exit_code", code)
	return &failedError{code}
}

// watcher is what --http adds to a run.
type watcher struct {
	hub  *observe.Hub
	srv  *observe.Server
	hold bool
	log  *slog.Logger
}

// start serves the hub when --http is given (nil watcher otherwise) and
// makes it the run's observer.
func (f observeFlags) start(o *engine.Options, log *slog.Logger) (*watcher, error) {
	if *f.http == "" {
		if *f.hold {
			return nil, &usageError{"--hold keeps the --http server up after the run: give --http ADDR too"}
		}
		return nil, nil
	}
	hub := observe.New(observe.Options{ReadyMaxAge: *f.readyAge, Version: version, Logger: log})
	srv, err := hub.Serve(*f.http)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	o.Observer = hub
	return &watcher{hub: hub, srv: srv, hold: *f.hold, log: log}, nil
}

// live lets the hub watch a live run's Kinesis sources.
func (w *watcher) live(lo *live.Options) {
	if w != nil {
		lo.Watch = w.hub.WatchSource
		lo.Unwatch = w.hub.UnwatchSource
		lo.Checkpointed = w.hub.Checkpointed
		lo.CheckpointPruneFailed = w.hub.CheckpointPruneFailed
	}
}

// stop keeps serving until ctx ends when --hold was given, then closes
// the server. A server that stopped serving during the run (its listener
// failed) is logged as an error: scrapes and probes went unanswered. The
// run's rows are unaffected, so its exit code stays.
func (w *watcher) stop(ctx context.Context) {
	if w == nil {
		return
	}
	if w.hold && ctx.Err() == nil {
		w.log.Info("the run has ended; still serving its figures until interrupted", "event", "hold", "url", "http://"+w.srv.Addr()+"/")
		<-ctx.Done()
	}
	if err := w.srv.Close(); err != nil {
		w.log.Error("the --http server stopped serving before the end of the run", "event", "http", "err", err)
	}
}

// withLog makes a live run report its events (retries, throttling,
// resharding, checkpoints, reference refreshes) as structured lines, and
// its other lines (lease, resume, warnings written "warning: ...") through
// the same logger, so --log-format json leaves no plain line.
func withLog(log *slog.Logger) func(*live.Options) {
	return func(lo *live.Options) {
		lo.Log = log
		lo.Logf = func(format string, args ...any) {
			msg := fmt.Sprintf(format, args...)
			if rest, ok := strings.CutPrefix(msg, "warning: "); ok {
				log.Warn(rest, "event", event.Live)
				return
			}
			log.Info(msg, "event", event.Live)
		}
	}
}
