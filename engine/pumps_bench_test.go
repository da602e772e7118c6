//go:build unix

package engine

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// pumpsSQL is three pumps over one source, each into its own stream
// (bench/shapes/pumps.sql): they share no state, so with Options.Pumps
// they run on separate goroutines.
const pumpsSQL = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(8), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "TUMBLING" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(VOLUME)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
CREATE OR REPLACE STREAM "SLIDING_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "SLIDING" AS INSERT INTO "SLIDING_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TRADER RANGE INTERVAL '1' MINUTE PRECEDING);
CREATE OR REPLACE STREAM "STAGGER_STREAM" (TRADER VARCHAR(16), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "STAGGER" AS INSERT INTO "STAGGER_STREAM"
  SELECT STREAM TRADER, COUNT(*), SUM(VOLUME)
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY TRADER RANGE INTERVAL '1' MINUTE);`

// BenchmarkReplayPumps replays pumpsSQL with the pumps on one goroutine
// and on several (run it with -cpu 1,2): records/s is wall time, cpu-ns/record
// the process's CPU time (the robust figure on a loaded machine).
func BenchmarkReplayPumps(b *testing.B) {
	for _, m := range []struct {
		name string
		mode PumpMode
	}{{"sequential", PumpsSequential}, {"concurrent", PumpsAuto}} {
		b.Run(m.name, func(b *testing.B) {
			path := benchRecording(b)
			a := benchApp(pumpsSQL)
			b.ReportAllocs()
			var n int64
			cpu := cpuTime()
			for range b.N {
				o := Options{App: a, Replays: []Replay{{Path: path}}, Format: "ndjson", Pumps: m.mode, Stderr: io.Discard,
					Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard, "SLIDING_STREAM": io.Discard, "STAGGER_STREAM": io.Discard}}
				st, err := Run(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				if st.ErrorRows != 0 || st.RowsOut["SLIDING_STREAM"] != st.RecordsIn {
					b.Fatalf("%d error rows, %d sliding rows of %d records", st.ErrorRows, st.RowsOut["SLIDING_STREAM"], st.RecordsIn)
				}
				n += st.RecordsIn
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(n), "cpu-ns/record")
		})
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUTime is cpuTime, for the package's external tests.
var CPUTime = cpuTime
