package analytics

import (
	"encoding/json"
	"fmt"
	"github.com/streamsql/streamsql/operators/operatortest"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// TestStateSurvivesSerialization runs each operator over a stream in one
// go, and again with its State written to JSON and read into a fresh
// operator halfway: the two outputs must be identical.
func TestStateSurvivesSerialization(t *testing.T) {
	rcfRows, _ := series(1500, 4)
	taxi := taxiPoints(3000)
	zipf := zipfItems(40000, 1.3, 3000, 5)
	zrows := make([][]value.Value, len(zipf))
	for i, z := range zipf {
		zrows[i] = []value.Value{value.NewString(z)}
	}
	cases := []struct {
		name  string
		width int
		rows  [][]value.Value
		step  int64 // ms between rows
		mk    func(out operators.Operator) (operators.Operator, any, func())
	}{
		{"distinct", 1, zrows, 1, func(out operators.Operator) (operators.Operator, any, func()) {
			d := NewDistinct(DistinctConfig{Column: 0, WindowMs: 7000, ExactLimit: 500}, out)
			return d, &d.State, func() {}
		}},
		{"topk", 1, zrows, 1, func(out operators.Operator) (operators.Operator, any, func()) {
			o := NewTopK(TopKConfig{Column: 0, K: 5, WindowMs: 7000, Capacity: 300}, out)
			return o, &o.State, o.Restore
		}},
		{"hotspots", 2, taxi, 10, func(out operators.Operator) (operators.Operator, any, func()) {
			h := NewHotspots(HotspotsConfig{Columns: []int{0, 1}, WindowSize: 500, Radius: 0.013, MinPoints: 15}, out, 2)
			return h, &h.State, h.Restore
		}},
		{"rcf", 3, rcfRows, 10, func(out operators.Operator) (operators.Operator, any, func()) {
			r := NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"x", "y"}, Trees: 20, SampleSize: 64, TimeDecay: 500, Shingle: 2, Explain: true, Directional: true}, out, 3)
			return r, &r.State, func() {}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			times := make([]int64, len(tc.rows))
			for i := range times {
				times[i] = int64(i) * tc.step
			}
			whole := operatortest.NewCapture(t)
			op, _, _ := tc.mk(whole)
			operatortest.Feed(op, tc.width, times, tc.rows, 100)
			op.Advance(operators.EndOfTime)

			split := operatortest.NewCapture(t)
			half := len(tc.rows) / 2
			op1, st1, _ := tc.mk(split)
			operatortest.Feed(op1, tc.width, times[:half], tc.rows[:half], 100)
			blob, err := json.Marshal(st1)
			if err != nil {
				t.Fatal(err)
			}
			op2, st2, restore := tc.mk(split)
			if err := json.Unmarshal(blob, st2); err != nil {
				t.Fatal(err)
			}
			restore()
			operatortest.Feed(op2, tc.width, times[half:], tc.rows[half:], 100)
			op2.Advance(operators.EndOfTime)

			if len(whole.Rows) == 0 || len(whole.Rows) != len(split.Rows) {
				t.Fatalf("%d rows in one run, %d with a checkpoint", len(whole.Rows), len(split.Rows))
			}
			for i := range whole.Rows {
				a, b := fmt.Sprint(whole.Rows[i], whole.Times[i]), fmt.Sprint(split.Rows[i], split.Times[i])
				if a != b {
					t.Fatalf("row %d differs after restoring the state (%d bytes of JSON):\n%s\n%s", i, len(blob), a, b)
				}
			}
		})
	}
}
