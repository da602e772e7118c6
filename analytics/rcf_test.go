package analytics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// checkTree verifies the structural invariants of a random cut tree: boxes
// are the union of the children's, masses add up, parent links agree, every
// sampled leaf is found by following the cuts from the root, and the
// sample has the expected size.
func checkTree(t *testing.T, tr *Tree, d, sample int) {
	t.Helper()
	var walk func(n, parent int32) int32
	leaves := map[int32]bool{}
	walk = func(n, parent int32) int32 {
		if n < 0 {
			j := -n - 1
			if tr.LeafParent[j] != parent {
				t.Fatalf("leaf %d parent %d, want %d", j, tr.LeafParent[j], parent)
			}
			leaves[j] = true
			return tr.LeafMass[j]
		}
		if tr.Parent[n] != parent {
			t.Fatalf("node %d parent %d, want %d", n, tr.Parent[n], parent)
		}
		m := walk(tr.Nodes[n].Left, n) + walk(tr.Nodes[n].Right, n)
		if m != tr.Mass[n] {
			t.Fatalf("node %d mass %d, children hold %d", n, tr.Mass[n], m)
		}
		lmn, lmx := tr.box(tr.Nodes[n].Left, d)
		rmn, rmx := tr.box(tr.Nodes[n].Right, d)
		mn, mx := tr.box(n, d)
		for i := 0; i < d; i++ {
			if mn[i] != math.Min(lmn[i], rmn[i]) || mx[i] != math.Max(lmx[i], rmx[i]) {
				t.Fatalf("node %d box is not the union of its children's", n)
			}
		}
		// Every point on the left is ≤ the cut, on the right above it.
		c, v := tr.CutDim[n], tr.Nodes[n].CutVal
		if lmx[c] > v || rmn[c] <= v {
			t.Fatalf("node %d: cut %v on dim %d does not separate its children", n, v, c)
		}
		return m
	}
	total := walk(tr.Root, noNode)
	if int(total) != sample || len(tr.Leaf) != sample {
		t.Fatalf("tree holds %d points, sampler %d, want %d", total, len(tr.Leaf), sample)
	}
	for _, j := range tr.Leaf {
		if !leaves[j] {
			t.Fatalf("sampled leaf %d is not in the tree", j)
		}
		p := tr.Point[int(j)*d : int(j)*d+d]
		n := tr.Root
		for n >= 0 {
			if p[tr.CutDim[n]] <= tr.Nodes[n].CutVal {
				n = tr.Nodes[n].Left
			} else {
				n = tr.Nodes[n].Right
			}
		}
		if -n-1 != j {
			t.Fatalf("searching leaf %d's point ends at leaf %d", j, -n-1)
		}
	}
	for i := 1; i < len(tr.Weight); i++ {
		if tr.Weight[(i-1)/2] < tr.Weight[i] {
			t.Fatalf("sampler heap order broken at %d", i)
		}
	}
}

// series is the generated benchmark: two correlated noisy sine waves with
// anomalies injected at known rows after the learning period.
func series(n int, seed uint64) (rows [][]value.Value, anomalies map[int]bool) {
	rng := rand.New(rand.NewPCG(seed, 99))
	anomalies = map[int]bool{}
	for i := 0; i < n; i++ {
		ph := float64(i) * 2 * math.Pi / 50
		x := 10*math.Sin(ph) + rng.NormFloat64()*0.5
		y := 5*math.Cos(ph) + rng.NormFloat64()*0.5
		if i > 2000 && i%397 == 0 {
			anomalies[i] = true
			switch (i / 397) % 4 {
			case 0: // x far above its range
				x = math.Abs(x) + 15
			case 1: // y far below its range
				y = -math.Abs(y) - 12
			case 2: // off the ring: twice as far from the centre
				x, y = 2*x, 2*y
			case 3: // y far above its range
				y = math.Abs(y) + 10
			}
		}
		rows = append(rows, []value.Value{value.NewFloat(x), value.NewString("s"), value.NewFloat(y)})
	}
	return rows, anomalies
}

func TestRCFSeparatesInjectedAnomalies(t *testing.T) {
	rows, anomalies := series(12000, 1)
	out := operatortest.NewCapture(t)
	r := NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"x", "y"}}, out, 3)
	times := make([]int64, len(rows))
	operatortest.Feed(r, 3, times, rows, 256)
	if len(out.Rows) != len(rows) {
		t.Fatalf("%d rows out of %d", len(out.Rows), len(rows))
	}
	for i := 0; i < DefaultSampleSize; i++ {
		if s := out.Rows[i][3].F; s != 0 {
			t.Fatalf("row %d scored %v while learning", i, s)
		}
	}
	var normal []float64
	for i := 2000; i < len(rows); i++ {
		if !anomalies[i] && !anomalies[i-1] {
			normal = append(normal, out.Rows[i][3].F)
		}
	}
	sort.Float64s(normal)
	p99 := normal[len(normal)*99/100]
	minA := math.Inf(1)
	for i := range anomalies {
		s := out.Rows[i][3].F
		minA = math.Min(minA, s)
		if s <= p99 {
			t.Errorf("anomaly at row %d scored %.3f, not above the normal 99th percentile %.3f", i, s, p99)
		}
	}
	t.Logf("%d anomalies: lowest score %.3f; normal points: median %.3f, p99 %.3f, max %.3f",
		len(anomalies), minA, normal[len(normal)/2], p99, normal[len(normal)-1])
	for i := range r.State.Trees {
		checkTree(t, &r.State.Trees[i], 2, DefaultSampleSize)
	}
}

