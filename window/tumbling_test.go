package window

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func slot(i int) eval.Func {
	return func(_ *eval.Ctx, row []value.Value) value.Value { return row[i] }
}

// step15 is STEP(ROWTIME BY INTERVAL '15' SECOND), in milliseconds.
func step15(t int64) value.Value { return value.NewTimestamp(t - t%15000) }

func stepConfig(aggs ...AggSpec) TumblingConfig {
	return TumblingConfig{
		Keys:      []eval.Func{slot(0), func(c *eval.Ctx, _ []value.Value) value.Value { return step15(c.Rowtime) }},
		TimeKey:   1,
		KeyAt:     step15,
		WindowEnd: func(k value.Value) int64 { return k.I + 15000 },
		Aggs:      aggs,
	}
}

func rows(width int, vals ...any) *operators.Batch {
	b := operators.NewBatch(width, 8)
	for i := 0; i < len(vals); i += width + 1 {
		r := make([]value.Value, width)
		for j := range r {
			switch x := vals[i+1+j].(type) {
			case string:
				r[j] = value.NewString(x)
			case int:
				r[j] = value.NewInt(int64(x))
			case float64:
				r[j] = value.NewFloat(x)
			}
		}
		b.Append(int64(vals[i].(int)), r)
	}
	return b
}

var (
	countStar = AggSpec{Kind: AggCountStar, ResultType: value.Bigint}
	sumInt    = AggSpec{Kind: AggSum, Arg: slot(1), ArgType: value.Integer, ResultType: value.Integer}
	avgInt    = AggSpec{Kind: AggAvg, Arg: slot(1), ArgType: value.Integer, ResultType: value.Integer}
)

func TestTumblingWindowsEmitAtTheirEnd(t *testing.T) {
	out := operatortest.NewCapture(t)
	op := NewTumbling(stepConfig(countStar, sumInt), out)
	// 14999 is in the first window; 15000 is exactly on the boundary and opens the second.
	op.Push(rows(2, 1000, "b", 5, 2000, "a", 7, 14999, "b", 1, 15000, "a", 2))
	if got := strings.Join(out.Lines(), " "); got != "15000:b,1970-01-01 00:00:00.000,2,6 15000:a,1970-01-01 00:00:00.000,1,7" {
		t.Fatalf("after the boundary row: %q", got)
	}
	// Nothing arrives for the second window; a bound past its end closes it.
	op.Advance(29999)
	if len(out.Lines()) != 2 {
		t.Fatalf("closed too early: %v", out.Lines())
	}
	op.Advance(30000)
	if got := out.Lines()[2]; got != "30000:a,1970-01-01 00:00:15.000,1,2" {
		t.Fatalf("second window: %q", got)
	}
	// An empty window (30000..45000) emits nothing; the next data lands in its own window.
	op.Push(rows(2, 50000, "c", 3))
	op.Advance(operators.EndOfTime)
	if got := out.Lines()[3]; got != "60000:c,1970-01-01 00:00:45.000,1,3" || len(out.Lines()) != 4 {
		t.Fatalf("end of input: %v", out.Lines())
	}
}

