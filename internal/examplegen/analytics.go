package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// num formats a double as the engine prints it (shortest form, no exponent
// in the range these examples use).
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// taxiHotspots: HOTSPOTS over the last 1,000 pickups (radius 0.013°, 20
// points). The expected HOTSPOTS_RESULT of every row is computed here by
// brute force: all pairwise distances in the window, dense points, their
// linked groups and bounding boxes.
func taxiHotspots(dir string) {
	rng := rand.New(rand.NewPCG(21, 22))
	spots := [][2]float64{{-73.9855, 40.7580}, {-73.8740, 40.7740}, {-74.0060, 40.7128}, {-73.7781, 40.6413}}
	var recs []record
	var pts [][2]float64
	t := base
	for i := 0; i < 1500; i++ {
		t = t.Add(time.Duration(20+rng.IntN(120)) * time.Millisecond)
		active := 3
		if i >= 600 && i < 1100 {
			active = 4 // the airport rush
		}
		var x, y float64
		if rng.IntN(2) == 0 {
			s := spots[rng.IntN(active)]
			x, y = s[0]+rng.NormFloat64()*0.004, s[1]+rng.NormFloat64()*0.003
		} else {
			x, y = -74.05+rng.Float64()*0.35, 40.60+rng.Float64()*0.25
		}
		lon, lat := fmt.Sprintf("%.6f", x), fmt.Sprintf("%.6f", y)
		data := fmt.Sprintf(`{"pickup_longitude":%s,"pickup_latitude":%s,"trip_distance":%.2f}`, lon, lat, 0.5+rng.Float64()*12)
		recs = append(recs, record{arrival: t, data: []byte(data), key: fmt.Sprint(i % 8), shard: 0})
		px, _ := strconv.ParseFloat(lon, 64)
		py, _ := strconv.ParseFloat(lat, 64)
		pts = append(pts, [2]float64{px, py})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "pickups.jsonl"), recs)
	rts := rowtimes(recs)
	var lines []string
	for i := range pts {
		win := pts[max(0, i-999) : i+1]
		res := bruteHotspots(win, 0.013, 20)
		b, _ := json.Marshal(res)
		lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"pickup_longitude":%s,"pickup_latitude":%s,"HOTSPOTS_RESULT":%s}`,
			ts(rts[i]), num(pts[i][0]), num(pts[i][1]), b))
	}
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// bruteHotspots returns HOTSPOTS_RESULT for one window of 2-D points.
func bruteHotspots(w [][2]float64, r float64, minPts int) string {
	n := len(w)
	within := func(a, b [2]float64) bool {
		dx, dy := a[0]-b[0], a[1]-b[1]
		return dx*dx+dy*dy <= r*r
	}
	dense := make([]bool, n)
	for i := 0; i < n; i++ {
		c := 0
		for j := 0; j < n; j++ {
			if within(w[i], w[j]) {
				c++
			}
		}
		dense[i] = c >= minPts
	}
	group := make([]int, n)
	for i := range group {
		group[i] = -1
	}
	type spot struct {
		n        int
		min, max [2]float64
		density  float64
	}
	var spots []spot
	for i := 0; i < n; i++ {
		if !dense[i] || group[i] >= 0 {
			continue
		}
		g := len(spots)
		s := spot{min: w[i], max: w[i]}
		stack := []int{i}
		group[i] = g
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			s.n++
			for d := 0; d < 2; d++ {
				s.min[d] = math.Min(s.min[d], w[k][d])
				s.max[d] = math.Max(s.max[d], w[k][d])
			}
			for j := 0; j < n; j++ {
				if dense[j] && group[j] < 0 && within(w[k], w[j]) {
					group[j] = g
					stack = append(stack, j)
				}
			}
		}
		vol := 1.0
		for d := 0; d < 2; d++ {
			vol *= math.Max(s.max[d]-s.min[d], r)
		}
		s.density = float64(s.n) / vol
		spots = append(spots, s)
	}
	sort.Slice(spots, func(a, b int) bool {
		x, y := spots[a], spots[b]
		if x.density != y.density {
			return x.density > y.density
		}
		if x.n != y.n {
			return x.n > y.n
		}
		if x.min[0] != y.min[0] {
			return x.min[0] < y.min[0]
		}
		return x.min[1] < y.min[1]
	})
	var b strings.Builder
	b.WriteString(`{"hotspots":[`)
	for i, s := range spots {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"density":%s,"minValues":[%s,%s],"maxValues":[%s,%s]}`,
			num(s.density), num(s.min[0]), num(s.min[1]), num(s.max[0]), num(s.max[1]))
	}
	b.WriteString("]}")
	return b.String()
}

