package main

import (
	"context"
	"flag"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/event"
)

// liveRunFlags are run's flags for a live run (no --replay).
type liveRunFlags struct {
	position    *string
	refresh     *time.Duration
	checkpoint  *string
	progress    *time.Duration
	attempts    *int
	maxOutage   *time.Duration
	connect     *time.Duration
	drain       *time.Duration
	store       *string
	interval    *time.Duration
	keep        *int
	fresh       *bool
	keepOnStop  *bool
	closeOnStop *bool
	lease       *string
	leaseFor    *time.Duration
}

func liveFlags(fs *flag.FlagSet) liveRunFlags {
	return liveRunFlags{
		position:    fs.String("start-position", "", "live run: where to start reading: NOW, TRIM_HORIZON, LAST_STOPPED_POINT or a time (AT_TIMESTAMP); default: the input's InputStartingPosition, else NOW"),
		refresh:     fs.Duration("reference-refresh", 0, "live run: fetch S3 reference objects again on this period and swap in changed tables (0: load once)"),
		checkpoint:  fs.String("checkpoint-dir", "", "live run: folder of the checkpoints LAST_STOPPED_POINT resumes from (default: .streamsql next to APP)"),
		store:       fs.String("checkpoint", "", "live run: where checkpoints go: s3://bucket/prefix, or a folder (default: --checkpoint-dir)"),
		interval:    fs.Duration("checkpoint-interval", live.DefaultCheckpointInterval, "live run: period of checkpoints (read positions and all window, join and DISTINCT state); 0: only when the run stops (and, when it resumes none, at its start)"),
		keep:        fs.Int("checkpoint-keep", live.DefaultCheckpointKeep, "live run: how many checkpoints to keep (a damaged latest one falls back to the one before)"),
		fresh:       fs.Bool("fresh-state", false, "live run: when the application changed since the last checkpoint, resume from its positions with empty state instead of refusing"),
		keepOnStop:  fs.Bool("keep-windows-on-stop", false, "live run: a stop pauses (the default; the flag is accepted for scripts written before): open windows go into the last checkpoint and the next LAST_STOPPED_POINT run goes on with them"),
		closeOnStop: fs.Bool("close-windows-on-stop", false, "live run: a stop ends the input: every open window closes and its rows are delivered, and the next LAST_STOPPED_POINT run starts with empty state (default: a stop pauses: open windows go into the last checkpoint and the next LAST_STOPPED_POINT run goes on with them, so a stop and a restart equal one run)"),
		lease:       fs.String("lease", "", "live run: dynamodb://TABLE: one instance runs the application, others wait as standbys and take over from the latest checkpoint (use --checkpoint s3://...) when it stops, or stops renewing its lease; the parts of an application that splits are shared among the instances, and one started later is handed its fair share"),
		leaseFor:    fs.Duration("lease-duration", live.DefaultLeaseDuration, "live run: how long a lease lasts without renewal: a standby takes over about this long after the owner died"),
		attempts:    fs.Int("delivery-attempts", 0, "live run: give up on an output record after this many sends and stop with exit 1 (0: retry until delivered, as KDA did)"),
		maxOutage:   fs.Duration("max-outage", 0, "live run: stop with exit 1 when Kinesis stays unreachable this long (0: retry without limit, reporting the outage every 10 s)"),
		connect:     fs.Duration("connect-timeout", 30*time.Second, "live run: fail when an input stream has not answered at all within this time (retries included)"),
		drain:       fs.Duration("drain-timeout", live.DefaultDrainTimeout, "live run: after SIGTERM, how long to deliver what was read; rows still undelivered then fail the run (exit 1)"),
		progress:    fs.Duration("progress-every", 0, "print the run's progress on stderr at this period: a live run's records read and delivered, rates and lag; a replay's records, bytes and time left, instead of its progress bar (0: none; with --log-format json each is a JSON record)"),
	}
}

