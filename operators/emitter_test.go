package operators_test

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func TestEmitterFlushesAndForwardsRisingBounds(t *testing.T) {
	out := operatortest.NewCapture(t)
	e := operators.NewEmitter(out, 1)
	e.Grow(5)[0] = value.NewInt(1)
	e.Append(5, []value.Value{value.NewInt(2)})
	if out.Len() != 0 || e.Len() != 2 {
		t.Fatalf("rows left before Flush: %d waiting %d", out.Len(), e.Len())
	}
	e.Advance(7)
	e.Advance(7)
	e.Advance(6)
	if got := strings.Join(out.Lines(), " "); got != "5:1 5:2" || len(out.Bounds) != 1 || e.Bound() != 7 {
		t.Fatalf("rows %q bounds %v", got, out.Bounds)
	}
	e.Grow(7)
	e.Truncate(0) // a rejected row leaves no trace
	e.Grow(8)[0] = value.NewInt(3)
	e.Flush()
	if e.Rows() != 3 || out.Len() != 3 {
		t.Fatalf("rows counted %d, received %d", e.Rows(), out.Len())
	}
}

func TestEmitterPanicsOnARowBelowTheBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *operators.Emitter)
		want string
	}{
		{"below bound", func(e *operators.Emitter) { e.Advance(10); e.Grow(9) }, "below the bound already forwarded (10)"},
		{"back in time", func(e *operators.Emitter) { e.Grow(10); e.Append(9, []value.Value{value.Null}) }, "below the last row emitted (10)"},
		{"forwarded batch", func(e *operators.Emitter) {
			e.Advance(10)
			b := operators.NewBatch(1, 1)
			b.Append(3, []value.Value{value.Null})
			e.Forward(b)
		}, "ROWTIME 3 emitted below the bound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			tc.run(operators.NewEmitter(operators.Discard{}, 1))
		})
	}
}

// TestInsertWithRowtimeOverrideForwardsItsOwnBound: with SELECT ... AS
// ROWTIME the input's bound says nothing of the rows to come; forwarding
// it let a later row (ROWTIME 50, input time 200) land below a bound (100)
// already forwarded, so a window downstream could close too early.
func TestInsertWithRowtimeOverrideForwardsItsOwnBound(t *testing.T) {
	out := operatortest.NewCapture(t)
	ins := &operators.Insert{Types: []value.Type{{Base: value.TBigint}}, Slots: []int{0, -1}, RowtimeArg: 1, Out: out}
	push := func(t, rt int64) {
		b := operators.NewBatch(2, 1)
		b.Append(t, []value.Value{value.NewInt(t), value.NewTimestamp(rt)})
		ins.Push(b)
	}
	push(10, 40)
	ins.Advance(100)
	push(200, 50)
	ins.Advance(300)
	ins.Advance(operators.EndOfTime)
	if got := strings.Join(out.Lines(), " "); got != "40:10 50:200" {
		t.Fatalf("rows %q", got)
	}
	if want := []int64{40, 50, operators.EndOfTime}; len(out.Bounds) != 3 || out.Bounds[0] != want[0] || out.Bounds[1] != want[1] {
		t.Fatalf("bounds %v, want %v", out.Bounds, want)
	}
}
