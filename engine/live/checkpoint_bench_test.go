//go:build unix

package live

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
)

// A checkpoint benchmark's state: 1M groups of an open GROUP BY window,
// or 3M rows in a sliding window (10,000 partitions).
type benchState struct {
	name, sql string
	rows      int   // records that build the state
	keys      int   // distinct TRADERs
	step      int64 // arrival step, in thousandths of a millisecond
}

var benchStates = []benchState{
	// Arrivals 1 µs apart: the hour-long window stays open (1M groups)
	// however many records follow.
	{"groupby-1M-groups", `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, COUNT(*), SUM(VOLUME) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TRADER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' HOUR);`, 1_000_000, 1_000_000, 1},
	// Arrivals 1.2 ms apart: an hour holds 3M rows, and as records go on
	// the oldest leave as fast as new ones come (a steady 3M rows).
	{"sliding-3M-rows", `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TRADER RANGE INTERVAL '1' HOUR PRECEDING);`, 3_000_000, 10_000, 1200},
}

// benchRun is a live run's pipeline, feed and checkpointer over a local
// store, fed by the same step as the run loop (take), one GetRecords-sized
// batch at a time.
type benchRun struct {
	st     benchState
	p      *engine.Pipeline
	feed   *engine.Feed
	cps    *checkpointer
	inputs []*liveInput
	data   [][]byte // one JSON record per key (at most 100,000 prices)
	batch  []input.Record
	n      int64 // records fed
}

const benchShard = "shardId-000000000000"

// newBenchRun starts a run and feeds it the records that build the state;
// data is a twin's records (nil: made anew).
func newBenchRun(b *testing.B, st benchState, data [][]byte) *benchRun {
	p := startTrades(b, st.sql)
	r := &benchRun{st: st, p: p, feed: engine.NewFeed(p, time.Hour, nil), batch: make([]input.Record, 500), data: data,
		inputs: []*liveInput{{pos: &kinesis.Checkpoint{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{}}}}}
	r.cps = &checkpointer{lo: &Options{}, store: NewDirStore(b.TempDir(), "bench"), next: 1, p: p, feed: r.feed, app: "bench", inputs: r.inputs}
	for i := range max(st.keys, 100_000) * (1 - min(len(data), 1)) {
		r.data = append(r.data, fmt.Appendf(nil, `{"TRADER":"t%07d","PRICE":%d.5,"VOLUME":%d}`, i%st.keys, i%1000, i%5000))
	}
	take(r.inputs, r.feed, liveBatch{in: 0, b: kinesis.Batch{ShardID: benchShard, Start: true}})
	r.records(st.rows)
	return r
}

var benchBase = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).UnixMilli()

// records feeds n more records.
func (r *benchRun) records(n int) {
	for n > 0 {
		recs := r.batch[:min(n, len(r.batch))]
		for i := range recs {
			recs[i] = input.Record{Data: r.data[r.n%int64(len(r.data))], Arrival: benchBase + r.n*r.st.step/1000,
				ShardID: benchShard, SequenceNumber: "4958"}
			r.n++
		}
		take(r.inputs, r.feed, liveBatch{in: 0, b: kinesis.Batch{ShardID: benchShard, Records: recs, MillisBehindLatest: 1}})
		n -= len(recs)
	}
}

func (r *benchRun) size() (groups, rows int64) {
	for _, op := range r.p.Running().Operators() {
		st := op.StateSize()
		groups += st.Groups
		rows += st.Rows
	}
	return groups, rows
}

