package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func TestTableFunctionArgumentErrors(t *testing.T) {
	const src = `"SOURCE_SQL_STREAM_001"`
	pre := `CREATE OR REPLACE STREAM "DEST" (A VARCHAR(4), B BIGINT);
CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM * FROM TABLE(`
	// at is the text where the error must point (its first occurrence in
	// the call); "" points at the function name.
	tests := []struct{ call, at, want string }{
		{`TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'ticker_symbol', 3, 60))`,
			"'ticker_symbol'", `the cursor of TOP_K_ITEMS_TUMBLING has no column "ticker_symbol"; did you mean 'TICKER_SYMBOL'?`},
		{`TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), TICKER_SYMBOL, 3, 60))`,
			"TICKER_SYMBOL, 3", `the column argument of TOP_K_ITEMS_TUMBLING must be a column name in single quotes`},
		{`TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'TICKER_SYMBOL', 0, 60))`,
			"0, 60", `K of TOP_K_ITEMS_TUMBLING must be between 1 and 100000; got 0`},
		{`TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'TICKER_SYMBOL', 3, 3601))`,
			"3601", `windowSize of TOP_K_ITEMS_TUMBLING must be between 1 and 3600; got 3601`},
		{`TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'TICKER_SYMBOL', 3))`,
			"", `TOP_K_ITEMS_TUMBLING takes (CURSOR, 'columnName', K, windowSize); got 2 argument(s)`},
		{`COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'SECTOR', 1.5))`,
			"1.5", `windowSize of COUNT_DISTINCT_ITEMS_TUMBLING must be an integer`},
		{`COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM ` + src + `), 'SECTOR', CURRENT_ROW_TIMESTAMP))`,
			"CURRENT_ROW_TIMESTAMP", `windowSize of COUNT_DISTINCT_ITEMS_TUMBLING must be a constant`},
		{`HOTSPOTS(CURSOR(SELECT STREAM TICKER_SYMBOL FROM ` + src + `), 100, 0.1, 5))`,
			"CURSOR", `the cursor of HOTSPOTS has no numeric column`},
		{`HOTSPOTS(CURSOR(SELECT STREAM PRICE, CAST(PRICE AS DECIMAL(8,2)) AS P2 FROM ` + src + `), 100, 0.1, 5))`,
			"CURSOR", `HOTSPOTS does not accept DECIMAL; the cursor's column P2 is DECIMAL(8,2): CAST it to DOUBLE`},
		{`HOTSPOTS(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 99, 0.1, 5))`,
			"99", `windowSize of HOTSPOTS must be between 100 and 1000; got 99`},
		{`HOTSPOTS(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, -0.1, 5))`,
			"-0.1", `scanRadius of HOTSPOTS must be greater than 0; got -0.1`},
		{`HOTSPOTS(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, 0.1, 101))`,
			"101", `minimumNumberOfPointsInAHotspot of HOTSPOTS must be between 2 and 100; got 101`},
		{`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, 300, 200))`,
			"200", `subSampleSize (300) of RANDOM_CUT_FOREST must be less than timeDecay (200)`},
		{`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, 256, 100000, 31))`,
			"31", `shingleSize of RANDOM_CUT_FOREST must be between 1 and 30; got 31`},
		{`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, 256, 100000, 1, TRUE))`,
			"TRUE", `RANDOM_CUT_FOREST takes (CURSOR [, numberOfTrees, subSampleSize, timeDecay, shingleSize]); got 5 argument(s)`},
		{`RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 100, 256, 100000, 1, 7))`,
			"7))", `withDirectionality of RANDOM_CUT_FOREST_WITH_EXPLANATION must be TRUE or FALSE`},
		{`TOP_K(CURSOR(SELECT STREAM PRICE FROM ` + src + `), 'PRICE', 3, 60))`,
			"", `unknown table function TOP_K`},
	}
	line2 := pre[strings.IndexByte(pre, '\n')+1:]
	for _, tc := range tests {
		col := len(line2) + 1
		if tc.at != "" {
			col += strings.Index(tc.call, tc.at)
		}
		want := fmt.Sprintf("app.sql:2:%d: %s", col, tc.want)
		_, err := planSQL(t, pre+tc.call+";")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.call, err, want)
		}
	}
}

