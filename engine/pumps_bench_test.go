//go:build unix

package engine

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

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
