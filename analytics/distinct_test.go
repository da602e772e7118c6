package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// TestHLLErrorTable measures the sketch's relative error against the exact
// number of distinct items from 10^3 to 10^7 and holds it to 2%.
func TestHLLErrorTable(t *testing.T) {
	sizes := []int{1000, 10000, 100000, 1000000, 10000000}
	if testing.Short() {
		sizes = sizes[:4]
	}
	var buf []byte
	t.Logf("%10s %12s %9s", "distinct", "estimate", "error")
	for _, n := range sizes {
		h := NewHLL(DefaultPrecision)
		for i := 0; i < n; i++ {
			var x uint64
			buf, x = hashValue(buf, value.NewInt(int64(i)*7919))
			h.Add(x)
			if i%3 == 0 { // repeats do not count
				h.Add(x)
			}
		}
		est := h.Estimate()
		rel := (est - float64(n)) / float64(n)
		t.Logf("%10d %12.0f %+8.3f%%", n, est, 100*rel)
		if math.Abs(rel) > 0.02 {
			t.Errorf("%d distinct: estimate %.0f is off by %.2f%%", n, est, 100*rel)
		}
	}
}

func TestDistinctWindows(t *testing.T) {
	// Windows of 10 s: 50 distinct in the first (exact), 30,000 distinct in
	// the second (sketch), an empty gap, then 7 items with NULLs and ints
	// equal to decimals.
	out := operatortest.NewCapture(t)
	d := NewDistinct(DistinctConfig{Column: 1, WindowMs: 10000}, out)
	var rows [][]value.Value
	var times []int64
	add := func(tm int64, v value.Value) {
		rows = append(rows, []value.Value{value.NewString("x"), v})
		times = append(times, tm)
	}
	for i := 0; i < 1000; i++ {
		add(int64(i*10), value.NewInt(int64(i%50)))
	}
	for i := 0; i < 60000; i++ {
		add(10000+int64(i/10), value.NewString(fmt.Sprint("b", i%30000)))
	}
	add(40000, value.NewInt(1))
	add(40001, value.NewDecimal(100, 2)) // 1.00 is the same item as 1
	add(40002, value.Null)
	for i := 0; i < 6; i++ {
		add(45000+int64(i), value.NewFloat(float64(i)+0.5))
	}
	operatortest.Feed(d, 2, times, rows, 512)
	if len(out.Rows) != 2 {
		t.Fatalf("before the end of input: %d rows, want 2", len(out.Rows))
	}
	d.Advance(operators.EndOfTime)
	if len(out.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(out.Rows))
	}
	if got := out.Rows[0][0].I; got != 50 || out.Times[0] != 10000 {
		t.Errorf("window 1: %d at %d, want 50 at 10000", got, out.Times[0])
	}
	if got := out.Rows[1][0].I; math.Abs(float64(got)-30000)/30000 > 0.02 || out.Times[1] != 20000 {
		t.Errorf("window 2: %d at %d, want ≈30000 at 20000", got, out.Times[1])
	}
	if got := out.Rows[2][0].I; got != 7 || out.Times[2] != 50000 {
		t.Errorf("window 3: %d at %d, want 7 at 50000", got, out.Times[2])
	}
}

func TestDistinctExactUpToLimit(t *testing.T) {
	for _, n := range []int{1, 9999, 10000} {
		out := operatortest.NewCapture(t)
		d := NewDistinct(DistinctConfig{Column: 0, WindowMs: 1000}, out)
		rows := make([][]value.Value, 0, 2*n)
		for i := 0; i < 2*n; i++ {
			rows = append(rows, []value.Value{value.NewInt(int64(i % n))})
		}
		operatortest.Feed(d, 1, make([]int64, len(rows)), rows, 1000)
		d.Advance(operators.EndOfTime)
		if len(out.Rows) != 1 || out.Rows[0][0].I != int64(n) {
			t.Errorf("%d distinct: got %v", n, out.Rows)
		}
	}
}

func BenchmarkCountDistinct(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([][]value.Value, 1<<16)
	for i := range rows {
		rows[i] = []value.Value{value.NewString(fmt.Sprintf("bidder-%07d", rng.IntN(2000000)))}
	}
	d := NewDistinct(DistinctConfig{Column: 0, WindowMs: 10000}, &operatortest.Count{})
	benchRows(b, d, 1, rows, 3000000)
}

// BenchmarkCountDistinctExact stays in the exact mode: 1-second windows of
// 3,000,000 rows over 8,000 distinct bidders.
func BenchmarkCountDistinctExact(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows := make([][]value.Value, 1<<16)
	for i := range rows {
		rows[i] = []value.Value{value.NewString(fmt.Sprintf("bidder-%07d", rng.IntN(8000)))}
	}
	d := NewDistinct(DistinctConfig{Column: 0, WindowMs: 1000}, &operatortest.Count{})
	benchRows(b, d, 1, rows, 3000000)
}
