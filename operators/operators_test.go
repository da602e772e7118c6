package operators

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// capture records what reaches it and checks the operator contract: rows
// never go back in ROWTIME and never fall below a bound already forwarded.
type capture struct {
	t      *testing.T
	rows   []string
	bounds []int64
	last   int64
	bound  int64
}

func newCapture(t *testing.T) *capture {
	return &capture{t: t, last: math.MinInt64, bound: math.MinInt64}
}

func (c *capture) Push(b *Batch) {
	for i := 0; i < b.Len(); i++ {
		tm := b.Times[i]
		if tm < c.last {
			c.t.Errorf("ROWTIME went back: %d after %d", tm, c.last)
		}
		if tm < c.bound {
			c.t.Errorf("row at %d below forwarded bound %d", tm, c.bound)
		}
		c.last = tm
		c.rows = append(c.rows, fmt.Sprintf("%d:%s", tm, RowText(nil, b.Row(i))))
	}
}

func (c *capture) Advance(t int64) {
	if t < c.bound {
		c.t.Errorf("bound went back: %d after %d", t, c.bound)
	}
	c.bound = t
	c.bounds = append(c.bounds, t)
}

type errorList struct{ recs []ErrorRecord }

func (e *errorList) Error(r ErrorRecord) { e.recs = append(e.recs, r) }

func batchOf(width int, rows ...any) *Batch {
	b := NewBatch(width, 4)
	for i := 0; i < len(rows); i += width + 1 {
		vals := make([]value.Value, width)
		for j := 0; j < width; j++ {
			switch x := rows[i+1+j].(type) {
			case int:
				vals[j] = value.NewInt(int64(x))
			case string:
				vals[j] = value.NewString(x)
			case float64:
				vals[j] = value.NewFloat(x)
			case nil:
				vals[j] = value.Null
			}
		}
		b.Append(int64(rows[i].(int)), vals)
	}
	return b
}

func col(i int) eval.Func {
	return func(_ *eval.Ctx, row []value.Value) value.Value { return row[i] }
}

func TestSelectFiltersProjectsAndReportsErrors(t *testing.T) {
	out := newCapture(t)
	errs := &errorList{}
	s := &Select{
		Where: func(_ *eval.Ctx, row []value.Value) value.Value { return value.NewBool(row[1].I > 10) },
		Exprs: []eval.Func{col(0), func(c *eval.Ctx, row []value.Value) value.Value {
			if row[1].I == 99 {
				c.Fail(eval.Errorf(eval.ErrArithmetic, "division by zero"))
				return value.Null
			}
			return value.NewInt(row[1].I * 2)
		}},
		Out: out, Errors: errs, Pump: "P",
	}
	s.Push(batchOf(2, 1, "a", 5, 2, "b", 20, 3, "c", 99, 4, "d", 11))
	s.Advance(10)
	want := []string{"2:b,40", "4:d,22"}
	if strings.Join(out.rows, " ") != strings.Join(want, " ") {
		t.Fatalf("rows = %v, want %v", out.rows, want)
	}
	if len(errs.recs) != 1 || errs.recs[0].Name != eval.ErrArithmetic || errs.recs[0].Pump != "P" ||
		errs.recs[0].DataRowtime != 3 || string(errs.recs[0].DataRow) != "c,99" {
		t.Fatalf("errors = %+v", errs.recs)
	}
	if len(out.bounds) != 1 || out.bounds[0] != 10 {
		t.Fatalf("bounds = %v", out.bounds)
	}
}

func TestMergeOrdersRowsOfSeveralProducers(t *testing.T) {
	out := newCapture(t)
	m := NewMerge(out)
	a, b := m.NewInput(), m.NewInput()
	a.Push(batchOf(1, 10, "a1", 30, "a2"))
	if len(out.rows) != 0 {
		t.Fatalf("released rows before the other producer's bound: %v", out.rows)
	}
	b.Push(batchOf(1, 20, "b1"))
	// b's bound is now 20: rows up to 20 may go.
	if got := strings.Join(out.rows, " "); got != "10:a1 20:b1" {
		t.Fatalf("after b: %q", got)
	}
	b.Advance(40)
	if got := strings.Join(out.rows, " "); got != "10:a1 20:b1 30:a2" {
		t.Fatalf("after bound: %q", got)
	}
	a.Advance(EndOfTime)
	b.Push(batchOf(1, 45, "b2"))
	b.Advance(EndOfTime)
	if got := strings.Join(out.rows, " "); got != "10:a1 20:b1 30:a2 45:b2" {
		t.Fatalf("at end: %q", got)
	}
	if out.bounds[len(out.bounds)-1] != EndOfTime {
		t.Fatalf("end of time not forwarded: %v", out.bounds)
	}
}

