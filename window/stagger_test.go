package window

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// TestStaggerMatchesOracle: 200 partition keys with random arrivals; every
// window (key, open time) is recomputed from the definition: it opens with
// the first row of the key not inside an earlier window of that key and
// holds the key's rows in [open, open+range). Times are drawn in
// milliseconds, and on whole seconds so that rows and bounds fall exactly
// at open+range.
func TestStaggerMatchesOracle(t *testing.T) {
	t.Run("milliseconds", func(t *testing.T) {
		staggerMatchesOracle(t, 3, 200, func(rng *rand.Rand) int64 { return int64(rng.Intn(300)) })
	})
	t.Run("whole seconds", func(t *testing.T) {
		staggerMatchesOracle(t, 4, 20, func(rng *rand.Rand) int64 { return 1000 * int64(rng.Intn(3)) })
	})
}

func staggerMatchesOracle(t *testing.T, seed int64, keys int, step func(*rand.Rand) int64) {
	rng := rand.New(rand.NewSource(seed))
	const rangeMs = 10_000
	type row struct {
		t   int64
		key string
		v   int64
	}
	var in []row
	tm := int64(1_700_000_000_000)
	for i := 0; i < 5000; i++ {
		tm += step(rng)
		in = append(in, row{t: tm, key: fmt.Sprint("k", rng.Intn(keys)), v: int64(rng.Intn(100))})
	}
	// Oracle.
	var want []string
	open := map[string]int64{}
	type acc struct{ n, sum int64 }
	accs := map[string]*acc{}
	emit := func(k string) {
		a := accs[k]
		want = append(want, fmt.Sprintf("%d|%s|%d|%d", open[k]+rangeMs, k, a.n, a.sum))
		delete(open, k)
		delete(accs, k)
	}
	for _, r := range in {
		if o, ok := open[r.key]; ok && r.t >= o+rangeMs {
			emit(r.key)
		}
		if _, ok := open[r.key]; !ok {
			open[r.key] = r.t
			accs[r.key] = &acc{}
		}
		accs[r.key].n++
		accs[r.key].sum += r.v
	}
	for k := range open {
		emit(k)
	}
	// Operator.
	out := operatortest.NewCapture(t)
	op := NewStagger(StaggerConfig{Keys: []eval.Func{slot(0)}, Range: rangeMs, Aggs: []AggSpec{
		{Kind: AggCountStar, ResultType: value.Bigint},
		{Kind: AggSum, Arg: slot(1), ArgType: value.Bigint, ResultType: value.Bigint},
	}}, out)
	b := operators.NewBatch(2, 16)
	for i, r := range in {
		b.Append(r.t, []value.Value{value.NewString(r.key), value.NewInt(r.v)})
		if i%13 == 12 {
			op.Push(b)
			b.Reset()
			op.Advance(r.t) // a bound at the last row's time
		}
	}
	op.Push(b)
	op.Advance(operators.EndOfTime)
	var got []string
	for i, r := range out.Rows {
		if i > 0 && out.Times[i] < out.Times[i-1] {
			t.Fatalf("ROWTIME went back at row %d", i)
		}
		got = append(got, fmt.Sprintf("%d|%s|%d|%d", out.Times[i], r[0].S, r[1].I, r[2].I))
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("%d windows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("window %d: got %s, want %s", i, got[i], want[i])
		}
	}
	if op.Open() != 0 {
		t.Fatalf("%d windows still open after the end", op.Open())
	}
}

// The stagger's state estimate grows with its keys' length: a window of a
// 1000-character key holds that text twice (the key value and the hash
// key), as the tumbling groups count their key text.
func TestStaggerStateSizeCountsKeyText(t *testing.T) {
	const windows = 100
	size := func(keyLen int) operators.StateSize {
		op := NewStagger(StaggerConfig{Keys: []eval.Func{slot(0)}, Range: 60_000, Aggs: []AggSpec{
			{Kind: AggCountStar, ResultType: value.Bigint},
		}}, operatortest.NewCapture(t))
		b := operators.NewBatch(1, windows)
		for i := range windows {
			key := fmt.Sprintf("%0*d", keyLen, i)
			b.Append(int64(1_700_000_000_000+i), []value.Value{value.NewString(key)})
		}
		op.Push(b)
		return op.StateSize()
	}
	short, long := size(10), size(1000)
	if short.Groups != windows || long.Groups != windows {
		t.Fatalf("groups %d and %d, want %d", short.Groups, long.Groups, windows)
	}
	if grew := long.Bytes - short.Bytes; grew < 2*windows*990 {
		t.Fatalf("1000-character keys add %d bytes to %d for 10-character ones; want at least %d", grew, short.Bytes, 2*windows*990)
	}
}