// runLive runs an application against its Kinesis streams, S3 reference
// data and destinations until SIGTERM or SIGINT; then it stops reading,
// delivers every row emitted, keeps the open windows in its last checkpoint
// (unless --close-windows-on-stop) and exits 0. A second signal exits at once.
func runLive(ctx context.Context, o engine.Options, lf liveRunFlags, progress progressOut, with ...func(*live.Options)) (engine.Stats, error) {
	lo := &live.Options{ReferenceRefresh: *lf.refresh, CheckpointDir: *lf.checkpoint, MaxAttempts: *lf.attempts, MaxOutage: *lf.maxOutage, ConnectTimeout: *lf.connect, DrainTimeout: *lf.drain,
		Checkpoint: *lf.store, CheckpointInterval: *lf.interval, CheckpointKeep: *lf.keep, FreshState: *lf.fresh, CloseWindowsOnStop: *lf.closeOnStop,
		Lease: *lf.lease, LeaseDuration: *lf.leaseFor}
	if lo.CheckpointInterval <= 0 {
		lo.CheckpointInterval = -1 // only at stops
	}
	if *lf.keepOnStop && *lf.closeOnStop {
		return engine.Stats{}, &usageError{"--keep-windows-on-stop and --close-windows-on-stop: choose one (a stop keeps the open windows by default)"}
	}
	pos, ts, err := parsePosition(*lf.position)
	if err != nil {
		return engine.Stats{}, err
	}
	lo.Position, lo.Timestamp = pos, ts
	if *lf.progress > 0 {
		lo.Progress = progressPrinter(progress, *lf.progress)
	}
	for _, f := range with {
		f(lo)
	}
	go exitOnSecondSignal(ctx, o.Log)
	return live.Run(ctx, o, lo)
}

// parsePosition reads --start-position: a keyword or a time.
func parsePosition(s string) (string, time.Time, error) {
	switch strings.ToUpper(s) {
	case "", "NOW", "TRIM_HORIZON", "LAST_STOPPED_POINT":
		return strings.ToUpper(s), time.Time{}, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return "", time.Time{}, &usageError{"--start-position: want NOW, TRIM_HORIZON, LAST_STOPPED_POINT or a time: " + err.Error()}
	}
	return "AT_TIMESTAMP", t, nil
}

// exitOnSecondSignal: after the first signal has asked for a drain, a
// second one ends the process at once (exit 1: what was not yet delivered
// is not).
func exitOnSecondSignal(ctx context.Context, log *slog.Logger) {
	<-ctx.Done()
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	log.Info("stopping: delivering what was read (a second signal exits at once)", "event", event.Stop)
	<-c
	log.Error("second signal: exiting without delivering the rest", "event", event.Exit, "exit_code", 1)
	os.Exit(1)
}

// progressPrinter prints a live run's figures at most once per period:
// records read and delivered, their rates since the last line, and the lag.
func progressPrinter(w progressOut, every time.Duration) func(live.Progress) {
	var last time.Time
	var lastIn, lastOut int64
	start := time.Now()
	return func(p live.Progress) {
		now := time.Now()
		if now.Sub(last) < every {
			return
		}
		var out int64
		for _, n := range p.Delivered {
			out += n
		}
		secs := now.Sub(last).Seconds()
		if last.IsZero() {
			secs = now.Sub(start).Seconds()
		}
		inRate, outRate := float64(p.RecordsIn-lastIn)/max(secs, 1e-3), float64(out-lastOut)/max(secs, 1e-3)
		last, lastIn, lastOut = now, p.RecordsIn, out
		if w.log != nil {
			w.record("records_in", p.RecordsIn, "records_per_second", math.Round(inRate), "delivered", out, "delivered_per_second", math.Round(outRate),
				"lag_ms", p.LagMillis, "arrival_lag_ms", p.ArrivalLagMillis, "waiting", p.Waiting, "retrying", p.Outages)
			return
		}
		switch {
		case p.RecordsIn == 0 && len(p.Waiting) > 0:
			w.line("no record yet: %s", strings.Join(p.Waiting, "; "))
		case p.RecordsIn == 0:
			w.line("no record yet (the streams answer; lag %d ms)", p.LagMillis)
		default:
			w.line("in %d (%.0f/s), delivered %d (%.0f/s), lag %d ms, last record arrived %d ms ago", p.RecordsIn, inRate, out, outRate, p.LagMillis, p.ArrivalLagMillis)
		}
		if len(p.Outages) > 0 {
			w.line("retrying: %s", strings.Join(p.Outages, "; "))
		}
	}
}
