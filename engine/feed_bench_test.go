//go:build linux

package engine

import (
	"io"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/input"
)

// BenchmarkLiveFeed is the engine's side of a live run, as engine/live
// drives it: two shard readers hand reads of 1,000 records (the records
// as the Kinesis SDK gives them) to one run loop through a channel; the
// feed merges the shards by arrival and the pipeline runs tumblingSQL.
// "loop" decodes every payload on the run loop (live runs before
// DecodeAhead, and any run on one core); "ahead" hands each read to the
// decoding workers as it is sent (DecodeAhead). Besides wall time it
// reports the process's CPU time per record (user+system, all
// goroutines), the cost of the parallel path, and the CPU time of the run
// loop alone per record (its goroutine locked to a thread): the part that
// does not spread over cores, so the wall time on an idle machine, and a
// figure that a busy machine does not move.
func BenchmarkLiveFeed(b *testing.B) {
	recs := benchRecords(1 << 16)
	shards := [2][]input.Record{}
	for i, r := range recs {
		r.ShardID = []string{"shardId-000000000000", "shardId-000000000001"}[i%2]
		shards[i%2] = append(shards[i%2], r)
	}
	for _, mode := range []string{"loop", "ahead"} {
		b.Run(mode, func(b *testing.B) {
			defer func(v bool) { prefetchNever = v }(prefetchNever)
			prefetchNever = mode == "loop"
			a := benchApp(tumblingSQL)
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, loop0 := cpuTime(), threadTime()
			var n int64
			for range b.N {
				n += liveFeedOnce(b, a, shards[:])
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/record")
			b.ReportMetric(float64(threadTime()-loop0)/float64(n), "loop-cpu-ns/record")
		})
	}
}

func liveFeedOnce(b *testing.B, a *app.Application, shards [][]input.Record) int64 {
	b.Helper()
	p, err := Start(Options{App: a, Connectors: noConnectors{}, Format: "ndjson",
		Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	feed := NewFeed(p, time.Hour, nil)
	ahead := p.DecodeAhead()
	merged := make(chan ShardRead, 16)
	var wg sync.WaitGroup
	for _, recs := range shards {
		id := recs[0].ShardID
		feed.Open(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(recs) > 0 {
				k := min(len(recs), 1000)
				merged <- ShardRead{Shard: id, Records: recs[:k], Decoded: ahead.Decode(0, recs[:k]), MillisBehind: 5000}
				recs = recs[k:]
			}
		}()
	}
	go func() { wg.Wait(); ahead.Close(); close(merged) }()
	for r := range merged {
		feed.Batch(r)
	}
	feed.Drain()
	st, err := p.Finish()
	if err != nil || st.ErrorRows != 0 {
		b.Fatalf("%v, %d error rows", err, st.ErrorRows)
	}
	return st.RecordsIn
}

// threadTime is the CPU time of the calling thread (user and system).
func threadTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
