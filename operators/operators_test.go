package operators_test

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func batchOf(width int, rows ...any) *operators.Batch {
	b := operators.NewBatch(width, 4)
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
	out := operatortest.NewCapture(t)
	errs := &operatortest.Errors{}
	s := &operators.Select{
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
	if strings.Join(out.Lines(), " ") != strings.Join(want, " ") {
		t.Fatalf("rows = %v, want %v", out.Lines(), want)
	}
	if len(errs.Recs) != 1 || errs.Recs[0].Name != eval.ErrArithmetic || errs.Recs[0].Pump != "P" ||
		errs.Recs[0].DataRowtime != 3 || string(errs.Recs[0].DataRow) != "c,99" {
		t.Fatalf("errors = %+v", errs.Recs)
	}
	if len(out.Bounds) != 1 || out.Bounds[0] != 10 {
		t.Fatalf("bounds = %v", out.Bounds)
	}
}

func TestMergeOrdersRowsOfSeveralProducers(t *testing.T) {
	out := operatortest.NewCapture(t)
	m := operators.NewMerge(out)
	a, b := m.NewInput(), m.NewInput()
	a.Push(batchOf(1, 10, "a1", 30, "a2"))
	if len(out.Lines()) != 0 {
		t.Fatalf("released rows before the other producer's bound: %v", out.Lines())
	}
	b.Push(batchOf(1, 20, "b1"))
	// b's bound is now 20: rows up to 20 may go.
	if got := strings.Join(out.Lines(), " "); got != "10:a1 20:b1" {
		t.Fatalf("after b: %q", got)
	}
	b.Advance(40)
	if got := strings.Join(out.Lines(), " "); got != "10:a1 20:b1 30:a2" {
		t.Fatalf("after bound: %q", got)
	}
	a.Advance(operators.EndOfTime)
	b.Push(batchOf(1, 45, "b2"))
	b.Advance(operators.EndOfTime)
	if got := strings.Join(out.Lines(), " "); got != "10:a1 20:b1 30:a2 45:b2" {
		t.Fatalf("at end: %q", got)
	}
	if out.Bounds[len(out.Bounds)-1] != operators.EndOfTime {
		t.Fatalf("end of time not forwarded: %v", out.Bounds)
	}
}

func TestMergeSingleProducerPassesThrough(t *testing.T) {
	out := operatortest.NewCapture(t)
	m := operators.NewMerge(out)
	a := m.NewInput()
	a.Push(batchOf(1, 5, "x"))
	a.Advance(7)
	a.Advance(6) // a bound that goes back is not forwarded
	if len(out.Lines()) != 1 || len(out.Bounds) != 1 || out.Bounds[0] != 7 {
		t.Fatalf("rows %v bounds %v", out.Lines(), out.Bounds)
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
		out := operatortest.NewCapture(t)
		j := &operators.RefJoin{Table: table, StreamKeys: []eval.Func{col(0)}, TableKeys: []int{0}, TableWidth: 2,
			Residual: residual, Left: left, Out: out}
		j.Build()
		j.Push(batchOf(1, 1, "u1", 2, "u2", 3, "u9", 4, nil))
		return out.Lines()
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
	out := operatortest.NewCapture(t)
	j := &operators.RefJoin{StreamKeys: []eval.Func{col(0)}, TableKeys: []int{0}, TableWidth: 2, Left: true, Out: out}
	j.Build()
	j.Push(batchOf(1, 1, "u1"))
	if len(out.Lines()) != 1 || out.Lines()[0] != "1:u1,," {
		t.Fatalf("rows = %v", out.Lines())
	}
}

func TestInsertCoercesAndOverridesRowtime(t *testing.T) {
	out := operatortest.NewCapture(t)
	errs := &operatortest.Errors{}
	ins := &operators.Insert{
		Types:      []value.Type{{Base: value.TBigint}, {Base: value.TVarchar, Len: 3}},
		Slots:      []int{1, 0, -1},
		RowtimeArg: 2,
		Out:        out, Errors: errs, Pump: "P",
	}
	b := operators.NewBatch(3, 4)
	b.Append(1, []value.Value{value.NewString("abcdef"), value.NewInt(7), value.NewTimestamp(100)})
	b.Append(2, []value.Value{value.NewString("x"), value.NewInt(8), value.NewTimestamp(50)}) // goes back: error
	b.Append(3, []value.Value{value.NewString("y"), value.NewInt(9), value.NewTimestamp(100)})
	ins.Push(b)
	if got := strings.Join(out.Lines(), " "); got != "100:7,abc 100:9,y" {
		t.Fatalf("rows = %q", got)
	}
	if len(errs.Recs) != 1 || errs.Recs[0].Name != eval.ErrOrder {
		t.Fatalf("errors = %+v", errs.Recs)
	}
}

// TestInsertForwardsFittingBatches: a batch whose values all fit their
// columns goes on as it is (the same batch), one that does not is copied
// with its values assigned (an integer into a DOUBLE column, text cut to
// the VARCHAR length), and the two kinds can follow each other.
func TestInsertForwardsFittingBatches(t *testing.T) {
	var got []*operators.Batch
	out := operatortest.NewCapture(t)
	spy := &batchSpy{out: out, seen: &got}
	ins := &operators.Insert{Types: []value.Type{{Base: value.TVarchar, Len: 3}, value.Double}, Slots: []int{0, 1}, RowtimeArg: -1, Out: spy}
	fits := batchOf(2, 1, "abc", 1.5, 2, nil, nil)
	ins.Push(fits)
	ins.Push(batchOf(2, 3, "abcdef", 2.5, 4, "x", 7))
	ins.Push(batchOf(2, 5, "xy", 3.5))
	if len(got) != 3 || got[0] != fits || got[1] == nil {
		t.Fatalf("batches pushed on: %v (the fitting one %p)", got, fits)
	}
	want := "1:abc,1.5 2:, 3:abc,2.5 4:x,7 5:xy,3.5"
	if lines := strings.Join(out.Lines(), " "); lines != want {
		t.Fatalf("rows = %q, want %q", lines, want)
	}
	if v := out.Rows[3][1]; v.K != value.KFloat {
		t.Fatalf("7 in a DOUBLE column is %v, not a DOUBLE", v)
	}
}

// batchSpy notes the batches pushed through it.
type batchSpy struct {
	out  operators.Operator
	seen *[]*operators.Batch
}

func (s *batchSpy) Push(b *operators.Batch) { *s.seen = append(*s.seen, b); s.out.Push(b) }
func (s *batchSpy) Advance(t int64)         { s.out.Advance(t) }

func TestTeeFansOut(t *testing.T) {
	a, b := operatortest.NewCapture(t), operatortest.NewCapture(t)
	tee := &operators.Tee{Outs: []operators.Operator{a, b}}
	tee.Push(batchOf(1, 1, "x"))
	tee.Advance(5)
	if len(a.Lines()) != 1 || len(b.Lines()) != 1 || a.Bounds[0] != 5 || b.Bounds[0] != 5 {
		t.Fatalf("a=%v/%v b=%v/%v", a.Lines(), a.Bounds, b.Lines(), b.Bounds)
	}
}

// TestSortEmitsEachLeadingKeyRunSorted: rows are held while the leading
// key keeps its value and come out sorted by the keys at the run's latest
// ROWTIME; the bound forwarded is held back to the first held row.
func TestSortEmitsEachLeadingKeyRunSorted(t *testing.T) {
	out := operatortest.NewCapture(t)
	// Row: name, lead key (a minute), second key (DESC).
	s := &operators.Sort{Width: 1, Desc: []bool{false, true},
		LeadAt: func(t int64) value.Value { return value.NewInt(t / 60) }, Out: out}
	s.Init()
	s.Push(batchOf(3, 10, "a", 0, 1, 20, "b", 0, 3, 30, "c", 0, 2))
	s.Advance(30)
	if out.Len() != 0 || len(out.Bounds) != 1 || out.Bounds[0] != 10 {
		t.Fatalf("while the run is open: rows %v bounds %v (want none, bound held at 10)", out.Lines(), out.Bounds)
	}
	s.Push(batchOf(3, 70, "d", 1, 5))
	if got := strings.Join(out.Lines(), " "); got != "30:b 30:c 30:a" {
		t.Fatalf("first run: %q", got)
	}
	s.Advance(125) // the lead key at 125 is 2: the run of key 1 closes
	if got := strings.Join(out.Lines(), " "); got != "30:b 30:c 30:a 70:d" {
		t.Fatalf("after the bound: %q", got)
	}
	if b := out.Bounds[len(out.Bounds)-1]; b != 125 {
		t.Fatalf("bound = %d, want 125", b)
	}
	s.Push(batchOf(3, 130, "e", 2, nil))
	s.Advance(operators.EndOfTime)
	if got := out.Lines()[out.Len()-1]; got != "130:e" || !out.Ended() {
		t.Fatalf("at the end: %q ended=%v", got, out.Ended())
	}
}

// TestSortWithoutLeadAtClosesOnlyOnNewKeyOrEnd: a leading key that is not
// a function of ROWTIME: no bound closes the run.
func TestSortWithoutLeadAtClosesOnlyOnNewKeyOrEnd(t *testing.T) {
	out := operatortest.NewCapture(t)
	s := &operators.Sort{Width: 1, Desc: []bool{true}, Out: out}
	s.Init()
	s.Push(batchOf(2, 1, "a", 7, 2, "b", 7))
	s.Advance(1000)
	if out.Len() != 0 {
		t.Fatalf("a bound closed a run: %v", out.Lines())
	}
	s.Push(batchOf(2, 3, "c", 8))
	s.Advance(operators.EndOfTime)
	if got := strings.Join(out.Lines(), " "); got != "2:a 2:b 3:c" {
		t.Fatalf("rows: %q", got)
	}
}

// TestGroupRankRanksEachTimeGroup: ties share a rank and the next rank
// skips; Max limits the rows; a group closes on a later row or bound.
func TestGroupRankRanksEachTimeGroup(t *testing.T) {
	out := operatortest.NewCapture(t)
	g := &operators.GroupRank{Width: 2, RankBy: 1, RankOut: 2, Desc: true, Max: 3, Out: out}
	g.Init()
	g.Push(batchOf(2, 5, "a", 1, 5, "b", 3, 5, "c", 3, 5, "d", 2, 5, "e", nil))
	g.Advance(5)
	if out.Len() != 0 || len(out.Bounds) != 1 || out.Bounds[0] != 5 {
		t.Fatalf("group at the bound's own time closed: %v %v", out.Lines(), out.Bounds)
	}
	g.Advance(6)
	// DESC: b and c tie for rank 1, d is 3rd; Max cuts a (4th) and e (NULL, last).
	if got := strings.Join(out.Lines(), " "); got != "5:b,3,1 5:c,3,1 5:d,2,3" {
		t.Fatalf("group: %q", got)
	}
	g.Push(batchOf(2, 9, "x", 4, 10, "y", 4))
	if got := out.Lines()[out.Len()-1]; got != "9:x,4,1" {
		t.Fatalf("closed by a later row: %q", got)
	}
	g.Advance(operators.EndOfTime)
	if got := out.Lines()[out.Len()-1]; got != "10:y,4,1" || !out.Ended() {
		t.Fatalf("at the end: %q", got)
	}
}