// BenchmarkCheckpoint measures one checkpoint as a live run writes it
// (pipeline and feed snapshot, the CRC-32C, a local file written, synced
// and renamed) for a large state. The run loop stops for the snapshot
// only (ms-pause, wall time; cpu-ms-pause, CPU time of the process); the
// write of a periodic checkpoint goes on in the background (cpu-ms-write).
// ms/checkpoint is the whole of it in wall time, the fsync included. The
// first checkpoint of the run, which sizes the buffers, is counted apart
// (cpu-ms-first: its pause and write).
func BenchmarkCheckpoint(b *testing.B) {
	for _, st := range benchStates {
		b.Run(st.name, func(b *testing.B) {
			r := newBenchRun(b, st, nil)
			groups, rows := r.size()
			// The first checkpoint of a run sizes the buffers
			// (cpu-ms-first); the other figures are those of the
			// checkpoints after it.
			c := cpuTime(b)
			if err := r.cps.write(context.Background(), true); err != nil {
				b.Fatal(err)
			}
			first := cpuTime(b) - c
			var pause, pauseCPU, writeCPU time.Duration
			b.ResetTimer()
			for range b.N {
				w0, c0 := time.Now(), cpuTime(b)
				ck, err := r.cps.snapshot(true)
				if err != nil {
					b.Fatal(err)
				}
				w1, c1 := time.Now(), cpuTime(b)
				if err := r.cps.save(context.Background(), ck); err != nil {
					b.Fatal(err)
				}
				pause, pauseCPU, writeCPU = pause+w1.Sub(w0), pauseCPU+c1-c0, writeCPU+cpuTime(b)-c1
			}
			b.StopTimer()
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
			b.ReportMetric(ms(b.Elapsed()), "ms/checkpoint")
			b.ReportMetric(ms(pause), "ms-pause")
			b.ReportMetric(ms(pauseCPU), "cpu-ms-pause")
			b.ReportMetric(ms(writeCPU), "cpu-ms-write")
			b.ReportMetric(float64(first.Microseconds())/1000, "cpu-ms-first")
			b.ReportMetric(float64(r.cps.bytes)/1e6, "MB")
			b.ReportMetric(float64(groups), "groups")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// cpuTime is the CPU time the process has used (user and system, every
// thread: the background write and the garbage collector count too).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckpointThroughput measures what periodic checkpoints cost a
// busy run, by running: two twin runs (the same application, fed the same
// records in the same batches through the run loop's own step, take) hold
// a state of 1M groups or 3M sliding rows; one takes periodic checkpoints
// (the run loop's cps.periodic: snapshot in the loop, write in the
// background), the other none. The machine is shared, so throughput is
// records per CPU-second of the whole process (getrusage: the background
// write counts), not per wall second.
//
// A round is an interval of 10 s (--checkpoint-interval's default) of
// CPU time of the twin without checkpoints: both twins take the same
// records, in pieces of about a hundredth of that (sized by the rate
// measured before the rounds) that alternate (without, with, with,
// without, ...) until the twin without has used 10 CPU-seconds; the twin
// with checkpoints takes one per round. The alternation makes the load of
// the machine, which changes from second to second, weigh on both alike,
// and what their records cost in lumps (a partition's rows outgrowing
// their slice, say) fall on both at the same piece. The checkpoint comes
// at the start of the first piece of the twin with checkpoints, which
// ends only once the background write has ended, so that the write's CPU
// counts on its side. The twins take
// turns at checkpointing from round to round (-benchtime 2x, 4x), as the
// memory each was given makes one a little faster. Each twin's first
// checkpoint, which sizes the buffers, comes before and is not counted
// (BenchmarkCheckpoint reports its cost).
//
// The garbage collector is off while a round runs (it starts after a
// forced collection, not counted): a cycle of the heap behind the two
// states costs about a CPU-second, and the one or two of a round would
// fall on one side or the other by chance, which swamps a difference of a
// few percent. What a checkpoint adds to the collector's work is the
// garbage it makes, reported as alloc-MB/checkpoint (the bytes the twin
// with checkpoints allocated beyond the other's, per checkpoint);
// gc-cycles counts collections that ran during the rounds anyway (the
// memory limit, 8 GiB, forces them). drop-% is 100 × (1 − with/without).
//
// The machine's load still comes in lumps (another process's burst can
// cost one piece a few hundred milliseconds more) that fall on one
// side by chance. drop-median-% is the drop estimated without them: the
// difference of the piece with the checkpoint, plus as many times the
// median difference of the other pieces as there are (which a lasting slowdown
// after a checkpoint would move, and a lump does not).
func BenchmarkCheckpointThroughput(b *testing.B) {
	for _, st := range benchStates {
		b.Run(st.name, func(b *testing.B) {
			var twins [2]*benchRun
			twins[0] = newBenchRun(b, st, nil)
			twins[1] = newBenchRun(b, st, twins[0].data)
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(8 << 30))
			// The rate without checkpoints, over about 1 CPU-second (after
			// a second not counted), sizes the pieces; both twins take the
			// same records.
			runtime.GC()
			var c0 time.Duration
			var n0 int64
			for range 2 {
				c0, n0 = cpuTime(b), twins[0].n
				for cpuTime(b)-c0 < time.Second {
					twins[0].records(50_000)
				}
			}
			twins[1].records(int(twins[0].n - twins[1].n))
			const parts = 100
			interval := int(float64(twins[0].n-n0) / (cpuTime(b) - c0).Seconds() * DefaultCheckpointInterval.Seconds())
			part := interval / parts
			for _, r := range twins {
				if err := r.cps.write(context.Background(), true); err != nil {
					b.Fatal(err)
				}
			}
			var cpu [2]time.Duration
			var alloc [2]uint64
			var pause, robust time.Duration
			gcs := heapMetric("/gc/cycles/total:gc-cycles")
			recs := 0
			b.ResetTimer()
			for i := range b.N {
				// The twins take turns at checkpointing, as the
				// memory each was given makes one a little faster.
				runtime.GC()
				side := [2]*benchRun{twins[i&1], twins[1-i&1]} // without, with
				r := side[1]
				var diff []time.Duration // with - without, per piece
				var round time.Duration  // CPU of the side without
				for t := 0; round < DefaultCheckpointInterval; t++ {
					diff = append(diff, 0)
					for k := range 2 {
						with := k ^ t&1
						c, a := cpuTime(b), heapMetric("/gc/heap/allocs:bytes")
						if with == 1 && t == 0 {
							if err := r.cps.periodic(context.Background()); err != nil {
								b.Fatal(err)
							}
							pause += r.cps.took
						}
						side[with].records(part)
						if with == 1 && t == 0 {
							r.cps.busy <- struct{}{} // the background write has ended
							<-r.cps.busy
							if err := r.cps.err; err != nil {
								b.Fatal(err)
							}
						}
						d := cpuTime(b) - c
						cpu[with] += d
						diff[t] += time.Duration(2*with-1) * d
						if with == 0 {
							round += d
							recs += part
						}
						alloc[with] += heapMetric("/gc/heap/allocs:bytes") - a
					}
				}
				rest := diff[1:]
				slices.Sort(rest)
				robust += diff[0] + time.Duration(len(rest))*rest[len(rest)/2]
			}
			b.StopTimer()
			gcs = heapMetric("/gc/cycles/total:gc-cycles") - gcs - uint64(b.N)
			groups, rows := twins[0].size()
			without, with := float64(recs)/cpu[0].Seconds(), float64(recs)/cpu[1].Seconds()
			b.ReportMetric(without, "rec/cpu-s-without")
			b.ReportMetric(with, "rec/cpu-s-with")
			b.ReportMetric(100*(1-with/without), "drop-%")
			b.ReportMetric(100*robust.Seconds()/(cpu[0]+robust).Seconds(), "drop-median-%")
			b.ReportMetric(float64(pause.Microseconds())/1000/float64(b.N), "ms-pause")
			b.ReportMetric((float64(alloc[1])-float64(alloc[0]))/1e6/float64(b.N), "alloc-MB/checkpoint")
			b.ReportMetric(float64(gcs), "gc-cycles")
			b.ReportMetric(float64(recs)/float64(b.N), "records/interval")
			b.ReportMetric(cpu[0].Seconds()/float64(b.N), "cpu-s/interval")
			b.ReportMetric(float64(groups), "groups")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// heapMetric reads one runtime/metrics counter.
func heapMetric(name string) uint64 {
	m := []metrics.Sample{{Name: name}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}
