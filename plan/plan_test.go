package plan

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// testCatalog has the stock-ticker source stream and a users table.
func testCatalog() *Catalog {
	c := NewCatalog()
	c.AddSource("SOURCE_SQL_STREAM_001", 0, []Column{
		{Name: "TICKER_SYMBOL", Type: value.Type{Base: value.TVarchar, Len: 4}},
		{Name: "SECTOR", Type: value.Type{Base: value.TVarchar, Len: 16}},
		{Name: "CHANGE", Type: value.Type{Base: value.TReal}},
		{Name: "PRICE", Type: value.Type{Base: value.TDouble}},
		{Name: "Amount", Type: value.Type{Base: value.TInteger}},
		{Name: "APPROXIMATE_ARRIVAL_TIME", Type: value.Timestamp, Hidden: true},
	})
	c.AddTable("users", []Column{
		{Name: "TICKER", Type: value.Type{Base: value.TVarchar, Len: 4}},
		{Name: "COMPANY", Type: value.Type{Base: value.TVarchar, Len: 64}},
	})
	return c
}

func planSQL(t *testing.T, src string) (*Graph, error) {
	t.Helper()
	script, err := parser.ParseScript("app.sql", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Plan(script, testCatalog())
}

const dest = `CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), N BIGINT);
`

func TestPlanErrorsPointAtTheProblem(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown stream", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, 1 FROM "SOURCE_SQL_STREAM_02";`,
			`app.sql:2:73: unknown stream or table SOURCE_SQL_STREAM_02`},
		{"case of a quoted column", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, amount FROM "SOURCE_SQL_STREAM_001";`,
			`app.sql:2:66: unknown column AMOUNT; did you mean "Amount"?`},
		{"GROUP BY without a time key", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY TICKER_SYMBOL;`,
			`app.sql:2:113: a streaming GROUP BY needs a time key`},
		{"aggregate without GROUP BY", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM "SOURCE_SQL_STREAM_001";`,
			`app.sql:2:66: aggregate COUNT on a stream needs GROUP BY`},
		{"COUNT DISTINCT", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, COUNT(DISTINCT SECTOR) FROM "SOURCE_SQL_STREAM_001" GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			`app.sql:2:66: COUNT(DISTINCT ...) is not allowed in streaming aggregation`},
		{"column outside GROUP BY", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM SECTOR, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			`app.sql:2:51: column SECTOR must appear in GROUP BY or inside an aggregate function`},
		{"INSERT column count", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001";`,
			`the query returns 1 columns but stream DEST has 2`},
		{"INSERT type", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, CURRENT_ROW_TIMESTAMP FROM "SOURCE_SQL_STREAM_001";`,
			`app.sql:2:66: cannot insert TIMESTAMP into column N BIGINT of stream DEST`},
		{"ambiguous column", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER, 1 FROM "SOURCE_SQL_STREAM_001" AS s JOIN "users" AS u ON s.TICKER_SYMBOL = u.TICKER JOIN "users" AS v ON s.TICKER_SYMBOL = v.TICKER;`,
			`column TICKER is ambiguous`},
		{"stream made twice", dest + `CREATE STREAM "DEST" (X INTEGER);`, `app.sql:2:15: stream DEST already exists (use CREATE OR REPLACE STREAM)`},
		{"insert into the input", dest + `CREATE PUMP P AS INSERT INTO "SOURCE_SQL_STREAM_001" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";`,
			`is an input stream`},
		{"RIGHT JOIN with a table", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM s.TICKER_SYMBOL, 1 FROM "SOURCE_SQL_STREAM_001" AS s RIGHT JOIN "users" AS u ON s.TICKER_SYMBOL = u.TICKER;`,
			`RIGHT JOIN with a reference table`},
		{"pump cycle", `CREATE STREAM A (X INTEGER); CREATE STREAM B (X INTEGER);
CREATE PUMP P1 AS INSERT INTO A SELECT STREAM X FROM B;
CREATE PUMP P2 AS INSERT INTO B SELECT STREAM X FROM A;`, `pumps form a cycle`},
		{"table as the only source", dest + `CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM TICKER, 1 FROM "users";`,
			`a reference table cannot be the source of a streaming query`},
		{"INTERVAL column", `CREATE STREAM A (X INTERVAL DAY);`, `INTERVAL cannot be a column type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planSQL(t, tt.src)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q\nwant it to contain %q", err.Error(), tt.want)
			}
			if _, ok := err.(parser.ErrorList); !ok {
				t.Fatalf("error is %T, want parser.ErrorList", err)
			}
		})
	}
}

