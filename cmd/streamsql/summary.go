package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/event"
)

// num prints counts with thousands separators (1,000).
var num = message.NewPrinter(language.English)

// printSummary writes the end-of-run figures on stderr: records read per
// input, rows per output stream, error_stream rows by ERROR_NAME, late rows,
// wall time and rate.
func printSummary(w io.Writer, st engine.Stats) {
	fmt.Fprintf(w, "streamsql: %s\n", summaryHead(st))
	for _, in := range st.Inputs {
		num.Fprintf(w, "  input %s: %d records", in.Name, in.Records)
		if in.Failed > 0 {
			num.Fprintf(w, ", %d gave no row", in.Failed)
		}
		fmt.Fprintln(w)
	}
	for _, name := range slices.Sorted(maps.Keys(st.RowsOut)) {
		num.Fprintf(w, "  output %s: %d rows\n", name, st.RowsOut[name])
	}
	if st.ErrorRows > 0 {
		var parts []string
		for _, n := range slices.Sorted(maps.Keys(st.Errors)) {
			parts = append(parts, num.Sprintf("%s %d", n, st.Errors[n]))
		}
		num.Fprintf(w, "  error_stream: %d rows (%s); the first: %s\n", st.ErrorRows, strings.Join(parts, ", "), st.FirstError)
		if !st.ErrorsRouted {
			fmt.Fprintln(w, "  add --out error_stream=- (or an Output named error_stream) to see them all")
		}
	}
	if st.LateRows > 0 {
		num.Fprintf(w, "  late rows: %d (their window was already emitted)\n", st.LateRows)
	}
	if st.LateEventRows > 0 {
		num.Fprintf(w, "  late event rows: %d (an event time in a window already emitted; counted in a later window)\n", st.LateEventRows)
	}
}

// summaryHead is the summary's first line: the time and the records read.
func summaryHead(st engine.Stats) string {
	return num.Sprintf("done in %s: %d records read (%.0f records/s)", st.ElapsedTime.Round(time.Millisecond), st.RecordsIn, recordRate(st))
}

func recordRate(st engine.Stats) float64 {
	if secs := st.ElapsedTime.Seconds(); secs > 0 {
		return float64(st.RecordsIn) / secs
	}
	return 0
}

// inputSummary is one input's figures in the JSON summary.
type inputSummary struct {
	Name    string `json:"name"`
	Records int64  `json:"records"`
	Failed  int64  `json:"failed"`
	Bytes   int64  `json:"bytes"`
}

// logSummary is printSummary as one INFO record (--log-format json,
// event "summary"): the same figures as fields.
func logSummary(log *slog.Logger, st engine.Stats) {
	inputs := []inputSummary{}
	for _, in := range st.Inputs {
		inputs = append(inputs, inputSummary{in.Name, in.Records, in.Failed, in.Bytes})
	}
	attrs := []any{"event", event.Summary, "elapsed_seconds", st.ElapsedTime.Seconds(), "records_in", st.RecordsIn,
		"records_per_second", math.Round(recordRate(st)), "inputs", inputs, "outputs", st.RowsOut, "error_rows", st.ErrorRows}
	if st.ErrorRows > 0 {
		attrs = append(attrs, "errors", st.Errors, "first_error", st.FirstError, "errors_routed", st.ErrorsRouted)
	}
	attrs = append(attrs, "late_rows", st.LateRows, "late_event_rows", st.LateEventRows)
	log.Info(summaryHead(st), attrs...)
}

// runOutcome turns the figures into the exit status: every record of an
// input failing is a failed run, and with --fail-on-error so is any row in
// error_stream.
func runOutcome(st engine.Stats, failOnError bool) error {
	for _, in := range st.Inputs {
		if in.Records > 0 && in.Failed == in.Records {
			return fmt.Errorf("every record of input %s failed (%s); the first: %s", in.Name, num.Sprintf("%d", in.Records), st.FirstError)
		}
	}
	if failOnError && st.ErrorRows > 0 {
		return fmt.Errorf("--fail-on-error: %s rows went to error_stream; the first: %s", num.Sprintf("%d", st.ErrorRows), st.FirstError)
	}
	return nil
}
