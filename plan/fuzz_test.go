package plan

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// planSeeds holds one script per construct family: each must plan and
// run (TestPlanSeedsPlanAndRun), and each seeds FuzzPlanAndRun.
var planSeeds = []string{
	// Filter and projection, scalar function families.
	`CREATE STREAM O (K VARCHAR(4), P DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, PRICE * 2 FROM SOURCE_SQL_STREAM_001 WHERE PRICE > 3 AND TICKER_SYMBOL SIMILAR TO 'A%';`,
	`CREATE STREAM O (S VARCHAR(16), N INTEGER, T TIMESTAMP); CREATE PUMP P AS INSERT INTO O SELECT STREAM SUBSTRING(SECTOR FROM 2 FOR 3) || TRIM(TICKER_SYMBOL), POSITION('T' IN SECTOR), FLOOR(ROWTIME TO MINUTE) FROM SOURCE_SQL_STREAM_001;`,
	`CREATE STREAM O (C VARCHAR(8), D DECIMAL(8,2)); CREATE PUMP P AS INSERT INTO O SELECT STREAM CASE WHEN CHANGE > 0 THEN 'UP' ELSE OVERLAY(TICKER_SYMBOL PLACING 'x' FROM 2) END, CAST(PRICE AS DECIMAL(8,2)) FROM SOURCE_SQL_STREAM_001;`,
	// Tumbling GROUP BY with HAVING, on ROWTIME and with STEP.
	`CREATE STREAM O (K VARCHAR(4), N BIGINT, S DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(PRICE) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '5' SECOND) HAVING COUNT(*) > 1;`,
	`CREATE STREAM O (M TIMESTAMP, A DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM FLOOR(s.ROWTIME TO SECOND), AVG(CHANGE) FROM SOURCE_SQL_STREAM_001 AS s GROUP BY FLOOR(s.ROWTIME TO SECOND);`,
	// Sliding windows, named windows, LAG; ORDER BY on a time key.
	`CREATE STREAM O (K VARCHAR(4), A DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE PRECEDING) FROM SOURCE_SQL_STREAM_001;`,
	`CREATE STREAM O (K VARCHAR(4), L DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, LAG(PRICE, 2, 0) OVER W FROM SOURCE_SQL_STREAM_001 WINDOW W AS (ROWS 3 PRECEDING) ORDER BY FLOOR(ROWTIME TO SECOND), 2 DESC;`,
	// Stagger windows.
	`CREATE STREAM O (K VARCHAR(4), N BIGINT); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM SOURCE_SQL_STREAM_001 WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '10' SECOND);`,
	// Stream joins (FULL, LEFT with a remainder) and a reference-table join.
	`CREATE STREAM O (A VARCHAR(4), B VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM a.TICKER_SYMBOL, b.SECTOR FROM SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS a FULL JOIN SOURCE_SQL_STREAM_001 AS b ON a.TICKER_SYMBOL = b.TICKER_SYMBOL;`,
	`CREATE STREAM O (A VARCHAR(4), P DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM a.TICKER_SYMBOL, b.PRICE FROM SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '2' SECOND PRECEDING) AS a LEFT JOIN SOURCE_SQL_STREAM_001 AS b ON a.TICKER_SYMBOL = b.TICKER_SYMBOL AND b.PRICE > a.PRICE;`,
	`CREATE STREAM O (A VARCHAR(4), B VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM a.TICKER_SYMBOL, b.SECTOR FROM SOURCE_SQL_STREAM_001 OVER (ROWS 2 PRECEDING) AS a LEFT JOIN SOURCE_SQL_STREAM_001 AS b ON a.TICKER_SYMBOL = b.TICKER_SYMBOL AND a.PRICE < 30;`,
	`CREATE STREAM O (K VARCHAR(4), C VARCHAR(64)); CREATE PUMP P AS INSERT INTO O SELECT STREAM s.TICKER_SYMBOL, u.COMPANY FROM SOURCE_SQL_STREAM_001 AS s LEFT JOIN "users" AS u ON s.TICKER_SYMBOL = u.TICKER AND s.PRICE > 10;`,
	// IN subqueries over a reference table, scalar and row forms.
	`CREATE STREAM O (K VARCHAR(4), B BOOLEAN); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, (TICKER_SYMBOL, SECTOR) NOT IN (SELECT TICKER, COMPANY FROM "users") FROM SOURCE_SQL_STREAM_001 WHERE TICKER_SYMBOL IN (SELECT u.TICKER FROM "users" AS u WHERE u.COMPANY <> 'x');`,
	`CREATE STREAM O (K VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM s.TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001 AS s WHERE EXISTS (SELECT 1 FROM "users" AS u WHERE u.TICKER = s.TICKER_SYMBOL AND u.COMPANY LIKE 'A%');`,
	// DISTINCT, UNION ALL, several pumps into one stream, AS ROWTIME.
	`CREATE STREAM O (M TIMESTAMP, K VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM DISTINCT FLOOR(s.ROWTIME TO MINUTE), TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001 AS s;`,
	`CREATE STREAM O (K VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001 WHERE PRICE > 5 UNION ALL SELECT STREAM SECTOR FROM SOURCE_SQL_STREAM_001 WHERE PRICE < 2;`,
	`CREATE STREAM O (K VARCHAR(4)); CREATE PUMP P1 AS INSERT INTO O SELECT STREAM TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001; CREATE PUMP P2 AS INSERT INTO O SELECT STREAM SECTOR FROM SOURCE_SQL_STREAM_001 WHERE CHANGE > 0;`,
	`CREATE STREAM O (K VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM FLOOR(ROWTIME TO SECOND) AS ROWTIME, TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001;`,
	// Table functions: GROUP_RANK, the tumbling analytics, RCF, HOTSPOTS.
	`SELECT STREAM * FROM TABLE(GROUP_RANK(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'PRICE', 'R', 'desc', 'asc', 0, 3));`,
	`CREATE STREAM O (ITEM VARCHAR(4), N BIGINT); CREATE PUMP P AS INSERT INTO O SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER_SYMBOL', 2, 10));`,
	`CREATE STREAM O (N BIGINT); CREATE PUMP P AS INSERT INTO O SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER_SYMBOL', 10));`,
	`CREATE STREAM O (P DOUBLE, S DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM PRICE, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM PRICE FROM SOURCE_SQL_STREAM_001)));`,
	`CREATE STREAM O (P DOUBLE, C DOUBLE, H VARCHAR(2000)); CREATE PUMP P AS INSERT INTO O SELECT STREAM PRICE, CHANGE, HOTSPOTS_RESULT FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM PRICE, CHANGE FROM SOURCE_SQL_STREAM_001), 100, 0.5, 3));`,
}

