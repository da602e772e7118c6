package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
)

// progressBar draws a replay's progress on one terminal line of stderr:
// the share of the recordings read, records, bytes, the rate and the time
// left (from the files' sizes). It is an engine.Observer; at the end it
// clears its line, so the run summary follows on a clean screen.
type progressBar struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, now: time.Now}
}

func (b *progressBar) Taps(*plan.Graph) map[string]operators.Operator {
	b.start = b.now()
	return nil
}

func (b *progressBar) Observe(p *engine.Pipeline, final bool) {
	if final {
		if b.drawn {
			fmt.Fprint(b.w, "\r\x1b[K")
		}
		return
	}
	now := b.now()
	if now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	read, total := p.ReplayProgress()
	fmt.Fprint(b.w, "\r"+b.line(p.RecordsIn(), read, total, now.Sub(b.start))+"\x1b[K")
	b.drawn = true
}

// line is the bar's text for records and bytes read after elapsed.
func (b *progressBar) line(records, read, total int64, elapsed time.Duration) string {
	f := replayFigures(records, read, total, elapsed)
	var w strings.Builder
	if total > 0 {
		const width = 24
		done := int(f.frac * width)
		fmt.Fprintf(&w, "%3.0f%% [%s%s] ", 100*f.frac, strings.Repeat("=", done), strings.Repeat(" ", width-done))
	}
	w.WriteString(f.String())
	return w.String()
}

// replayProgress are a replay's figures so far: the bar's, and those
// --progress-every prints.
type replayProgress struct {
	records, read, total int64   // total: the recordings' size, 0 when unknown
	frac                 float64 // the share read, when total is known
	rate                 float64 // records per second
	left                 time.Duration
}

func replayFigures(records, read, total int64, elapsed time.Duration) replayProgress {
	secs := max(elapsed.Seconds(), 1e-3)
	f := replayProgress{records: records, read: read, total: total, rate: float64(records) / secs}
	if total > 0 {
		f.frac = min(1, float64(read)/float64(total))
		if read > 0 && read < total {
			f.left = time.Duration(float64(total-read) / (float64(read) / secs) * float64(time.Second))
		}
	}
	return f
}

// String is the figures in words (the bar's text after its gauge).
func (f replayProgress) String() string {
	var w strings.Builder
	fmt.Fprintf(&w, "%s records", count(f.records))
	if f.total > 0 {
		fmt.Fprintf(&w, "  %s/%s", size(f.read), size(f.total))
	} else if f.read > 0 {
		fmt.Fprintf(&w, "  %s", size(f.read))
	}
	fmt.Fprintf(&w, "  %s records/s", count(int64(f.rate)))
	if f.left > 0 {
		fmt.Fprintf(&w, "  ETA %s", f.left.Round(time.Second))
	}
	return w.String()
}

// count writes n with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// size writes a byte count in binary units.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, u := float64(n), 0
	for f >= unit && u < 4 {
		f /= unit
		u++
	}
	return fmt.Sprintf("%.1f %ciB", f, " KMGT"[u])
}
