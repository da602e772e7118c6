package explain

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
)

// Figures are one operator's counts after a run (explain --analyze).
type Figures struct {
	Name    string              `json:"name"`
	RowsIn  int64               `json:"rowsIn"`
	RowsOut int64               `json:"rowsOut"`
	Time    time.Duration       `json:"timeNanos"`
	State   operators.StateSize `json:"state"`
}

// Analysis is a run's figures: totals and every operator's.
type Analysis struct {
	Records   int64            `json:"records"`
	Elapsed   time.Duration    `json:"elapsedNanos"`
	RowsOut   map[string]int64 `json:"rowsOut"`
	ErrorRows int64            `json:"errorRows"`
	LateRows  int64            `json:"lateRows"`
	Operators []Figures        `json:"operators"`
}

// Recorder is an engine.Observer that keeps the operators' figures at the
// end of a run (run it with engine.Options.TimeOperators).
type Recorder struct{ ops []Figures }

// Taps implements engine.Observer (no taps).
func (r *Recorder) Taps(*plan.Graph) map[string]operators.Operator { return nil }

// Observe implements engine.Observer: at the end it copies the figures.
func (r *Recorder) Observe(p *engine.Pipeline, final bool) {
	if !final {
		return
	}
	r.ops = r.ops[:0]
	for _, n := range p.Running().Operators() {
		f := Figures{Name: n.Name(), RowsIn: n.Counters().RowsIn, RowsOut: n.Counters().RowsOut, State: n.StateSize()}
		if t, ok := n.(interface{ Time() (time.Duration, bool) }); ok {
			f.Time, _ = t.Time()
		}
		r.ops = append(r.ops, f)
	}
}

// Analysis combines the recorded figures with the run's stats.
func (r *Recorder) Analysis(st engine.Stats) *Analysis {
	return &Analysis{Records: st.RecordsIn, Elapsed: st.ElapsedTime, RowsOut: st.RowsOut, ErrorRows: st.ErrorRows,
		LateRows: st.LateRows, Operators: append([]Figures(nil), r.ops...)}
}

// Summary is the line of totals: records, time, rows out, errors, late.
func (a *Analysis) Summary() string {
	rate := 0.0
	if s := a.Elapsed.Seconds(); s > 0 {
		rate = float64(a.Records) / s
	}
	var out int64
	for _, n := range a.RowsOut {
		out += n
	}
	return fmt.Sprintf("ANALYZE: %d records in %s (%.0f records/s), %d rows out, %d to error_stream, %d late",
		a.Records, a.Elapsed.Round(time.Microsecond), rate, out, a.ErrorRows, a.LateRows)
}

// opTime is the time all operators took.
func (a *Analysis) opTime() time.Duration {
	var total time.Duration
	for _, f := range a.Operators {
		total += f.Time
	}
	return total
}

// share is an operator's part of total, in %.
func share(f Figures, total time.Duration) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(f.Time) / float64(total)
}

// streamNote is what a stream's node adds to its label with an analysis
// (nil: nothing): the rows that went through the stream.
func (a *Analysis) streamNote(stream string) string {
	if a == nil {
		return ""
	}
	for _, f := range a.Operators {
		if f.Name == stream+"/stream" {
			return fmt.Sprintf("\n%d rows", f.RowsOut)
		}
	}
	return ""
}

// pumpNotes is what a pump's label adds with an analysis (nil: nothing):
// one line per operator of the pump, from its scans to its insert, with
// its rows in and out and its time.
func (a *Analysis) pumpNotes(pump string) string {
	if a == nil {
		return ""
	}
	var b strings.Builder
	total := a.opTime()
	for _, f := range a.Operators {
		if kind, ok := strings.CutPrefix(f.Name, pump+"/"); ok && kind != "stream" {
			fmt.Fprintf(&b, "\n%s: %d in, %d out, %s (%.1f%%)", kind, f.RowsIn, f.RowsOut, f.Time.Round(time.Microsecond), share(f, total))
		}
	}
	return b.String()
}

// Text prints the analysis as a table under a line of totals.
func (a *Analysis) Text() string {
	var w strings.Builder
	w.WriteString(a.Summary() + "\n")
	tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "OPERATOR\tROWS IN\tROWS OUT\tTIME\tSHARE\tSTATE ROWS\t")
	total := a.opTime()
	for _, f := range a.Operators {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.1f%%\t%d\t\n", f.Name, f.RowsIn, f.RowsOut, f.Time.Round(time.Microsecond), share(f, total), f.State.Rows)
	}
	tw.Flush()
	// tabwriter right-aligns the first column too: move names left.
	lines := strings.Split(strings.TrimRight(w.String(), "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = leftFirst(lines[i])
	}
	return strings.Join(lines, "\n") + "\n"
}

// leftFirst moves a right-aligned first cell to the left of its column.
func leftFirst(line string) string {
	trimmed := strings.TrimLeft(line, " ")
	pad := len(line) - len(trimmed)
	name, rest, _ := strings.Cut(trimmed, " ")
	return name + strings.Repeat(" ", pad+1) + rest
}
