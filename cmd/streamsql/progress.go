package main

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
)

// progressOut is where a run's periodic figures go (--progress-every):
// "streamsql: progress: ..." lines on stderr, or with --log-format json
// one INFO record each (event "progress", the figures as fields).
type progressOut struct {
	w   io.Writer
	log *slog.Logger // set: JSON records
}

func (o progressOut) line(format string, args ...any) {
	fmt.Fprintf(o.w, "streamsql: progress: "+format+"\n", args...)
}

func (o progressOut) record(attrs ...any) {
	o.log.Info("progress", append([]any{"event", event.Progress}, attrs...)...)
}

// replayTicker reports a replay's progress every period (--progress-every)
// instead of the bar. It is an engine.Observer.
type replayTicker struct {
	out         progressOut
	every       time.Duration
	now         func() time.Time
	start, last time.Time
}

func newReplayTicker(out progressOut, every time.Duration) *replayTicker {
	return &replayTicker{out: out, every: every, now: time.Now}
}

func (r *replayTicker) Taps(*plan.Graph) map[string]operators.Operator {
	r.start = r.now()
	r.last = r.start
	return nil
}

func (r *replayTicker) Observe(p *engine.Pipeline, final bool) {
	now := r.now()
	if final || now.Sub(r.last) < r.every {
		return // the summary gives the end
	}
	r.last = now
	read, total := p.ReplayProgress()
	f := replayFigures(p.RecordsIn(), read, total, now.Sub(r.start))
	if r.out.log == nil {
		if total > 0 {
			r.out.line("%.0f%%  %s", 100*f.frac, f)
		} else {
			r.out.line("%s", f)
		}
		return
	}
	attrs := []any{"records_in", f.records, "records_per_second", math.Round(f.rate), "bytes_read", f.read}
	if total > 0 {
		attrs = append(attrs, "bytes_total", f.total, "percent", math.Round(1000*f.frac)/10, "eta_seconds", math.Round(f.left.Seconds()))
	}
	r.out.record(attrs...)
}
