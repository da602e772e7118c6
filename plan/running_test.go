package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

const countPump = `CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), N BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  WHERE PRICE > 1
  GROUP BY TICKER_SYMBOL, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);`

func mustPlan(t *testing.T, src string) *Graph {
	t.Helper()
	g, err := planSQL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The fingerprint ignores layout and comments, and changes with any
// statement or schema change.
func TestFingerprint(t *testing.T) {
	fp := mustPlan(t, countPump).Fingerprint()
	if len(fp) != 64 {
		t.Fatalf("fingerprint %q", fp)
	}
	same := "-- the same application, laid out differently\n" + strings.ReplaceAll(countPump, "\n  ", "\n\t\t")
	if got := mustPlan(t, same).Fingerprint(); got != fp {
		t.Errorf("layout changed the fingerprint")
	}
	for _, changed := range []string{
		strings.Replace(countPump, "PRICE > 1", "PRICE > 2", 1),
		strings.Replace(countPump, "TO MINUTE", "TO HOUR", 1),
		strings.Replace(countPump, "N BIGINT", "M BIGINT", 1),
		strings.Replace(countPump, `PUMP "P"`, `PUMP "Q"`, 1),
	} {
		if got := mustPlan(t, changed).Fingerprint(); got == fp {
			t.Errorf("same fingerprint for\n%s", changed)
		}
	}
}

func feedTickers(r *Running, n int, from int64) {
	in := r.Input("SOURCE_SQL_STREAM_001")
	b := operators.NewBatch(6, n)
	for i := 0; i < n; i++ {
		b.Append(from+int64(i)*10000, []value.Value{value.NewString([]string{"A", "B", "C"}[i%3]), value.NewString("S"),
			value.NewFloat(0), value.NewFloat(float64(i % 4)), value.NewInt(int64(i)), value.Null})
	}
	in.Push(b)
	r.Advance(from + int64(n-1)*10000)
}

// Operators lists every running operator with its rows in and out and
// its state.
func TestOperatorsCountRowsAndState(t *testing.T) {
	out := operatortest.NewCapture(t)
	var b Bindings
	b.Attach("DEST", out)
	r, err := Start(mustPlan(t, countPump), b)
	if err != nil {
		t.Fatal(err)
	}
	feedTickers(r, 12, 0) // 12 rows over two minutes, PRICE 0..3: 6 pass the filter
	got := map[string]operators.Node{}
	var names []string
	for _, n := range r.Operators() {
		got[n.Name()] = n
		names = append(names, n.Name())
	}
	want := []string{"SOURCE_SQL_STREAM_001/stream", "DEST/stream", "P/select", "P/tumbling", "P/select#2", "P/insert"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("operators %q, want %q", names, want)
	}
	if c := got["P/select"].Counters(); c != (operators.Counters{RowsIn: 12, RowsOut: 6}) {
		t.Errorf("filter counters %+v", c)
	}
	if c := got["SOURCE_SQL_STREAM_001/stream"].Counters(); c.RowsIn != 12 || c.RowsOut != 12 {
		t.Errorf("source counters %+v", c)
	}
	tum := got["P/tumbling"]
	if c := tum.Counters(); c.RowsIn != 6 || c.RowsOut == 0 || c.RowsOut != got["P/insert"].Counters().RowsIn {
		t.Errorf("tumbling counters %+v", c)
	}
	if s := tum.StateSize(); s.Groups == 0 || s.Bytes == 0 {
		t.Errorf("tumbling holds the open minute's groups, state %+v", s)
	}
	if int64(out.Len()) != got["DEST/stream"].Counters().RowsOut {
		t.Errorf("%d rows reached the output, the stream counted %+v", out.Len(), got["DEST/stream"].Counters())
	}
}

// A snapshot is refused by a graph of another plan, and by anything that
// is not a snapshot; the same state gives the same bytes.
func TestSnapshotBelongsToItsPlan(t *testing.T) {
	r, err := Start(mustPlan(t, countPump), Bindings{})
	if err != nil {
		t.Fatal(err)
	}
	feedTickers(r, 9, 0)
	var a, b bytes.Buffer
	if err := r.Snapshot(&a); err != nil {
		t.Fatal(err)
	}
	if err := r.Snapshot(&b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("two snapshots of one state differ (%v)", err)
	}
	other, err := Start(mustPlan(t, strings.Replace(countPump, "PRICE > 1", "PRICE > 2", 1)), Bindings{})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(bytes.NewReader(a.Bytes())); err == nil || !strings.Contains(err.Error(), "another application") {
		t.Errorf("restore into another plan: %v", err)
	}
	fresh, _ := Start(mustPlan(t, countPump), Bindings{})
	if err := fresh.Restore(strings.NewReader("not a snapshot at all")); err == nil || !strings.Contains(err.Error(), "not a streamsql state snapshot") {
		t.Errorf("restore of garbage: %v", err)
	}
	if err := fresh.Restore(bytes.NewReader(a.Bytes()[:a.Len()-3])); err == nil {
		t.Errorf("a truncated snapshot restored")
	}
	flipped := append([]byte(nil), a.Bytes()...)
	flipped[len(flipped)/2] ^= 4
	if err := fresh.Restore(bytes.NewReader(flipped)); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("restore of a damaged snapshot: %v", err)
	}
}

// A restored graph joins with the reference table version the snapshot
// was taken with (here one swapped in by ReplaceTable), whatever the new
// run bound at start.
func TestRestoreKeepsTheTableVersion(t *testing.T) {
	src := `CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), COMPANY VARCHAR(64));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM s.TICKER_SYMBOL, u.COMPANY FROM "SOURCE_SQL_STREAM_001" AS s JOIN "users" AS u ON s.TICKER_SYMBOL = u.TICKER;`
	table := func(company string) [][]value.Value {
		return [][]value.Value{{value.NewString("A"), value.NewString(company)}}
	}
	start := func(out operators.Operator) *Running {
		var b Bindings
		b.SetTable("users", table("first"))
		b.Attach("DEST", out)
		r, err := Start(mustPlan(t, src), b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := start(&operatortest.Count{})
	if err := r.ReplaceTable("users", table("second")); err != nil {
		t.Fatal(err)
	}
	var state bytes.Buffer
	if err := r.Snapshot(&state); err != nil {
		t.Fatal(err)
	}
	got := operatortest.NewCapture(t)
	r2 := start(got)
	if err := r2.Restore(&state); err != nil {
		t.Fatal(err)
	}
	feedTickers(r2, 3, 0)
	if lines := got.Lines(); len(lines) != 1 || !strings.Contains(lines[0], "second") {
		t.Fatalf("after restore the join gave %q, want the second version's row", lines)
	}
}

// FuzzRestore: any bytes either restore or are refused with an error;
// Restore never panics. The seeds are real snapshots.
func FuzzRestore(f *testing.F) {
	script, err := parser.ParseScript("app.sql", countPump)
	if err != nil {
		f.Fatal(err)
	}
	g, err := Plan(script, testCatalog())
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range []int{0, 3, 9} {
		r, err := Start(g, Bindings{})
		if err != nil {
			f.Fatal(err)
		}
		feedTickers(r, n, 0)
		var b bytes.Buffer
		if err := r.Snapshot(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Start(g, Bindings{})
		if err != nil {
			t.Fatal(err)
		}
		r.Restore(bytes.NewReader(data))
	})
}
