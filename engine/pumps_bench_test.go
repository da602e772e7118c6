//go:build unix

package engine

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// BenchmarkReplayPumps replays bench/shapes/pumps.sql with the pumps on one goroutine
// and in the automatic mode (on several when GOMAXPROCS allows: run it
// with -cpu 1,2), alternating the two in every iteration so that both see
// the same machine. It reports each mode's wall time and CPU time (the
// robust figure on a loaded machine) per record, and their ratios.
func BenchmarkReplayPumps(b *testing.B) {
	path := benchRecording(b)
	a := benchApp(pumpsSQL(b))
	modes := []PumpMode{PumpsSequential, PumpsAuto}
	var wall, cpu [2]time.Duration
	var records [2]int64
	for i := range b.N {
		for k := range 2 {
			m := (i + k) % 2 // alternate which goes first
			o := Options{App: a, Replays: []Replay{{Path: path}}, Format: "ndjson", Pumps: modes[m], Stderr: io.Discard,
				Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard, "SLIDING_STREAM": io.Discard, "STAGGER_STREAM": io.Discard}}
			start, cpu0 := time.Now(), cpuTime()
			st, err := Run(context.Background(), o)
			if err != nil {
				b.Fatal(err)
			}
			wall[m] += time.Since(start)
			cpu[m] += cpuTime() - cpu0
			if st.ErrorRows != 0 || st.RowsOut["SLIDING_STREAM"] != st.RecordsIn {
				b.Fatalf("%d error rows, %d sliding rows of %d records", st.ErrorRows, st.RowsOut["SLIDING_STREAM"], st.RecordsIn)
			}
			records[m] += st.RecordsIn
		}
	}
	per := func(d time.Duration, m int) float64 { return float64(d) / float64(records[m]) }
	b.ReportMetric(per(wall[0], 0), "wall-ns/record-seq")
	b.ReportMetric(per(wall[1], 1), "wall-ns/record-auto")
	b.ReportMetric(per(cpu[0], 0), "cpu-ns/record-seq")
	b.ReportMetric(per(cpu[1], 1), "cpu-ns/record-auto")
	b.ReportMetric(per(wall[1], 1)/per(wall[0], 0), "wall-auto/seq")
	b.ReportMetric(per(cpu[1], 1)/per(cpu[0], 0), "cpu-auto/seq")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUTime is cpuTime, for the package's external tests.
var CPUTime = cpuTime
