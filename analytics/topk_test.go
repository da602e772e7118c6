package analytics

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

type itemCount struct {
	item  string
	count int64
	first int
}

// exactTop counts every item of one window and sorts like the operator.
func exactTop(items []string, k int) []itemCount {
	idx := map[string]int{}
	var cs []itemCount
	for i, it := range items {
		j, ok := idx[it]
		if !ok {
			j = len(cs)
			idx[it] = j
			cs = append(cs, itemCount{item: it, first: i})
		}
		cs[j].count++
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].count > cs[b].count })
	return cs[:min(k, len(cs))]
}

func zipfItems(n int, s float64, universe uint64, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(rng, s, 1, universe-1)
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("item-%d", z.Uint64())
	}
	return out
}

func runTopK(t *testing.T, items []string, k, capacity int) ([][]value.Value, []int64) {
	out := operatortest.NewCapture(t)
	op := NewTopK(TopKConfig{Column: 0, K: k, WindowMs: 60000, Capacity: capacity}, out)
	rows := make([][]value.Value, len(items))
	for i, it := range items {
		rows[i] = []value.Value{value.NewString(it)}
	}
	operatortest.Feed(op, 1, make([]int64, len(rows)), rows, 1024)
	op.Advance(operators.EndOfTime)
	return out.Rows, out.Times
}

// TestTopKExactWithinCapacity: with fewer distinct items than counters the
// result is the exact top K, counts included, in order.
func TestTopKExactWithinCapacity(t *testing.T) {
	items := zipfItems(200000, 1.1, 5000, 1)
	got, times := runTopK(t, items, 25, 0)
	want := exactTop(items, 25)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i][0].S != want[i].item || got[i][1].I != want[i].count || times[i] != 60000 {
			t.Fatalf("rank %d: got %s×%d at %d, want %s×%d at 60000", i, got[i][0].S, got[i][1].I, times[i], want[i].item, want[i].count)
		}
	}
}

// TestTopKZipfPrecision: far more distinct items than counters. On skewed
// data the result is still the exact top K; precision is reported for
// several skews, and the documented guarantee is checked for each.
func TestTopKZipfPrecision(t *testing.T) {
	const k, capacity = 20, 2000
	for _, s := range []float64{1.05, 1.2, 1.5} {
		items := zipfItems(1000000, s, 1000000, 2)
		got, _ := runTopK(t, items, k, capacity)
		all := exactTop(items, len(items))
		trueCount := map[string]int64{}
		for _, c := range all {
			trueCount[c.item] = c.count
		}
		want := all[:k]
		inTop := map[string]bool{}
		for _, c := range want {
			inTop[c.item] = true
		}
		hits, exactCounts := 0, 0
		n := int64(len(items))
		for _, r := range got {
			tc := trueCount[r[0].S]
			if inTop[r[0].S] {
				hits++
			}
			if r[1].I == tc {
				exactCounts++
			}
			// Space-Saving: never under, at most N/capacity over.
			if r[1].I < tc || r[1].I-tc > n/capacity {
				t.Errorf("s=%.2f %s: reported %d, true %d", s, r[0].S, r[1].I, tc)
			}
		}
		t.Logf("zipf s=%.2f, %d distinct in 1M rows, %d counters: precision %d/%d, exact counts %d/%d",
			s, len(all), capacity, hits, k, exactCounts, k)
		if hits != k || exactCounts != k {
			t.Errorf("s=%.2f: top %d not exact (precision %d, exact counts %d)", s, k, hits, exactCounts)
		}
	}
}