// FuzzPlanAndRun: any script either fails to parse or plan with errors
// that point at file:line:col, or builds and runs rows through every
// operator without panicking, each output stream keeping the operator
// contract (ROWTIMEs never go back, never below a forwarded bound).
func FuzzPlanAndRun(f *testing.F) {
	for _, s := range planSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { planAndRun(t, src) })
}

// TestPlanSeedsPlanAndRun: every seed of FuzzPlanAndRun plans, runs and
// emits rows, so that the fuzzer starts from each construct family.
func TestPlanSeedsPlanAndRun(t *testing.T) {
	for i, src := range planSeeds {
		if ran, rows := planAndRun(t, src); !ran || rows == 0 {
			t.Errorf("seed %d ran %v with %d output rows: %s", i, ran, rows, src)
		}
	}
}

// checkPositioned fails t unless err is a list of errors each pointing at
// a line and column of f.sql.
func checkPositioned(t testing.TB, what string, err error) {
	t.Helper()
	var list parser.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("%s error without positions: %T %.300v", what, err, err)
	}
	for _, e := range list {
		if e.Pos.Filename != "f.sql" || e.Pos.Line < 1 || e.Pos.Column < 1 {
			t.Fatalf("%s error not at file:line:col: %.300q", what, e.Error())
		}
	}
}

// planAndRun parses, plans and runs src over a few rows, reporting whether
// it ran and how many rows reached its outputs. A script that fails to
// parse or plan is fine when its errors are positioned; a panic, a broken
// operator contract or an unpositioned error is not.
func planAndRun(t testing.TB, src string) (ran bool, rows int) {
	t.Helper()
	script, err := parser.ParseScript("f.sql", src)
	if err != nil {
		checkPositioned(t, "parse", err)
		return false, 0
	}
	g, err := Plan(script, testCatalog())
	if err != nil {
		checkPositioned(t, "plan", err)
		return false, 0
	}
	if len(g.Unimplemented) > 0 {
		return false, 0
	}
	whole, rows, ran := runRows(t, g, src, -1)
	if !ran {
		return false, 0
	}
	// The same run with the graph snapshotted after row 20 and restored
	// into a new one must give the same output.
	if split, _, _ := runRows(t, g, src, 20); split != whole {
		t.Fatalf("restored after row 20, the output differs from one run:\n%s\n---\n%s\n%.300s", whole, split, src)
	}
	return true, rows
}

