//go:build unix

package engine_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/observe"
)

// BenchmarkReplayTumblingHTTP is BenchmarkReplayTumbling without and with
// run --http (the observer's snapshots, a tap on every stream for the
// console, the server up and scraped every second), alternating the two
// in every iteration so that both see the same machine; it reports each
// one's records/s and how much slower the run with --http is (issue 16
// asks for under 3%).
func BenchmarkReplayTumblingHTTP(b *testing.B) {
	path := engine.BenchRecording(b)
	a := engine.BenchApp(engine.TumblingSQL)
	var took, cpu [2]time.Duration
	var records [2]int64
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			on := (i+k)%2 == 1 // alternate which goes first
			o := engine.Options{App: a, Replays: []engine.Replay{{Path: path}}, Format: "ndjson",
				Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Stderr: io.Discard}
			stop := func() {}
			if on {
				hub := observe.New(observe.Options{Logger: discardLogger()})
				srv, err := hub.Serve("127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				done := make(chan struct{})
				go scrape("http://"+srv.Addr()+"/metrics", done)
				o.Observer = hub
				stop = func() { close(done); srv.Close() }
			}
			start, cpu0 := time.Now(), engine.CPUTime()
			st, err := engine.Run(context.Background(), o)
			stop()
			d, c := time.Since(start), engine.CPUTime()-cpu0
			if err != nil {
				b.Fatal(err)
			}
			j := 0
			if on {
				j = 1
			}
			took[j] += d
			cpu[j] += c
			records[j] += st.RecordsIn
		}
	}
	off, on := float64(records[0])/took[0].Seconds(), float64(records[1])/took[1].Seconds()
	b.ReportMetric(off, "records/s-off")
	b.ReportMetric(on, "records/s-on")
	b.ReportMetric(100*(off-on)/off, "%slower")
	// CPU time per record: what the process spent, whatever else the
	// machine runs (the wall-clock rates move with other processes' load).
	b.ReportMetric(100*(float64(cpu[1])/float64(records[1])/(float64(cpu[0])/float64(records[0]))-1), "%more-cpu")
}

// scrape reads url every second until done, as Prometheus would (15
// times more often than its default).
func scrape(url string, done chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if resp, err := http.Get(url); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