// runGraph plans src, feeds rows (TICKER_SYMBOL, PRICE at ROWTIME i·100 ms)
// into the source and returns what reaches stream out.
func runGraph(t *testing.T, src, out string, tickers []string) *operatortest.Capture {
	t.Helper()
	g, err := planSQL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	s := operatortest.NewCapture(t)
	var bind Bindings
	bind.Attach(out, s)
	bind.Ctx = evalCtx()
	r, err := Start(g, bind)
	if err != nil {
		t.Fatal(err)
	}
	in := r.Input("SOURCE_SQL_STREAM_001")
	b := operators.NewBatch(6, len(tickers))
	for i, tk := range tickers {
		b.Append(int64(i)*100, []value.Value{value.NewString(tk), value.NewString("S"), value.NewFloat(0),
			value.NewFloat(float64(i % 7)), value.NewInt(int64(i)), value.Null})
	}
	in.Push(b)
	r.Advance(operators.EndOfTime)
	return s
}

func TestTableFunctionsRunDownstreamOfAStream(t *testing.T) {
	// TOP_K reads an in-application stream written by another pump; the
	// result goes through a projection with an alias.
	src := `CREATE OR REPLACE STREAM "TMP" (T VARCHAR(4), P DOUBLE);
CREATE PUMP P1 AS INSERT INTO "TMP" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 0;
CREATE OR REPLACE STREAM "DEST" (T VARCHAR(4), N BIGINT);
CREATE PUMP P2 AS INSERT INTO "DEST" SELECT STREAM k.T, k.MOST_FREQUENT_VALUES
  FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "TMP"), 'T', 2, 1)) AS k;`
	var tickers []string
	for i := 0; i < 30; i++ { // 3 s of rows, 10 per second
		tickers = append(tickers, []string{"A", "B", "A", "C", "A", "B", "D"}[i%7])
	}
	s := runGraph(t, src, "DEST", tickers)
	// Rows with PRICE = i%7 = 0 are filtered out: those are the "A"s at i%7 == 0.
	var got []string
	for i, r := range s.Rows {
		got = append(got, fmt.Sprintf("%s:%d@%d", r[0].S, r[1].I, s.Times[i]))
	}
	// Window 1: B and A 3 times (B seen first); window 2: A and B 3 times (A
	// first); window 3: B 3 times, then D and A twice (D first).
	want := "[B:3@1000 A:3@1000 A:3@2000 B:3@2000 B:3@3000 D:2@3000]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}

	src = `CREATE OR REPLACE STREAM "DEST" (N BIGINT);
CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
  CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 2));`
	s = runGraph(t, src, "DEST", tickers[:25])
	if len(s.Rows) != 2 || s.Rows[0][0].I != 4 || s.Times[0] != 2000 || s.Rows[1][0].I != 4 || s.Times[1] != 4000 {
		t.Fatalf("COUNT_DISTINCT rows %v at %v", s.Rows, s.Times)
	}

	src = `CREATE OR REPLACE STREAM "DEST" (T VARCHAR(4), P DOUBLE, S DOUBLE, E VARCHAR(512));
CREATE PUMP P AS INSERT INTO "DEST" SELECT STREAM "TICKER_SYMBOL", "PRICE", ANOMALY_SCORE, ANOMALY_EXPLANATION
  FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001"), 10, 10, 1000, 1, TRUE));`
	s = runGraph(t, src, "DEST", tickers)
	if len(s.Rows) != 30 || s.Rows[0][2].F != 0 || s.Rows[29][2].F <= 0 ||
		!strings.HasPrefix(s.Rows[29][3].S, `{"PRICE":{"DIRECTION":`) || s.Times[29] != 2900 {
		t.Fatalf("RCF rows: first %v last %v at %d", s.Rows[0], s.Rows[29], s.Times[29])
	}
}

func TestTableFunctionExplain(t *testing.T) {
	g, err := planSQL(t, `CREATE OR REPLACE STREAM "DEST" (P DOUBLE, H VARCHAR(10000));
CREATE PUMP P AS INSERT INTO "DEST" SELECT "PRICE", "HOTSPOTS_RESULT"
  FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM TICKER_SYMBOL, PRICE, "Amount" FROM "SOURCE_SQL_STREAM_001"), 1000, 0.013, 20));`)
	if err != nil {
		t.Fatal(err)
	}
	ex := g.Explain()
	if !strings.Contains(ex, "HOTSPOTS(windowSize=1000, scanRadius=0.013, minPoints=20) over (PRICE, \"Amount\")") {
		t.Fatalf("explain:\n%s", ex)
	}
}