func TestTumblingNullsAndIntegerAverage(t *testing.T) {
	out := operatortest.NewCapture(t)
	count := AggSpec{Kind: AggCount, Arg: slot(1), ArgType: value.Integer, ResultType: value.Bigint}
	op := NewTumbling(stepConfig(countStar, count, sumInt, avgInt), out)
	b := rows(2, 1, "Denver", 29, 2, "Denver", 32, 3, "Denver", 50, 4, "Denver", 43)
	b.Append(5, []value.Value{value.Null, value.Null})
	b.Append(6, []value.Value{value.Null, value.Null})
	op.Push(b)
	op.Advance(operators.EndOfTime)
	want := "15000:Denver,1970-01-01 00:00:00.000,4,4,154,38 15000:,1970-01-01 00:00:00.000,2,0,,"
	if got := strings.Join(out.Lines(), " "); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestTumblingMinMaxStddev(t *testing.T) {
	out := operatortest.NewCapture(t)
	str := value.Type{Base: value.TVarchar}
	op := NewTumbling(TumblingConfig{
		Keys:    []eval.Func{func(c *eval.Ctx, _ []value.Value) value.Value { return step15(c.Rowtime) }},
		TimeKey: 0, KeyAt: step15, WindowEnd: func(k value.Value) int64 { return k.I + 15000 },
		Aggs: []AggSpec{
			{Kind: AggMin, Arg: slot(0), ArgType: str, ResultType: str},
			{Kind: AggMax, Arg: slot(0), ArgType: str, ResultType: str},
			{Kind: AggStddevPop, Arg: slot(1), ArgType: value.Double, ResultType: value.Double},
			{Kind: AggVarSamp, Arg: slot(1), ArgType: value.Double, ResultType: value.Double},
		},
	}, out)
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	b := operators.NewBatch(2, 8)
	for i, x := range xs {
		b.Append(int64(i), []value.Value{value.NewString(string(rune('m' + i%3))), value.NewFloat(x)})
	}
	op.Push(b)
	op.Advance(operators.EndOfTime)
	var mean, ss float64
	for _, x := range xs {
		mean += x / float64(len(xs))
	}
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	want := fmt.Sprintf("15000:1970-01-01 00:00:00.000,m,o,%s,%s", fmtF(math.Sqrt(ss/8)), fmtF(ss/7))
	if len(out.Lines()) != 1 || out.Lines()[0] != want {
		t.Fatalf("got %v want %s", out.Lines(), want)
	}
}

func fmtF(f float64) string { return value.Text(value.NewFloat(f), value.Double) }

func TestTumblingMonotonicKeyAndLateRows(t *testing.T) {
	out := operatortest.NewCapture(t)
	e := &operatortest.Errors{}
	op := NewTumbling(TumblingConfig{Keys: []eval.Func{slot(0)}, TimeKey: 0, Aggs: []AggSpec{countStar}, Errors: e, Pump: "P"}, out)
	op.Push(rows(1, 10, 1, 11, 1, 20, 2, 21, 1, 30, 3))
	op.Advance(operators.EndOfTime)
	if got := strings.Join(out.Lines(), " "); got != "20:1,2 30:2,1 30:3,1" {
		t.Fatalf("rows %q", got)
	}
	tm := op.(interface{ Late() int64 })
	if tm.Late() != 1 || len(e.Recs) != 1 || e.Recs[0].Name != "Late row" || e.Recs[0].Pump != "P" {
		t.Fatalf("late %d, errors %+v", tm.Late(), e.Recs)
	}
}

func TestTumblingSumOverflowIsAnErrorRow(t *testing.T) {
	out := operatortest.NewCapture(t)
	e := &operatortest.Errors{}
	cfg := stepConfig(AggSpec{Kind: AggSum, Arg: slot(1), ArgType: value.Bigint, ResultType: value.Bigint})
	cfg.Errors = e
	op := NewTumbling(cfg, out)
	b := operators.NewBatch(2, 4)
	b.Append(1, []value.Value{value.NewString("x"), value.NewInt(math.MaxInt64)})
	b.Append(2, []value.Value{value.NewString("x"), value.NewInt(1)})
	b.Append(3, []value.Value{value.NewString("y"), value.NewInt(1)})
	op.Push(b)
	op.Advance(operators.EndOfTime)
	if len(out.Lines()) != 1 || out.Lines()[0] != "15000:y,1970-01-01 00:00:00.000,1" || len(e.Recs) != 1 || e.Recs[0].Name != eval.ErrArithmetic {
		t.Fatalf("rows %v errors %+v", out.Lines(), e.Recs)
	}
}

func BenchmarkTumblingCountSum(b *testing.B) {
	sumD := AggSpec{Kind: AggSum, Arg: slot(1), ArgType: value.Double, ResultType: value.Double}
	op := NewTumbling(stepConfig(countStar, sumD), &operatortest.Count{})
	keys := make([]value.Value, 100)
	for i := range keys {
		keys[i] = value.NewString(fmt.Sprintf("TICKER%03d", i))
	}
	batch := operators.NewBatch(2, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	t0 := int64(0)
	for n := 0; n < b.N; n++ {
		batch.Reset()
		for i := 0; i < 1024; i++ {
			batch.Append(t0, []value.Value{keys[i%100], value.NewFloat(float64(i))})
			t0 += 2
		}
		op.Push(batch)
	}
	b.ReportMetric(float64(b.N*1024)/time.Since(start).Seconds(), "rows/s")
}