func TestMergeSingleProducerPassesThrough(t *testing.T) {
	out := newCapture(t)
	m := NewMerge(out)
	a := m.NewInput()
	a.Push(batchOf(1, 5, "x"))
	a.Advance(7)
	a.Advance(6) // a bound that goes back is not forwarded
	if len(out.rows) != 1 || len(out.bounds) != 1 || out.bounds[0] != 7 {
		t.Fatalf("rows %v bounds %v", out.rows, out.bounds)
	}
}

func TestRefJoinInnerLeftAndResidual(t *testing.T) {
	table := [][]value.Value{
		{value.NewString("u1"), value.NewString("F")},
		{value.NewString("u2"), value.NewString("M")},
		{value.NewString("u2"), value.NewString("X")},
		{value.Null, value.NewString("never")},
	}
	run := func(left bool, residual eval.Func) []string {
		out := newCapture(t)
		j := &RefJoin{Table: table, StreamKeys: []eval.Func{col(0)}, TableKeys: []int{0}, TableWidth: 2,
			Residual: residual, Left: left, Out: out}
		j.Build()
		j.Push(batchOf(1, 1, "u1", 2, "u2", 3, "u9", 4, nil))
		return out.rows
	}
	if got := strings.Join(run(false, nil), " "); got != "1:u1,u1,F 2:u2,u2,M 2:u2,u2,X" {
		t.Errorf("inner: %q", got)
	}
	if got := strings.Join(run(true, nil), " "); got != "1:u1,u1,F 2:u2,u2,M 2:u2,u2,X 3:u9,, 4:,," {
		t.Errorf("left: %q", got)
	}
	notX := func(_ *eval.Ctx, row []value.Value) value.Value { return value.NewBool(row[2].S != "X") }
	if got := strings.Join(run(true, notX), " "); got != "1:u1,u1,F 2:u2,u2,M 3:u9,, 4:,," {
		t.Errorf("left with residual: %q", got)
	}
}

func TestRefJoinEmptyTableLeftJoinKeepsWidth(t *testing.T) {
	out := newCapture(t)
	j := &RefJoin{StreamKeys: []eval.Func{col(0)}, TableKeys: []int{0}, TableWidth: 2, Left: true, Out: out}
	j.Build()
	j.Push(batchOf(1, 1, "u1"))
	if len(out.rows) != 1 || out.rows[0] != "1:u1,," {
		t.Fatalf("rows = %v", out.rows)
	}
}

func TestInsertCoercesAndOverridesRowtime(t *testing.T) {
	out := newCapture(t)
	errs := &errorList{}
	ins := &Insert{
		Types:      []value.Type{{Base: value.TBigint}, {Base: value.TVarchar, Len: 3}},
		Slots:      []int{1, 0, -1},
		RowtimeArg: 2,
		Out:        out, Errors: errs, Pump: "P",
	}
	b := NewBatch(3, 4)
	b.Append(1, []value.Value{value.NewString("abcdef"), value.NewInt(7), value.NewTimestamp(100)})
	b.Append(2, []value.Value{value.NewString("x"), value.NewInt(8), value.NewTimestamp(50)}) // goes back: error
	b.Append(3, []value.Value{value.NewString("y"), value.NewInt(9), value.NewTimestamp(100)})
	ins.Push(b)
	if got := strings.Join(out.rows, " "); got != "100:7,abc 100:9,y" {
		t.Fatalf("rows = %q", got)
	}
	if len(errs.recs) != 1 || errs.recs[0].Name != eval.ErrOrder {
		t.Fatalf("errors = %+v", errs.recs)
	}
}

func TestTeeFansOut(t *testing.T) {
	a, b := newCapture(t), newCapture(t)
	tee := &Tee{Outs: []Operator{a, b}}
	tee.Push(batchOf(1, 1, "x"))
	tee.Advance(5)
	if len(a.rows) != 1 || len(b.rows) != 1 || a.bounds[0] != 5 || b.bounds[0] != 5 {
		t.Fatalf("a=%v/%v b=%v/%v", a.rows, a.bounds, b.rows, b.bounds)
	}
}
