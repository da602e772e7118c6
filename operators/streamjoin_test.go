package operators_test

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

type joinRow struct {
	t   int64
	key int64
	id  int
}

// TestStreamJoinMatchesOracle: a LEFT join of two RANGE-windowed streams
// on random keys and times, checked against the definition: l and r match
// when their keys are equal and the earlier one is still in its own side's
// window when the later one arrives; an unmatched left row comes out at
// its time plus the left window.
func TestStreamJoinMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	const rl, rr = 5000, 2000
	gen := func(n int, base int) []joinRow {
		var rows []joinRow
		tm := int64(0)
		for i := 0; i < n; i++ {
			tm += int64(rng.Intn(900))
			rows = append(rows, joinRow{t: tm, key: int64(rng.Intn(12)), id: base + i})
		}
		return rows
	}
	left, right := gen(600, 0), gen(600, 10000)
	var want []string
	for _, l := range left {
		matched := false
		for _, r := range right {
			if l.key != r.key {
				continue
			}
			ok := (l.t <= r.t && l.t >= r.t-rl) || (r.t < l.t && r.t >= l.t-rr)
			if ok {
				matched = true
				want = append(want, fmt.Sprintf("%d|%d|%d", max(l.t, r.t), l.id, r.id))
			}
		}
		if !matched {
			want = append(want, fmt.Sprintf("%d|%d|-", l.t+rl, l.id))
		}
	}
	on := func(_ *eval.Ctx, row []value.Value) value.Value {
		return value.NewBool(row[0].I == row[3].I) // left: key,id,ROWTIME; right: key,id,ROWTIME
	}
	out := operatortest.NewCapture(t)
	j := &operators.StreamJoin{L: operators.JoinSide{Width: 2, Windowed: true, Range: rl, Outer: true},
		R: operators.JoinSide{Width: 2, Windowed: true, Range: rr}, On: on, Out: out}
	j.Init()
	// Feed both sides in small batches with bounds, interleaved.
	li, ri := 0, 0
	for li < len(left) || ri < len(right) {
		for _, side := range []struct {
			rows []joinRow
			i    *int
			op   operators.Operator
		}{{left, &li, j.Left()}, {right, &ri, j.Right()}} {
			b := operators.NewBatch(2, 4)
			for k := 0; k < 1+rng.Intn(4) && *side.i < len(side.rows); k++ {
				r := side.rows[*side.i]
				b.Append(r.t, []value.Value{value.NewInt(r.key), value.NewInt(int64(r.id))})
				*side.i++
			}
			if b.Len() > 0 {
				side.op.Push(b)
				side.op.Advance(b.Times[b.Len()-1])
			} else {
				side.op.Advance(operators.EndOfTime)
			}
		}
	}
	j.Left().Advance(operators.EndOfTime)
	j.Right().Advance(operators.EndOfTime)
	var got []string
	for i, r := range out.Rows {
		if i > 0 && out.Times[i] < out.Times[i-1] {
			t.Fatalf("ROWTIME went back at output row %d", i)
		}
		rid := "-"
		if r[4].K != value.KNull {
			rid = fmt.Sprint(r[4].I)
		}
		got = append(got, fmt.Sprintf("%d|%d|%s", out.Times[i], r[1].I, rid))
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %s, want %s", i, got[i], want[i])
		}
	}
}
