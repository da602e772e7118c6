package analytics

import (
	"math/rand/v2"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// benchRows pushes rows through op in batches of 1,024, b.N rows in all,
// and reports rows/s.
func benchRows(b *testing.B, op operators.Operator, width int, rows [][]value.Value, rowsPerSecond int) {
	batches := make([]*operators.Batch, 0, len(rows)/1024+1)
	for i := 0; i < len(rows); i += 1024 {
		bt := operators.NewBatch(width, 1024)
		for j := i; j < min(i+1024, len(rows)); j++ {
			bt.Append(0, rows[j])
		}
		batches = append(batches, bt)
	}
	b.ReportAllocs()
	b.ResetTimer()
	t := int64(0)
	done := 0
	for done < b.N {
		for _, bt := range batches {
			n := min(bt.Len(), b.N-done)
			for j := 0; j < n; j++ {
				bt.Times[j] = t * 1000 / int64(rowsPerSecond)
				t++
			}
			save := bt.Len()
			bt.Truncate(n)
			op.Push(bt)
			bt.Truncate(save)
			done += n
			if done >= b.N {
				break
			}
		}
	}
	op.Advance(operators.EndOfTime)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// taxiPoints imitates pickups: a few dense spots over a sparse city.
func taxiPoints(n int) [][]value.Value {
	rng := rand.New(rand.NewPCG(1, 1))
	spots := [][2]float64{{-73.985, 40.758}, {-73.870, 40.773}, {-73.790, 40.645}, {-74.005, 40.712}}
	rows := make([][]value.Value, n)
	for i := range rows {
		var x, y float64
		if rng.IntN(2) == 0 {
			s := spots[rng.IntN(len(spots))]
			x, y = s[0]+rng.NormFloat64()*0.004, s[1]+rng.NormFloat64()*0.004
		} else {
			x, y = -74.05+rng.Float64()*0.35, 40.60+rng.Float64()*0.25
		}
		rows[i] = []value.Value{value.NewFloat(x), value.NewFloat(y)}
	}
	return rows
}

func BenchmarkHotspots(b *testing.B) {
	rows := taxiPoints(100000)
	h := NewHotspots(HotspotsConfig{Columns: []int{0, 1}, WindowSize: 1000, Radius: 0.013, MinPoints: 20}, &operatortest.Count{}, 2)
	benchRows(b, h, 2, rows, 1000)
}

func BenchmarkRCF(b *testing.B) {
	rows, _ := series(50000, 7)
	r := NewRCF(RCFConfig{Columns: []int{0, 2}}, &operatortest.Count{}, 3)
	benchRows(b, r, 3, rows, 1000)
}

func BenchmarkRCFWithExplanation(b *testing.B) {
	rows, _ := series(50000, 7)
	r := NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"x", "y"}, Explain: true, Directional: true}, &operatortest.Count{}, 3)
	benchRows(b, r, 3, rows, 1000)
}

// BenchmarkHotspots4D has no grid (more than 3 dimensions): every point is
// its own cell and neighbours are found by scanning the window.
func BenchmarkHotspots4D(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 4))
	pts := genPoints(rng, 20000, 4, 0.3, 0.5)
	rows := make([][]value.Value, len(pts))
	for i, p := range pts {
		for _, x := range p {
			rows[i] = append(rows[i], value.NewFloat(x))
		}
	}
	h := NewHotspots(HotspotsConfig{Columns: []int{0, 1, 2, 3}, WindowSize: 1000, Radius: 0.5, MinPoints: 20}, &operatortest.Count{}, 4)
	benchRows(b, h, 4, rows, 1000)
}

var steadyRCF struct {
	r    *RCF
	rows [][]value.Value
}

// BenchmarkRCFSteady measures a forest past its learning period: 200,000
// points already offered (two timeDecay periods), so the samples turn over
// at their long-run rate. The warm forest is kept across invocations.
func BenchmarkRCFSteady(b *testing.B) {
	if steadyRCF.r == nil {
		rows, _ := series(250000, 8)
		r := NewRCF(RCFConfig{Columns: []int{0, 2}}, &operatortest.Count{}, 3)
		operatortest.Feed(r, 3, make([]int64, 200000), rows[:200000], 1024)
		steadyRCF.r, steadyRCF.rows = r, rows[200000:]
	}
	benchRows(b, steadyRCF.r, 3, steadyRCF.rows, 1000)
}
