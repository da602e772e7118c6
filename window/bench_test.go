package window

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// keys10k are 10,000 partition keys.
func keys10k() []value.Value {
	keys := make([]value.Value, 10000)
	for i := range keys {
		keys[i] = value.NewString(fmt.Sprintf("trader-%05d", i))
	}
	return keys
}

// pushKeyed feeds op b.N batches of 1,024 rows (key, value), one row per
// millisecond, cycling through keys, and reports rows/s.
func pushKeyed(b *testing.B, op operators.Operator, keys []value.Value) {
	batch := operators.NewBatch(2, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	t0 := int64(0)
	k := 0
	for n := 0; n < b.N; n++ {
		batch.Reset()
		for i := 0; i < 1024; i++ {
			batch.Append(t0, []value.Value{keys[k%len(keys)], value.NewFloat(float64(i))})
			t0++
			k += 7
		}
		op.Push(batch)
	}
	b.ReportMetric(float64(b.N*1024)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkSlidingAvg10k: AVG OVER (PARTITION BY key RANGE INTERVAL '1'
// MINUTE PRECEDING), 10,000 keys, one row per millisecond (so ~6 rows per
// partition in each frame and rows expiring all the time).
func BenchmarkSlidingAvg10k(b *testing.B) {
	keys := keys10k()
	op := NewSliding(SlidingConfig{Width: 2,
		Frames: []Frame{{Partition: []eval.Func{slot(0)}, Range: 60000}},
		Calls:  []AnalyticSpec{{Kind: AggAvg, Arg: slot(1), ArgType: value.Double, ResultType: value.Double}},
	}, &operatortest.Count{})
	pushKeyed(b, op, keys)
}

// BenchmarkStagger10k: COUNT(*) and SUM in one-minute stagger windows over
// 10,000 partition keys, one row per millisecond.
func BenchmarkStagger10k(b *testing.B) {
	keys := keys10k()
	op := NewStagger(StaggerConfig{Keys: []eval.Func{slot(0)}, Range: 60000, Aggs: []AggSpec{
		{Kind: AggCountStar, ResultType: value.Bigint},
		{Kind: AggSum, Arg: slot(1), ArgType: value.Double, ResultType: value.Double},
	}}, &operatortest.Count{})
	pushKeyed(b, op, keys)
}

// BenchmarkTumblingGroups: COUNT(*) and SUM per ticker with 1M distinct
// tickers in one window; reports the live heap per open group (B/group),
// measured after a GC with every group open, and the estimate the window
// itself gives (groups.bytes).
func BenchmarkTumblingGroups(b *testing.B) {
	const groups = 1 << 20
	keys := make([]value.Value, groups)
	for i := range keys {
		keys[i] = value.NewString(fmt.Sprintf("T%07d", i))
	}
	var perGroup, estimate float64
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		out := &operatortest.Count{}
		op := NewTumbling(TumblingConfig{Keys: []eval.Func{slot(0), slot(2)}, TimeKey: 1, Aggs: []AggSpec{
			{Kind: AggCountStar, ResultType: value.Bigint},
			{Kind: AggSum, Arg: slot(1), ArgType: value.Bigint, ResultType: value.Bigint},
		}}, out)
		batch := operators.NewBatch(3, 1024)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 0; i < groups; i += 1024 {
			batch.Reset()
			for j := i; j < i+1024; j++ {
				batch.Append(int64(j), []value.Value{keys[j], value.NewInt(int64(j % 5000)), value.NewInt(0)})
			}
			op.Push(batch)
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		perGroup = float64(after.HeapAlloc-before.HeapAlloc) / groups
		estimate = float64(op.(*Tumbling).wins[0].bytes()) / groups
		op.Advance(operators.EndOfTime)
		if out.Rows != groups {
			b.Fatalf("%d rows out", out.Rows)
		}
	}
	b.ReportMetric(perGroup, "B/group")
	b.ReportMetric(estimate, "estimated-B/group") // what groups.bytes (StateSize) says
}