// runRows starts g and pushes 40 rows (TICKER_SYMBOL, PRICE, ... 700 ms
// apart) through it; after row `split` (< 0: never) it snapshots the graph
// and restores the state into a newly started one that takes the rest. It
// returns every output row and error_stream row as text, and the number of
// output rows.
func runRows(t testing.TB, g *Graph, src string, split int) (string, int, bool) {
	t.Helper()
	errs := &operatortest.Errors{}
	var outs []*operatortest.Capture
	bind := func() Bindings {
		b := Bindings{Errors: errs}
		b.SetTable("users", [][]value.Value{
			{value.NewString("AMZN"), value.NewString("Amazon")}, {value.NewString("INTC"), value.NewString("Intel")}})
		k := 0
		for _, s := range g.Catalog.Streams() {
			if !s.Source {
				if k == len(outs) {
					outs = append(outs, operatortest.NewCapture(t))
				}
				b.Attach(s.Name, outs[k])
				k++
			}
		}
		return b
	}
	r, err := Start(g, bind())
	if err != nil {
		return "", 0, false
	}
	if r.Input("SOURCE_SQL_STREAM_001") == nil {
		return "", 0, false
	}
	batch := operators.NewBatch(6, 8)
	keys := []string{"AMZN", "INTC", ""}
	for i := 0; i < 40; i++ {
		if i == split {
			var state bytes.Buffer
			if err := r.Snapshot(&state); err != nil {
				t.Fatalf("snapshot: %v: %.300s", err, src)
			}
			if r, err = Start(g, bind()); err != nil {
				t.Fatal(err)
			}
			if err := r.Restore(&state); err != nil {
				t.Fatalf("restore: %v: %.300s", err, src)
			}
		}
		// 700 ms apart: every tenth row is on a whole second, on window edges.
		tm := int64(i) * 700
		batch.Reset()
		row := []value.Value{value.NewString(keys[i%3]), value.NewString("TECH"), value.NewFloat(float64(i%7) - 3),
			value.NewFloat(float64(i)), value.NewInt(int64(i % 5)), value.NewTimestamp(tm)}
		if i%4 == 0 {
			row[3] = value.Null
		}
		batch.Append(tm, row)
		r.Input("SOURCE_SQL_STREAM_001").Push(batch)
		r.Advance(tm)
	}
	// Time moves on without rows before the end, past every window.
	r.Advance(40*700 + 120_000)
	r.Advance(operators.EndOfTime)
	var text strings.Builder
	rows := 0
	for _, c := range outs {
		rows += c.Len()
		if !c.Ended() {
			t.Fatalf("an output did not reach the end of input: %.300s", src)
		}
		text.WriteString(strings.Join(c.Lines(), "\n"))
		text.WriteString("\n--\n")
	}
	for _, e := range errs.Recs {
		text.WriteString(e.Name + ": " + e.Message + " " + string(e.DataRow) + "\n")
	}
	return text.String(), rows, true
}

// FuzzDeepExpressions builds long operator chains, deep parentheses and
// stacked unary operators around a column, past parser.MaxDepth and below
// it: each is a positioned error or plans and runs, never a fatal stack
// overflow.
func FuzzDeepExpressions(f *testing.F) {
	f.Add(uint8(0), uint32(300000), uint32(0), uint32(0))
	f.Add(uint8(1), uint32(0), uint32(1000000), uint32(0))
	f.Add(uint8(2), uint32(9000), uint32(500), uint32(400))
	f.Add(uint8(3), uint32(2000), uint32(2000), uint32(2000))
	f.Add(uint8(4), uint32(parser.MaxDepth), uint32(0), uint32(0))
	ops := []string{" + ", " * ", " OR ", " AND ", " || ", " = ", " - ", " / "}
	f.Fuzz(func(t *testing.T, op uint8, terms, parens, unary uint32) {
		terms, parens, unary = terms%400000, parens%1200000, unary%40000
		first, operand := "PRICE", "PRICE"
		switch ops[int(op)%len(ops)] {
		case " OR ", " AND ":
			first, operand = "PRICE > 1", "PRICE > 1"
		case " || ":
			// Empty strings: a long chain of real values is quadratic in
			// its length, which is the query's cost, not a fault.
			first, operand = "TICKER_SYMBOL", "''"
		}
		var b strings.Builder
		b.WriteString("CREATE STREAM O (A VARCHAR(8)); CREATE PUMP P AS INSERT INTO O SELECT STREAM CAST(")
		b.WriteString(strings.Repeat("(", int(parens)))
		b.WriteString(strings.Repeat("- ", int(unary)))
		b.WriteString(first)
		for i := uint32(0); i < terms; i++ {
			b.WriteString(ops[int(op)%len(ops)])
			b.WriteString(operand)
		}
		b.WriteString(strings.Repeat(")", int(parens)))
		b.WriteString(" AS VARCHAR(8)) FROM SOURCE_SQL_STREAM_001;")
		src := b.String()
		if _, err := parser.ParseScript("f.sql", src); err != nil && terms+parens+unary > parser.MaxDepth+10 && !strings.Contains(err.Error(), "nested too deeply") {
			t.Fatalf("terms %d, parens %d, unary %d: %.300v", terms, parens, unary, err)
		}
		planAndRun(t, src)
	})
}
