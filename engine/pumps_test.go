package engine

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/input"
)

// pumpsSQL is bench/shapes/pumps.sql: three pumps over one source, each
// into its own stream; they share no state, so with Options.Pumps they run
// on separate goroutines.
func pumpsSQL(t testing.TB) string {
	b, err := os.ReadFile("../bench/shapes/pumps.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeRecording writes n of benchRecords, one every 20 ms, as a
// recording.
func writeRecording(t *testing.T, n int) string {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := input.NewWriter(f)
	for i, r := range benchRecords(n) {
		r.Arrival += int64(i) * 19
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConcurrentPumpsReplayIdentical replays a recording through three
// independent pumps (tumbling, sliding, stagger) and a fourth feeding a
// fifth (one part), with the pumps in the automatic mode at GOMAXPROCS 1,
// 2 and 4 and forced onto separate goroutines: every output and
// error_stream must be the bytes of the one-goroutine run, with several
// streams written to one writer (their rows interleave as in that run).
// The automatic mode must fork on two cores: the recording's batches are
// big enough.
func TestConcurrentPumpsReplayIdentical(t *testing.T) {
	rec := writeRecording(t, 6000)
	code := pumpsSQL(t) + `
CREATE OR REPLACE STREAM "CHEAP" (TICKER_SYMBOL VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "FILTER" AS INSERT INTO "CHEAP"
  SELECT STREAM TICKER_SYMBOL, VOLUME / MOD(VOLUME, 7) FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 60;
CREATE OR REPLACE STREAM "CHEAP_COUNT" (TICKER_SYMBOL VARCHAR(8), N BIGINT);
CREATE OR REPLACE PUMP "COUNT_CHEAP" AS INSERT INTO "CHEAP_COUNT"
  SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM "CHEAP"
  GROUP BY TICKER_SYMBOL, STEP("CHEAP".ROWTIME BY INTERVAL '10' SECOND);`
	run := func(mode PumpMode) (string, int64) {
		var out, shared, errs bytes.Buffer
		p, err := Start(Options{App: benchApp(code), Replays: []Replay{{Path: rec}}, Format: "ndjson", Rowtime: true, Pumps: mode,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &shared, "STAGGER_STREAM": &shared, "SLIDING_STREAM": &out,
				"CHEAP_COUNT": &shared, "error_stream": &errs}, Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		rp, err := p.OpenReplays()
		if err != nil {
			t.Fatal(err)
		}
		defer rp.Close()
		for {
			if _, ok := rp.PushNext(p); !ok {
				break
			}
		}
		st, err := p.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if st.ErrorRows == 0 || st.RowsOut["SLIDING_STREAM"] != st.RecordsIn {
			t.Fatalf("%d error rows, %d sliding rows of %d records", st.ErrorRows, st.RowsOut["SLIDING_STREAM"], st.RecordsIn)
		}
		return shared.String() + "\n-- sliding\n" + out.String() + "\n-- errors\n" + errs.String(), p.Running().Forks()
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	want, _ := run(PumpsSequential)
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, mode := range []PumpMode{PumpsAuto, PumpsConcurrent} {
			got, forks := run(mode)
			if got != want {
				t.Errorf("GOMAXPROCS %d, mode %d: the output differs\n%s", procs, mode, firstDiff(got, want))
			}
			if (forks > 0) != (procs > 1 || mode == PumpsConcurrent) {
				t.Errorf("GOMAXPROCS %d, mode %d: %d forks", procs, mode, forks)
			}
		}
	}
}

// TestPumpsSayWhy: a run says at debug level whether its pumps run at
// once, and why not.
func TestPumpsSayWhy(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	pumps := pumpsSQL(t)
	for _, c := range []struct {
		code  string
		procs int
		mode  PumpMode
		want  string
	}{
		{pumps, 2, PumpsAuto, `"parts":3,"concurrent":true,"goroutines":2,"min_rows":256`},
		{pumps, 4, PumpsAuto, `"parts":3,"concurrent":true,"goroutines":3,"min_rows":256`},
		{pumps, 1, PumpsConcurrent, `"parts":3,"concurrent":true,"goroutines":2,"min_rows":0`},
		{pumps, 1, PumpsAuto, `"parts":3,"concurrent":false,"reason":"one core (GOMAXPROCS 1)"`},
		{pumps, 2, PumpsSequential, `"parts":3,"concurrent":false,"reason":"Options.Pumps is PumpsSequential"`},
		{tumblingSQL, 2, PumpsAuto, `"parts":1,"concurrent":false,"reason":"no two pumps are independent (one part)"`},
	} {
		runtime.GOMAXPROCS(c.procs)
		var lb bytes.Buffer
		_, err := Run(context.Background(), Options{App: benchApp(c.code), Replays: []Replay{{Path: writeRecording(t, 10)}}, Pumps: c.mode,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Stderr: io.Discard,
			Log: slog.New(slog.NewJSONHandler(&lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(lb.String(), `"event":"pumps"`) || !strings.Contains(lb.String(), c.want) {
			t.Errorf("GOMAXPROCS %d, mode %d: want %s in\n%s", c.procs, c.mode, c.want, lb.String())
		}
	}
}