func TestRCFTreeInvariantsUnderChurn(t *testing.T) {
	// A short time decay makes the samples turn over constantly; duplicates
	// and a constant column exercise leaf masses and empty sides.
	rng := rand.New(rand.NewPCG(3, 3))
	r := NewRCF(RCFConfig{Columns: []int{0, 1, 2}, Trees: 5, SampleSize: 32, TimeDecay: 40, Shingle: 2}, &operatortest.Count{}, 3)
	for i := 0; i < 5000; i++ {
		row := []value.Value{value.NewFloat(math.Round(rng.NormFloat64() * 3)), value.NewInt(7), value.NewFloat(rng.Float64())}
		operatortest.Feed(r, 3, []int64{int64(i)}, [][]value.Value{row}, 1)
		if i%500 == 499 {
			for k := range r.State.Trees {
				checkTree(t, &r.State.Trees[k], 6, 32)
			}
		}
	}
}

func TestRCFExplanationAndDeterminism(t *testing.T) {
	rows, anomalies := series(4000, 2)
	run := func() *operatortest.Capture {
		out := operatortest.NewCapture(t)
		r := NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"x", "y"}, Trees: 30, Explain: true, Directional: true}, out, 3)
		operatortest.Feed(r, 3, make([]int64, len(rows)), rows, 100)
		return out
	}
	a, b := run(), run()
	for i := range a.Rows {
		if a.Rows[i][3] != b.Rows[i][3] || a.Rows[i][4].S != b.Rows[i][4].S {
			t.Fatalf("row %d differs between two runs: a replay must be deterministic", i)
		}
	}
	type attr struct{ DIRECTION, STRENGTH, ATTRIBUTION_SCORE string }
	parse := func(i int) map[string]attr {
		var m map[string]attr
		if err := json.Unmarshal([]byte(a.Rows[i][4].S), &m); err != nil {
			t.Fatalf("row %d: %v in %s", i, err, a.Rows[i][4].S)
		}
		return m
	}
	if m := parse(0); m["x"].DIRECTION != "LOW" || m["x"].STRENGTH != "0.0000" || m["x"].ATTRIBUTION_SCORE != "0.0000" {
		t.Fatalf("learning-period explanation: %+v", m)
	}
	checked := 0
	defer func() {
		if checked < 2 {
			t.Errorf("only %d anomalies had their explanation checked", checked)
		}
	}()
	for i := 300; i < len(rows); i++ {
		m := parse(i)
		sum := 0.0
		for _, k := range []string{"x", "y"} {
			v, _ := strconv.ParseFloat(m[k].ATTRIBUTION_SCORE, 64)
			sum += v
		}
		if math.Abs(sum-a.Rows[i][3].F) > 0.00011*2 {
			t.Fatalf("row %d: attributions add to %v, score %v", i, sum, a.Rows[i][3].F)
		}
		if anomalies[i] {
			ax, _ := strconv.ParseFloat(m["x"].ATTRIBUTION_SCORE, 64)
			ay, _ := strconv.ParseFloat(m["y"].ATTRIBUTION_SCORE, 64)
			switch (i / 397) % 4 {
			case 0: // x far above its range
				checked++
				if m["x"].DIRECTION != "HIGH" || ax <= ay {
					t.Errorf("row %d: x spiked up, explanation %+v", i, m)
				}
			case 1: // y far below
				checked++
				if m["y"].DIRECTION != "LOW" || ay <= ax {
					t.Errorf("row %d: y dropped, explanation %+v", i, m)
				}
			}
		}
	}
}

func TestRCFExplanationWithoutDirectionality(t *testing.T) {
	rows, _ := series(400, 3)
	out := operatortest.NewCapture(t)
	r := NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"Systolic", "Diastolic"}, Trees: 10, SampleSize: 50, Explain: true}, out, 3)
	operatortest.Feed(r, 3, make([]int64, len(rows)), rows, 64)
	last := out.Rows[len(out.Rows)-1]
	var m map[string]map[string]string
	if err := json.Unmarshal([]byte(last[4].S), &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || len(m["Systolic"]) != 1 || m["Diastolic"]["ATTRIBUTION_SCORE"] == "" {
		t.Fatalf("explanation %s", last[4].S)
	}
	if !strings.HasPrefix(last[4].S, `{"Systolic":{"ATTRIBUTION_SCORE":"`) {
		t.Fatalf("columns out of cursor order: %s", last[4].S)
	}
}
