package analytics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// bruteHotspots is the offline oracle: DBSCAN* over the window by
// exhaustive pairwise distances and a union-find over dense points.
func bruteHotspots(pts [][]float64, radius float64, minPts int) []Hotspot {
	n := len(pts)
	eps2 := radius * radius
	near := func(a, b []float64) bool {
		s := 0.0
		for i := range a {
			d := a[i] - b[i]
			s += d * d
		}
		return s <= eps2
	}
	dense := make([]bool, n)
	for i := range pts {
		c := 0
		for j := range pts {
			if near(pts[i], pts[j]) {
				c++
			}
		}
		dense[i] = c >= minPts
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range pts {
		if !dense[i] {
			continue
		}
		for j := i + 1; j < n; j++ {
			if dense[j] && near(pts[i], pts[j]) {
				parent[find(i)] = find(j)
			}
		}
	}
	byRoot := map[int]*Hotspot{}
	var roots []int
	for i := range pts {
		if !dense[i] {
			continue
		}
		r := find(i)
		h, ok := byRoot[r]
		if !ok {
			h = &Hotspot{Min: append([]float64(nil), pts[i]...), Max: append([]float64(nil), pts[i]...)}
			byRoot[r] = h
			roots = append(roots, r)
		}
		h.Count++
		for k, x := range pts[i] {
			h.Min[k] = math.Min(h.Min[k], x)
			h.Max[k] = math.Max(h.Max[k], x)
		}
	}
	var out []Hotspot
	for _, r := range roots {
		h := byRoot[r]
		h.Density = HotspotDensity(h.Count, h.Min, h.Max, radius)
		out = append(out, *h)
	}
	SortHotspots(out)
	return out
}

// genPoints draws points around a few moving cluster centres plus noise.
func genPoints(rng *rand.Rand, n, dim int, spread, noise float64) [][]float64 {
	centres := make([][]float64, 4)
	for i := range centres {
		centres[i] = make([]float64, dim)
		for k := range centres[i] {
			centres[i][k] = rng.Float64() * 10
		}
	}
	pts := make([][]float64, n)
	for i := range pts {
		p := make([]float64, dim)
		if i%500 == 0 { // clusters drift, appear and vanish
			c := centres[rng.IntN(len(centres))]
			for k := range c {
				c[k] = rng.Float64() * 10
			}
		}
		if rng.Float64() < noise {
			for k := range p {
				p[k] = rng.Float64() * 10
			}
		} else {
			c := centres[rng.IntN(len(centres))]
			for k := range p {
				p[k] = c[k] + rng.NormFloat64()*spread
			}
		}
		// Snap some points to a coarse lattice: exact ties on distances and cell edges.
		if i%7 == 0 {
			for k := range p {
				p[k] = math.Round(p[k]*20) / 20
			}
		}
		pts[i] = p
	}
	return pts
}

func TestHotspotsMatchesBruteForce(t *testing.T) {
	cases := []struct {
		name           string
		dim, window    int
		radius, spread float64
		minPts         int
		noise          float64
		n              int
	}{
		{"2d", 2, 300, 0.3, 0.25, 12, 0.4, 3000},
		{"2d-dense", 2, 200, 0.5, 0.2, 20, 0.2, 2000},
		{"1d", 1, 150, 0.05, 0.1, 8, 0.5, 1500},
		{"3d", 3, 200, 0.6, 0.3, 10, 0.3, 1500},
		{"4d-no-grid", 4, 120, 0.9, 0.3, 8, 0.3, 800},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(tc.dim)))
			pts := genPoints(rng, tc.n, tc.dim, tc.spread, tc.noise)
			cols := make([]int, tc.dim)
			for i := range cols {
				cols[i] = i
			}
			out := operatortest.NewCapture(t)
			h := NewHotspots(HotspotsConfig{Columns: cols, WindowSize: tc.window, Radius: tc.radius, MinPoints: tc.minPts}, out, tc.dim)
			rows := make([][]value.Value, len(pts))
			times := make([]int64, len(pts))
			for i, p := range pts {
				for _, x := range p {
					rows[i] = append(rows[i], value.NewFloat(x))
				}
				times[i] = int64(i)
			}
			operatortest.Feed(h, tc.dim, times, rows, 37)
			if len(out.Rows) != len(pts) {
				t.Fatalf("%d output rows for %d input rows", len(out.Rows), len(pts))
			}
			nonEmpty := 0
			for i := range pts {
				lo := max(0, i+1-tc.window)
				want := string(AppendHotspotsJSON(nil, bruteHotspots(pts[lo:i+1], tc.radius, tc.minPts)))
				got := out.Rows[i][tc.dim].S
				if got != want {
					t.Fatalf("row %d:\n got %s\nwant %s", i, got, want)
				}
				if out.Times[i] != times[i] {
					t.Fatalf("row %d ROWTIME %d, want %d", i, out.Times[i], times[i])
				}
				for k := 0; k < tc.dim; k++ {
					if out.Rows[i][k].F != pts[i][k] {
						t.Fatalf("row %d column %d not passed through", i, k)
					}
				}
				if want != `{"hotspots":[]}` {
					nonEmpty++
				}
			}
			if nonEmpty < len(pts)/4 {
				t.Fatalf("only %d of %d rows saw a hotspot: the data does not exercise clustering", nonEmpty, len(pts))
			}
		})
	}
}

func TestHotspotsRestoreAndBadRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	pts := genPoints(rng, 600, 2, 0.2, 0.3)
	es := &operatortest.Errors{}
	out := operatortest.NewCapture(t)
	h := NewHotspots(HotspotsConfig{Columns: []int{0, 2}, WindowSize: 100, Radius: 0.4, MinPoints: 6, Errors: es}, out, 3)
	b := operators.NewBatch(3, 1)
	for i, p := range pts {
		b.Reset()
		row := []value.Value{value.NewFloat(p[0]), value.NewString("x"), value.NewInt(int64(p[1] * 10))}
		if i == 50 {
			row[2] = value.Null
		}
		b.Append(int64(i), row)
		h.Push(b)
		if i == 300 {
			// A restored operator continues exactly where the original was.
			st := h.State
			st.Coords = append([]float64(nil), st.Coords...)
			h2 := NewHotspots(h.cfg, out, 3)
			h2.State = st
			h2.rebuild()
			h = h2
		}
	}
	if len(es.Recs) != 1 || es.Recs[0].DataRowtime != 50 {
		t.Fatalf("want the NULL row on error_stream, got %+v", es.Recs)
	}
	if len(out.Rows) != len(pts)-1 {
		t.Fatalf("%d rows out", len(out.Rows))
	}
	// Check the last row against the oracle over the last 100 good points.
	var win [][]float64
	for i, p := range pts {
		if i != 50 {
			win = append(win, []float64{p[0], float64(int64(p[1] * 10))})
		}
	}
	want := string(AppendHotspotsJSON(nil, bruteHotspots(win[len(win)-100:], 0.4, 6)))
	if got := out.Rows[len(out.Rows)-1][3].S; got != want {
		t.Fatalf("after restore:\n got %s\nwant %s", got, want)
	}
	if got := string(AppendHotspotsJSON(nil, h.Hotspots())); got != want {
		t.Fatalf("Hotspots() = %s\nwant %s", got, want)
	}
}

// TestHotspotsLatticeAndDuplicates: points on a lattice whose spacing equals
// the radius (distance ties on every edge), many exact duplicates, negative
// coordinates and cell-boundary values, against the oracle on every row.
func TestHotspotsLatticeAndDuplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		radius float64
		minPts int
	}{{0.1, 5}, {0.1, 3}, {0.25, 8}} {
		var pts [][]float64
		for i := 0; i < 1500; i++ {
			var p []float64
			switch rng.IntN(4) {
			case 0:
				p = []float64{-0.3, 0.2} // a pile of duplicates
			default:
				p = []float64{float64(rng.IntN(12)-6) * 0.1, float64(rng.IntN(12)-6) * 0.1}
			}
			pts = append(pts, p)
		}
		out := operatortest.NewCapture(t)
		h := NewHotspots(HotspotsConfig{Columns: []int{0, 1}, WindowSize: 100, Radius: tc.radius, MinPoints: tc.minPts}, out, 2)
		rows := make([][]value.Value, len(pts))
		for i, p := range pts {
			rows[i] = []value.Value{value.NewFloat(p[0]), value.NewFloat(p[1])}
		}
		operatortest.Feed(h, 2, make([]int64, len(rows)), rows, 64)
		multi := 0
		for i := range pts {
			hs := bruteHotspots(pts[max(0, i-99):i+1], tc.radius, tc.minPts)
			if len(hs) > 1 {
				multi++
			}
			want := string(AppendHotspotsJSON(nil, hs))
			if got := out.Rows[i][2].S; got != want {
				t.Fatalf("radius %v minPts %d row %d:\n got %s\nwant %s", tc.radius, tc.minPts, i, got, want)
			}
		}
		t.Logf("radius %v minPts %d: %d of %d rows with several hotspots", tc.radius, tc.minPts, multi, len(pts))
		if multi == 0 {
			t.Errorf("radius %v minPts %d: no row has several hotspots", tc.radius, tc.minPts)
		}
	}
}

// TestHotspotsRandomConfigurations checks many small random configurations
// (dimension, window, radius, threshold, data shape) against the oracle.
func TestHotspotsRandomConfigurations(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		dim := 1 + rng.IntN(5)
		window := 5 + rng.IntN(120)
		minPts := 2 + rng.IntN(min(window-1, 12))
		radius := 0.05 + rng.Float64()
		pts := genPoints(rng, 600, dim, rng.Float64()*0.5, rng.Float64())
		cols := make([]int, dim)
		for i := range cols {
			cols[i] = i
		}
		out := operatortest.NewCapture(t)
		h := NewHotspots(HotspotsConfig{Columns: cols, WindowSize: window, Radius: radius, MinPoints: minPts}, out, dim)
		rows := make([][]value.Value, len(pts))
		for i, p := range pts {
			for _, x := range p {
				rows[i] = append(rows[i], value.NewFloat(x))
			}
		}
		operatortest.Feed(h, dim, make([]int64, len(rows)), rows, 1+rng.IntN(50))
		for i := range pts {
			want := string(AppendHotspotsJSON(nil, bruteHotspots(pts[max(0, i+1-window):i+1], radius, minPts)))
			if got := out.Rows[i][dim].S; got != want {
				t.Fatalf("seed %d (dim %d window %d radius %.3f minPts %d) row %d:\n got %s\nwant %s",
					seed, dim, window, radius, minPts, i, got, want)
			}
		}
	}
}

// BenchmarkHotspotsFullReclustering is the cost the incremental index
// avoids: the oracle re-clustering the whole 1,000-point window per row.
func BenchmarkHotspotsFullReclustering(b *testing.B) {
	rows := taxiPoints(5000)
	pts := make([][]float64, len(rows))
	for i, r := range rows {
		pts[i] = []float64{r[0].F, r[1].F}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := 1000 + i%(len(pts)-1000)
		bruteHotspots(pts[j-1000:j], 0.013, 20)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
