package analytics

import (
	"bytes"
	"fmt"
	"github.com/streamsql/streamsql/operators/operatortest"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

type stateOp interface {
	operators.Operator
	operators.Stateful
}

// TestStateSurvivesSerialization runs each operator over a stream in one
// go, and again with its state snapshotted and restored into a fresh
// operator halfway: the two outputs must be identical, and the snapshot
// of the restored operator must be the same bytes.
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
		mk    func(out operators.Operator) stateOp
	}{
		{"distinct", 1, zrows, 1, func(out operators.Operator) stateOp {
			return NewDistinct(DistinctConfig{Column: 0, WindowMs: 7000, ExactLimit: 500}, out)
		}},
		{"topk", 1, zrows, 1, func(out operators.Operator) stateOp {
			return NewTopK(TopKConfig{Column: 0, K: 5, WindowMs: 7000, Capacity: 300}, out)
		}},
		{"hotspots", 2, taxi, 10, func(out operators.Operator) stateOp {
			return NewHotspots(HotspotsConfig{Columns: []int{0, 1}, WindowSize: 500, Radius: 0.013, MinPoints: 15}, out, 2)
		}},
		{"rcf", 3, rcfRows, 10, func(out operators.Operator) stateOp {
			return NewRCF(RCFConfig{Columns: []int{0, 2}, Names: []string{"x", "y"}, Trees: 20, SampleSize: 64, TimeDecay: 500, Shingle: 2, Explain: true, Directional: true}, out, 3)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			times := make([]int64, len(tc.rows))
			for i := range times {
				times[i] = int64(i) * tc.step
			}
			whole := operatortest.NewCapture(t)
			op := tc.mk(whole)
			operatortest.Feed(op, tc.width, times, tc.rows, 100)
			op.Advance(operators.EndOfTime)

			split := operatortest.NewCapture(t)
			half := len(tc.rows) / 2
			op1 := tc.mk(split)
			operatortest.Feed(op1, tc.width, times[:half], tc.rows[:half], 100)
			var buf bytes.Buffer
			if err := op1.Snapshot(&buf); err != nil {
				t.Fatal(err)
			}
			blob := buf.Bytes()
			op2 := tc.mk(split)
			if err := op2.Restore(bytes.NewReader(blob)); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := op2.Snapshot(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(blob, again.Bytes()) {
				t.Fatalf("the restored state snapshots to different bytes (%d, %d)", len(blob), again.Len())
			}
			operatortest.Feed(op2, tc.width, times[half:], tc.rows[half:], 100)
			op2.Advance(operators.EndOfTime)

			if len(whole.Rows) == 0 || len(whole.Rows) != len(split.Rows) {
				t.Fatalf("%d rows in one run, %d with a checkpoint", len(whole.Rows), len(split.Rows))
			}
			for i := range whole.Rows {
				a, b := fmt.Sprint(whole.Rows[i], whole.Times[i]), fmt.Sprint(split.Rows[i], split.Times[i])
				if a != b {
					t.Fatalf("row %d differs after restoring the state (%d bytes of state):\n%s\n%s", i, len(blob), a, b)
				}
			}
		})
	}
}
