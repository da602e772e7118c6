package window

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// storeConfig is a windowed aggregation over rows (key, x INTEGER,
// f DOUBLE, flag BOOLEAN, d DECIMAL(10,2), s VARCHAR) with calls kept in
// each kind of row slot: none (COUNT(*)), compact (COUNT, SUM, AVG of
// integers, doubles and decimals, STDDEV, EXP_AVG, ANY, EVERY) and values
// (MIN, MAX, LAG, FIRST_VALUE).
func storeConfig() SlidingConfig {
	dec := value.Type{Base: value.TDecimal, Precision: 19, Scale: 2}
	cfg := SlidingConfig{Width: 6, Frames: []Frame{
		{Partition: []eval.Func{slot(0)}, Range: 3000},
		{Partition: []eval.Func{slot(0)}, Rows: true, N: 4},
		{Range: 800},
		{Partition: []eval.Func{slot(0), slot(3)}, Range: 0},
	}}
	for fi := range cfg.Frames {
		for _, c := range []AnalyticSpec{
			{Kind: AggCountStar, ResultType: value.Bigint},
			{Kind: AggCount, Arg: slot(5), ResultType: value.Bigint},
			{Kind: AggSum, Arg: slot(1), ResultType: value.Bigint},
			{Kind: AggAvg, Arg: slot(1), ResultType: value.Double},
			{Kind: AggSum, Arg: slot(4), ResultType: dec},
			{Kind: AggAvg, Arg: slot(4), ResultType: dec},
			{Kind: AggSum, Arg: slot(1), ResultType: dec},
			{Kind: AggStddevSamp, Arg: slot(2), ResultType: value.Double},
			{Kind: AggExpAvg, Arg: slot(2), ResultType: value.Double, HalfLife: 500},
			{Kind: AggAny, Arg: slot(3), ResultType: value.Boolean},
			{Kind: AggEvery, Arg: slot(3), ResultType: value.Boolean},
			{Kind: AggMin, Arg: slot(5), ResultType: value.Varchar},
			{Kind: AggMax, Arg: slot(4), ResultType: dec},
			{Kind: AggLag, Arg: slot(5), ResultType: value.Varchar, Offset: 1},
			{Kind: AggFirstValue, Arg: slot(1), ResultType: value.Integer, IgnoreNulls: true},
		} {
			c.Frame = fi
			cfg.Calls = append(cfg.Calls, c)
		}
	}
	return cfg
}

// storeRows are random rows: 60 keys (some longer than a partition holds
// in place), NULLs in every column, gaps that drop quiet partitions, and
// bursts of one key that grow its rings past 64 rows and shrink them back.
func storeRows() (times []int64, rows [][]value.Value) {
	rng := rand.New(rand.NewSource(3))
	tm := int64(1_700_000_000_000)
	maybe := func(v value.Value) value.Value {
		if rng.Intn(6) == 0 {
			return value.Null
		}
		return v
	}
	for i := 0; i < 6000; i++ {
		key := fmt.Sprintf("k%d", rng.Intn(60))
		switch {
		case i%1500 >= 1200 && i%1500 < 1400: // a burst
			key = "burst"
			tm += int64(rng.Intn(3))
		case rng.Intn(50) == 0:
			tm += 4000 + int64(rng.Intn(3000)) // past the longest frame
		default:
			tm += int64(rng.Intn(120))
		}
		if strings.HasSuffix(key, "7") {
			key += strings.Repeat("-long", 6)
		}
		// Decimals of scale 1 and 2, summed at scale 2.
		d := value.NewDecimal(int64(rng.Intn(100000)-50000), uint8(1+rng.Intn(2)))
		rows = append(rows, []value.Value{
			value.NewString(key),
			maybe(value.NewInt(int64(rng.Intn(2000) - 1000))),
			maybe(value.NewFloat(rng.NormFloat64() * 100)),
			maybe(value.NewBool(rng.Intn(3) == 0)),
			maybe(d),
			maybe(value.NewString(fmt.Sprintf("s%03d", rng.Intn(500)))),
		})
		times = append(times, tm)
	}
	return times, rows
}

