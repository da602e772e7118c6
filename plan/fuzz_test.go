package plan

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// FuzzPlanAndRun: any script either fails to plan with positioned errors
// or builds and runs rows through every operator without panicking.
func FuzzPlanAndRun(f *testing.F) {
	for _, s := range []string{
		`CREATE STREAM O (K VARCHAR(4), A DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE PRECEDING) FROM SOURCE_SQL_STREAM_001;`,
		`CREATE STREAM O (K VARCHAR(4), N BIGINT); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM SOURCE_SQL_STREAM_001 WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '10' SECOND);`,
		`CREATE STREAM O (K VARCHAR(4), L DOUBLE); CREATE PUMP P AS INSERT INTO O SELECT STREAM TICKER_SYMBOL, LAG(PRICE, 2, 0) OVER W FROM SOURCE_SQL_STREAM_001 WINDOW W AS (ROWS 3 PRECEDING) ORDER BY FLOOR(ROWTIME TO SECOND), 2 DESC;`,
		`CREATE STREAM O (A VARCHAR(4), B VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM a.TICKER_SYMBOL, b.SECTOR FROM SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS a FULL JOIN SOURCE_SQL_STREAM_001 AS b ON a.TICKER_SYMBOL = b.TICKER_SYMBOL;`,
		`CREATE STREAM O (M TIMESTAMP, K VARCHAR(4)); CREATE PUMP P AS INSERT INTO O SELECT STREAM DISTINCT FLOOR(s.ROWTIME TO MINUTE), TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001 AS s;`,
		`SELECT STREAM * FROM TABLE(GROUP_RANK(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'PRICE', 'R', 'desc', 'asc', 0, 3));`,
	} {
		f.Add(s)
	}
	f.Fuzz(planAndRun)
}

// planAndRun parses, plans and runs src over a few rows; a script that
// fails to parse or plan is fine, a panic or fatal error is not.
func planAndRun(t *testing.T, src string) {
	{
		script, err := parser.ParseScript("f.sql", src)
		if err != nil {
			return
		}
		g, err := Plan(script, testCatalog())
		if err != nil || len(g.Unimplemented) > 0 {
			return
		}
		b := Bindings{Errors: &operatortest.Errors{}}
		for _, s := range g.Catalog.Streams() {
			if !s.Source {
				b.Attach(s.Name, operatortest.NewCapture(t))
			}
		}
		r, err := Start(g, b)
		if err != nil {
			return
		}
		in := r.Input("SOURCE_SQL_STREAM_001")
		if in == nil {
			return
		}
		batch := operators.NewBatch(6, 8)
		keys := []string{"AMZN", "INTC", ""}
		for i := 0; i < 40; i++ {
			batch.Reset()
			row := []value.Value{value.NewString(keys[i%3]), value.NewString("TECH"), value.NewFloat(float64(i%7) - 3),
				value.NewFloat(float64(i)), value.NewInt(int64(i % 5)), value.NewTimestamp(int64(i) * 700)}
			if i%4 == 0 {
				row[3] = value.Null
			}
			batch.Append(int64(i)*700, row)
			in.Push(batch)
			r.Advance(int64(i) * 700)
		}
		r.Advance(operators.EndOfTime)
	}
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