func TestPlanReportsEveryError(t *testing.T) {
	_, err := planSQL(t, dest+`CREATE PUMP P1 AS INSERT INTO "DEST" SELECT STREAM NOPE, 1 FROM "SOURCE_SQL_STREAM_001";
CREATE PUMP P2 AS INSERT INTO "DEST" SELECT STREAM TICKER_SYMBOL, 1 FROM "NOWHERE";`)
	l, ok := err.(parser.ErrorList)
	if !ok || len(l) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	if l[0].Pos.Line != 2 || l[1].Pos.Line != 3 {
		t.Fatalf("lines %d and %d, want 2 and 3", l[0].Pos.Line, l[1].Pos.Line)
	}
}

func TestPlanNewsPipeline(t *testing.T) {
	g, err := planSQL(t, `
CREATE OR REPLACE STREAM "TMP" (TICKER VARCHAR(4), COMPANY VARCHAR(64), PRICE DOUBLE);
CREATE OR REPLACE PUMP "ENRICH" AS INSERT INTO "TMP"
  SELECT STREAM s.TICKER_SYMBOL, c.COMPANY, s.PRICE
  FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "users" AS c ON s.TICKER_SYMBOL = c.TICKER
  WHERE s.PRICE > 1;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (COMPANY VARCHAR(64), N BIGINT, AVG_PRICE DOUBLE, MINUTE_START TIMESTAMP);
CREATE OR REPLACE PUMP "AGG" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM COMPANY, COUNT(*), AVG(PRICE), FLOOR("TMP".ROWTIME TO MINUTE)
  FROM "TMP"
  GROUP BY COMPANY, FLOOR("TMP".ROWTIME TO MINUTE)
  HAVING COUNT(*) > 1;`)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Pumps) != 2 || len(g.Unimplemented) != 0 {
		t.Fatalf("pumps %d, unimplemented %v", len(g.Pumps), g.Unimplemented)
	}
	ex := g.Explain()
	for _, want := range []string{
		`PUMP ENRICH: INSERT INTO TMP`,
		`LEFT JOIN reference table "users" (hash lookup)`,
		`TumblingWindow key=FLOOR(TMP.ROWTIME TO MINUTE) groups=(COMPANY, FLOOR(TMP.ROWTIME TO MINUTE)) aggregates=(COUNT(*), AVG(PRICE), COUNT(*))`,
		`Having+Project`,
	} {
		if !strings.Contains(ex, want) {
			t.Errorf("explain lacks %q:\n%s", want, ex)
		}
	}
}

func TestPlanTableFunctionAndWindowBuild(t *testing.T) {
	g, err := planSQL(t, `
CREATE OR REPLACE STREAM "D" (TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE, HOTSPOTS_RESULT VARCHAR(10000));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D"
  SELECT "TICKER_SYMBOL", "PRICE", "HOTSPOTS_RESULT"
  FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001"), 100, 0.013, 20));
CREATE OR REPLACE STREAM "S" (TICKER_SYMBOL VARCHAR(4), AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "S"
  SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER w FROM "SOURCE_SQL_STREAM_001"
  WINDOW w AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE PRECEDING);`)
	if err != nil {
		t.Fatal(err)
	}
	// Both the table function and the windowed aggregation plan and build.
	if len(g.Unimplemented) != 0 {
		t.Fatalf("unimplemented = %v", g.Unimplemented)
	}
	if _, err := Start(g, Bindings{Ctx: evalCtx()}); err != nil {
		t.Fatalf("Start = %v", err)
	}
}

func TestTimeFunctionsFindWindowEnds(t *testing.T) {
	script, err := parser.ParseScript("t.sql", `
CREATE STREAM D (K TIMESTAMP, N BIGINT);
CREATE PUMP P AS INSERT INTO D SELECT STREAM STEP(s.ROWTIME BY INTERVAL '15' SECOND), COUNT(*)
  FROM "SOURCE_SQL_STREAM_001" AS s GROUP BY STEP(s.ROWTIME BY INTERVAL '15' SECOND);`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Plan(script, testCatalog())
	if err != nil {
		t.Fatal(err)
	}
	agg := g.Pumps[0].rel.(*selectRel).in.(*aggRel)
	keyAt, end := agg.cfg.KeyAt, agg.cfg.WindowEnd
	const t0 = 1767607200000 // 2026-01-05 10:00:00 UTC
	for _, tc := range []struct{ at, wantKey, wantEnd int64 }{
		{t0, t0, t0 + 15000},
		{t0 + 14999, t0, t0 + 15000},
		{t0 + 15000, t0 + 15000, t0 + 30000},
	} {
		k := keyAt(tc.at)
		if k.K != value.KTimestamp || k.I != tc.wantKey {
			t.Errorf("KeyAt(%d) = %+v, want %d", tc.at, k, tc.wantKey)
		}
		if e := end(k); e != tc.wantEnd {
			t.Errorf("WindowEnd(%d) = %d, want %d", k.I, e, tc.wantEnd)
		}
	}
}

func evalCtx() eval.Ctx { return eval.Ctx{} }
