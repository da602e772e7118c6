package plan

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// ReplaceTable reaches the joins of a built graph, and only known tables.
func TestReplaceTableUnknown(t *testing.T) {
	g := &Running{tables: map[string][][]value.Value{"users": nil}}
	if err := g.ReplaceTable("nope", nil); err == nil {
		t.Fatal("unknown table accepted")
	}
	if err := g.ReplaceTable("users", [][]value.Value{{value.NewString("u1")}}); err != nil || len(g.tables["users"]) != 1 {
		t.Fatal(err)
	}
}

// A subquery of IN reads the table bound at start, and the new version
// after ReplaceTable.
func TestReplaceTableRefillsInSubquery(t *testing.T) {
	src := `CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001"
  WHERE TICKER_SYMBOL IN (SELECT TICKER FROM "users" WHERE COMPANY <> 'gone');`
	table := func(rows ...[2]string) [][]value.Value {
		var out [][]value.Value
		for _, r := range rows {
			out = append(out, []value.Value{value.NewString(r[0]), value.NewString(r[1])})
		}
		return out
	}
	got := operatortest.NewCapture(t)
	var b Bindings
	b.SetTable("users", table([2]string{"A", "a"}, [2]string{"B", "gone"}))
	b.Attach("DEST", got)
	r, err := Start(mustPlan(t, src), b)
	if err != nil {
		t.Fatal(err)
	}
	feedTickers(r, 3, 0) // A, B, C
	if err := r.ReplaceTable("users", table([2]string{"B", "b"}, [2]string{"C", "c"})); err != nil {
		t.Fatal(err)
	}
	feedTickers(r, 3, 30000)
	want := []string{"A", "B", "C"}
	lines := got.Lines()
	if len(lines) != len(want) {
		t.Fatalf("got %q, want the tickers %q", lines, want)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("row %d = %q, want ticker %s", i, lines[i], w)
		}
	}
}