// distinctBidders: COUNT_DISTINCT_ITEMS_TUMBLING over 10-second windows,
// counted exactly with a set per window. Some bids have no bidder (NULL,
// not an item); one 10-second window has no bids at all (no row).
func distinctBidders(dir string) {
	rng := rand.New(rand.NewPCG(31, 32))
	var recs []record
	t := base.Add(3 * time.Second)
	for i := 0; i < 3000; i++ {
		step := time.Duration(5+rng.IntN(60)) * time.Millisecond
		if i%500 == 499 {
			step = 800 * time.Millisecond
		}
		if i == 1700 {
			step = 25 * time.Second // at least one window with no bids
		}
		t = t.Add(step)
		pool := 50 + (i/300)*120 // the crowd grows
		bidder := fmt.Sprintf(`"user-%04d"`, rng.IntN(pool))
		if i%97 == 13 {
			bidder = "null"
		}
		if i%211 == 7 {
			bidder = `"User-0001"` // case matters: not user-0001
		}
		data := fmt.Sprintf(`{"Bidder":%s,"Item":"lot-%d","Price":%d.%02d}`, bidder, rng.IntN(40), 1+rng.IntN(900), rng.IntN(100))
		if i%331 == 100 {
			data = fmt.Sprintf(`{"Item":"lot-%d","Price":%d.00}`, rng.IntN(40), 1+rng.IntN(900)) // no Bidder field
		}
		recs = append(recs, record{arrival: t, data: []byte(data), key: fmt.Sprint(i % 4), shard: i % 2})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "bids.jsonl"), recs)
	rts := rowtimes(recs)
	var lines []string
	var win time.Time
	seen := map[string]bool{}
	open := false
	flush := func() {
		lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"NUMBER_OF_DISTINCT_ITEMS":%d}`, ts(win.Add(10*time.Second)), len(seen)))
		clear(seen)
	}
	for i, r := range recs {
		w := rts[i].Truncate(10 * time.Second)
		if open && !w.Equal(win) {
			flush()
		}
		win, open = w, true
		var rec struct{ Bidder *string }
		must(json.Unmarshal(r.data, &rec))
		if rec.Bidder != nil {
			seen[*rec.Bidder] = true
		}
	}
	flush()
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// machineAnomalies: RANDOM_CUT_FOREST with its defaults over two machine
// readings that follow a daily-like cycle; anomalies are injected at known
// rows after the learning period, and the application keeps the rows whose
// ANOMALY_SCORE is above 2. The expected output is the list of injected
// anomalies, known here without any scoring.
func machineAnomalies(dir string) {
	rng := rand.New(rand.NewPCG(41, 42))
	var recs []record
	var lines []string
	t := base
	for i := 0; i < 3000; i++ {
		t = t.Add(time.Duration(100+rng.IntN(100)) * time.Millisecond)
		ph := float64(i) * 2 * math.Pi / 60
		temp := 60 + 8*math.Sin(ph) + rng.NormFloat64()*0.4
		vib := 3 + 1.5*math.Cos(ph) + rng.NormFloat64()*0.1
		anomaly := i >= 800 && i%233 == 0
		if anomaly {
			switch (i / 233) % 3 {
			case 0:
				temp = 60 + 8*math.Abs(math.Sin(ph)) + 14 // overheating
			case 1:
				vib = 3 + 1.5*math.Abs(math.Cos(ph)) + 4 // shaking
			case 2:
				temp, vib = 60+2*(temp-60), 3+2*(vib-3) // both swing twice as far
			}
		}
		ts4 := fmt.Sprintf("%.3f", temp)
		vs := fmt.Sprintf("%.3f", vib)
		machine := []string{"press-1", "press-2"}[i%2]
		data := fmt.Sprintf(`{"machine":%q,"temperature":%s,"vibration":%s}`, machine, ts4, vs)
		recs = append(recs, record{arrival: t, data: []byte(data), key: machine, shard: 0})
		if anomaly {
			tf, _ := strconv.ParseFloat(ts4, 64)
			vf, _ := strconv.ParseFloat(vs, 64)
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"MACHINE":%q,"TEMPERATURE":%s,"VIBRATION":%s}`, ts(t), machine, num(tf), num(vf)))
		}
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "readings.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// topTickers: TOP_K_ITEMS_TUMBLING(…, 'TICKER_SYMBOL', 5, 60), as in the
// KDA developer guide's example. Expected: every ticker of each minute
// counted exactly, the five most frequent first (ties: first seen first).
func topTickers(dir string) {
	rng := rand.New(rand.NewPCG(51, 52))
	syms := []string{"AMZN", "AAPL", "MSFT", "GOOG", "META", "NFLX", "TSLA", "NVDA", "ORCL", "IBM", "INTC", "CSCO",
		"ADBE", "CRM", "QCOM", "TXN", "AMD", "SAP", "UBER", "SHOP"}
	var recs []record
	t := base.Add(7 * time.Second)
	for i := 0; i < 2400; i++ {
		t = t.Add(time.Duration(rng.IntN(200)) * time.Millisecond)
		// Popularity shifts each minute: rotate a skewed distribution.
		shift := int(t.Sub(base) / time.Minute)
		k := int(math.Floor(math.Pow(rng.Float64(), 2.5) * float64(len(syms))))
		sym := syms[(k+3*shift)%len(syms)]
		data := fmt.Sprintf(`{"TICKER_SYMBOL":%q,"SECTOR":"TECHNOLOGY","CHANGE":%.2f,"PRICE":%.2f}`, sym, rng.Float64()*4-2, 10+rng.Float64()*300)
		recs = append(recs, record{arrival: t, data: []byte(data), key: sym, shard: i % 2})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "ticker.jsonl"), recs)
	rts := rowtimes(recs)
	var lines []string
	var win time.Time
	type cnt struct {
		sym   string
		n     int
		first int
	}
	var counts []*cnt
	idx := map[string]*cnt{}
	flush := func() {
		sort.SliceStable(counts, func(a, b int) bool { return counts[a].n > counts[b].n })
		for _, c := range counts[:min(5, len(counts))] {
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"TICKER":%q,"MOST_FREQUENT_VALUES":%d}`, ts(win.Add(time.Minute)), c.sym, c.n))
		}
		counts, idx = nil, map[string]*cnt{}
	}
	for i, r := range recs {
		w := rts[i].Truncate(time.Minute)
		if len(counts) > 0 && !w.Equal(win) {
			flush()
		}
		win = w
		var rec struct{ TICKER_SYMBOL string }
		must(json.Unmarshal(r.data, &rec))
		c, ok := idx[rec.TICKER_SYMBOL]
		if !ok {
			c = &cnt{sym: rec.TICKER_SYMBOL, first: i}
			idx[rec.TICKER_SYMBOL] = c
			counts = append(counts, c)
		}
		c.n++
	}
	flush()
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}