// TestSlidingSnapshotResumes: an operator snapshotted after every batch and
// restored into a fresh one gives exactly the rows of one never stopped,
// its snapshots are the same bytes as the one it was restored from, and
// its StateSize counts what a walk of its partitions finds.
func TestSlidingSnapshotResumes(t *testing.T) {
	cfg := storeConfig()
	times, rows := storeRows()
	straight := operatortest.NewCapture(t)
	resumed := operatortest.NewCapture(t)
	a, b := NewSliding(cfg, straight), NewSliding(cfg, resumed)
	inBatches(times, rows, cfg.Width, func(i int, batch *operators.Batch) {
		a.Push(batch)
		b.Push(batch)
		var state bytes.Buffer
		if err := b.Snapshot(&state); err != nil {
			t.Fatal(err)
		}
		b = NewSliding(cfg, resumed)
		if err := b.Restore(bytes.NewReader(state.Bytes())); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		var again bytes.Buffer
		if err := b.Snapshot(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(state.Bytes(), again.Bytes()) {
			t.Fatalf("row %d: the restored operator's snapshot differs", i)
		}
		checkStateSize(t, a)
	})
	if len(straight.Rows) != len(rows) || len(resumed.Rows) != len(rows) {
		t.Fatalf("%d and %d rows out for %d in", len(straight.Rows), len(resumed.Rows), len(rows))
	}
	sameRows(t, straight.Rows, resumed.Rows)
}

// inBatches appends the rows to a batch and hands it to push every 37 rows
// and at the last (i is the last row in it), then empties it.
func inBatches(times []int64, rows [][]value.Value, width int, push func(i int, b *operators.Batch)) {
	batch := operators.NewBatch(width, 64)
	for i := range rows {
		batch.Append(times[i], rows[i])
		if i%37 == 36 || i == len(rows)-1 {
			push(i, batch)
			batch.Reset()
		}
	}
}

// sameRows fails unless got is the last len(got) rows of want, value for
// value and kind for kind.
func sameRows(t *testing.T, want, got [][]value.Value) {
	t.Helper()
	skip := len(want) - len(got)
	for i, r := range got {
		for c, y := range r {
			if x := want[skip+i][c]; !value.Identical(x, y) || x.K != y.K {
				t.Fatalf("row %d column %d: %v straight, %v resumed", skip+i, c, x, y)
			}
		}
	}
}

// checkStateSize compares the running totals behind StateSize with a walk
// of every partition.
func checkStateSize(t *testing.T, s *Sliding) {
	t.Helper()
	var groups, rows, text int64
	for _, fs := range s.frames {
		for _, pi := range fs.index.parts() {
			p := &fs.parts[pi]
			groups++
			rows += p.end - p.first
			for seq := p.first; seq < p.end; seq++ {
				for j := range fs.calls {
					if fs.slots[j].pack == packValue {
						text += int64(len(p.at(seq, fs.vstride, fs.slots[j].val).S))
					}
				}
			}
		}
		text -= fs.textBytes
	}
	st := s.StateSize()
	if st.Groups != groups || st.Rows != rows || text != 0 || st.Bytes <= 0 {
		t.Fatalf("StateSize %+v, a walk finds %d groups, %d rows, text off by %d", st, groups, rows, text)
	}
}

// TestSlidingRestoresOlderState: a state written by the code before the
// compact rows (commit 23a149a, rows of whole values, testdata) restores,
// and the operator goes on exactly as one that was never stopped.
func TestSlidingRestoresOlderState(t *testing.T) {
	// The calls of storeConfig's first frame; the state was taken after
	// the first 111 rows of storeRows.
	cfg := storeConfig()
	cfg.Frames = cfg.Frames[:1]
	cfg.Calls = slices.DeleteFunc(cfg.Calls, func(c AnalyticSpec) bool { return c.Frame != 0 })
	const taken = 111
	state, err := os.ReadFile("testdata/sliding-23a149a.state")
	if err != nil {
		t.Fatal(err)
	}
	times, rows := storeRows()
	straight := operatortest.NewCapture(t)
	resumed := operatortest.NewCapture(t)
	a, b := NewSliding(cfg, straight), NewSliding(cfg, resumed)
	inBatches(times, rows, cfg.Width, func(i int, batch *operators.Batch) {
		a.Push(batch)
		if i == taken-1 {
			if err := b.Restore(bytes.NewReader(state)); err != nil {
				t.Fatal(err)
			}
		} else if i >= taken {
			b.Push(batch)
		}
	})
	if len(resumed.Rows) != len(rows)-taken || len(straight.Rows) != len(rows) {
		t.Fatalf("%d rows out after the restore, want %d", len(resumed.Rows), len(rows)-taken)
	}
	sameRows(t, straight.Rows, resumed.Rows)
}

// TestSlidingCompactsAfterABurst: once a burst of 20,000 keys has gone
// quiet, the frame's partitions are moved into small slices, and the rows
// out and the state are what they are without compacting.
func TestSlidingCompactsAfterABurst(t *testing.T) {
	cfg := SlidingConfig{Width: 3, Frames: []Frame{{Partition: []eval.Func{slot(0)}, Range: 1000}}, Calls: []AnalyticSpec{
		{Kind: AggCountStar, ResultType: value.Bigint},
		{Kind: AggSum, Arg: slot(1), ResultType: value.Double},
		{Kind: AggMin, Arg: slot(2), ResultType: value.Varchar},
	}}
	// 50 steady keys every 5 ms for 15 s and, in the first 0.8 s, a burst
	// of 20,000 keys once each: the burst's partitions go quiet one by one
	// while the steady ones and the rest of the burst's hold rows.
	var times []int64
	var rows [][]value.Value
	burst := 0
	for i := 0; i < 3000; i++ {
		tm := int64(i) * 5
		for ; burst < 20000 && int64(burst/25) <= tm; burst++ {
			times = append(times, int64(burst/25))
			rows = append(rows, []value.Value{value.NewString(fmt.Sprint("k", burst)), value.NewFloat(float64(burst)), value.NewString(fmt.Sprint("s", burst%97))})
		}
		times = append(times, tm)
		rows = append(rows, []value.Value{value.NewString(fmt.Sprint("steady", i%50)), value.NewFloat(float64(i % 7)), value.NewString(fmt.Sprint("s", i%13))})
	}
	run := func(minParts int) (*Sliding, *operatortest.Capture, []byte) {
		defer func(old int) { compactParts = old }(compactParts)
		compactParts = minParts
		out := operatortest.NewCapture(t)
		op := NewSliding(cfg, out)
		inBatches(times, rows, cfg.Width, func(_ int, b *operators.Batch) { op.Push(b) })
		var state bytes.Buffer
		if err := op.Snapshot(&state); err != nil {
			t.Fatal(err)
		}
		return op, out, state.Bytes()
	}
	compacted, out, state := run(compactParts)
	kept, want, wantState := run(1 << 30)
	if n := len(compacted.frames[0].parts); n > 5000 {
		t.Errorf("%d partition slots after the burst, want at most 5,000", n)
	}
	if n := len(kept.frames[0].parts); n < 20000 {
		t.Fatalf("%d partition slots without compacting: the burst did not fill the frame", n)
	}
	if len(out.Rows) != len(rows) || len(want.Rows) != len(rows) {
		t.Fatalf("%d and %d rows out for %d in", len(out.Rows), len(want.Rows), len(rows))
	}
	sameRows(t, want.Rows, out.Rows)
	if !bytes.Equal(state, wantState) {
		t.Error("the compacted operator's snapshot differs")
	}
	checkStateSize(t, compacted)
}