func TestTopKWindowsAndNulls(t *testing.T) {
	out := operatortest.NewCapture(t)
	op := NewTopK(TopKConfig{Column: 0, K: 2, WindowMs: 1000}, out)
	rows := [][]value.Value{{value.NewString("a")}, {value.Null}, {value.NewString("b")}, {value.NewString("b")},
		{value.NewString("c")}, {value.NewString("c")}, {value.NewString("a")}}
	times := []int64{0, 1, 2, 3, 1500, 1600, 2500}
	operatortest.Feed(op, 1, times, rows, 3)
	op.Advance(3000)
	want := []string{"b×2@1000", "a×1@1000", "c×2@2000", "a×1@3000"}
	var got []string
	for i, r := range out.Rows {
		got = append(got, fmt.Sprintf("%s×%d@%d", r[0].S, r[1].I, out.Times[i]))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func BenchmarkTopK(b *testing.B) {
	items := zipfItems(1<<16, 1.2, 100000, 3)
	rows := make([][]value.Value, len(items))
	for i, it := range items {
		rows[i] = []value.Value{value.NewString(it)}
	}
	op := NewTopK(TopKConfig{Column: 0, K: 10, WindowMs: 10000}, &operatortest.Count{})
	benchRows(b, op, 1, rows, 2000000)
}

// BenchmarkTopKSpaceSaving forces the bounded mode: 1,000 counters for a
// Zipf stream over a million items.
func BenchmarkTopKSpaceSaving(b *testing.B) {
	items := zipfItems(1<<16, 1.2, 1000000, 4)
	rows := make([][]value.Value, len(items))
	for i, it := range items {
		rows[i] = []value.Value{value.NewString(it)}
	}
	op := NewTopK(TopKConfig{Column: 0, K: 10, WindowMs: 10000, Capacity: 1000}, &operatortest.Count{})
	benchRows(b, op, 1, rows, 2000000)
}

// TestTopKGuaranteeWhenNotExact: a flat distribution and few counters,
// where the result cannot be exact. The Space-Saving guarantee must hold:
// every item with more than N/counters occurrences is monitored, no
// reported count is under its true value or more than
// N/counters above it, and items whose Count-Err reaches the (K+1)-th
// reported count are truly in the top K.
func TestTopKGuaranteeWhenNotExact(t *testing.T) {
	const k, capacity = 20, 200
	items := zipfItems(500000, 1.01, 1000000, 6)
	n := int64(len(items))
	all := exactTop(items, len(items))
	trueCount := map[string]int64{}
	rank := map[string]int{}
	for i, c := range all {
		trueCount[c.item] = c.count
		rank[c.item] = i
	}
	out := operatortest.NewCapture(t)
	op := NewTopK(TopKConfig{Column: 0, K: k + 1, WindowMs: 60000, Capacity: capacity}, out)
	rows := make([][]value.Value, len(items))
	for i, it := range items {
		rows[i] = []value.Value{value.NewString(it)}
	}
	operatortest.Feed(op, 1, make([]int64, len(rows)), rows, 1024)
	top := op.Top() // before the window closes: counters with their errors
	monitored := map[string]bool{}
	for _, c := range op.State.Counters {
		monitored[c.Item.S] = true
	}
	op.Advance(operators.EndOfTime)
	hits := 0
	for i, c := range top[:k] {
		tc := trueCount[c.Item.S]
		if c.Count < tc || c.Count-tc > n/capacity || c.Err > n/capacity {
			t.Errorf("%s: count %d (err %d), true %d", c.Item.S, c.Count, c.Err, tc)
		}
		if rank[c.Item.S] < k {
			hits++
		}
		if c.Count-c.Err >= top[k].Count && rank[c.Item.S] >= k {
			t.Errorf("rank %d: %s is guaranteed by Count-Err but truly ranks %d", i, c.Item.S, rank[c.Item.S])
		}
	}
	for _, c := range all {
		if c.count > n/capacity && !monitored[c.item] {
			t.Errorf("%s occurs %d times (> N/counters = %d) but is not monitored", c.item, c.count, n/capacity)
		}
	}
	t.Logf("zipf s=1.01, %d distinct in %d rows, %d counters: precision %d/%d (the guarantee holds; exactness does not)", len(all), n, capacity, hits, k)
	if len(out.Rows) != k+1 {
		t.Fatalf("%d rows emitted", len(out.Rows))
	}
}
