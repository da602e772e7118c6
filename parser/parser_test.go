package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders an expression with explicit structure for precedence tests.
func dump(e Expr) string {
	switch x := e.(type) {
	case *BinaryExpr:
		return fmt.Sprintf("(%s %s %s)", x.Op, dump(x.X), dump(x.Y))
	case *UnaryExpr:
		return fmt.Sprintf("(%s %s)", x.Op, dump(x.X))
	case *ColumnRef:
		return x.Name()
	case *NumberLit:
		return x.Raw
	case *ParenExpr:
		return dump(x.X)
	case *IntervalQualifier:
		return fmt.Sprintf("(%s)%s", dump(x.X), x.From)
	case *FloorCeil:
		return fmt.Sprintf("FLOOR(%s TO %s)", dump(x.X), x.Unit)
	case *DatetimeLit:
		return x.Kind + "'" + x.Value + "'"
	}
	return fmt.Sprintf("%T", e)
}

func TestPrecedence(t *testing.T) {
	for src, want := range map[string]string{
		"1 + 2 * 3":        "(+ 1 (* 2 3))",
		"a OR b AND NOT c": "(OR A (AND B (NOT C)))",
		"a || b = c":       "(= (|| A B) C)",
		"-x * 2":           "(* (- X) 2)",
		"a - b - c":        "(- (- A B) C)",
		"FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)": "FLOOR((/ ((- ROWTIME TIMESTAMP'1970-01-01 00:00:00'))SECOND 10) TO SECOND)",
	} {
		e, err := ParseExpr(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := dump(e); got != want {
			t.Errorf("%s: got %s want %s", src, got, want)
		}
	}
}

func parseOne(t *testing.T, src string) Stmt {
	t.Helper()
	s, err := ParseScript("t.sql", src)
	if err != nil {
		t.Fatalf("%s\n%v", src, err.(ErrorList).Detail())
	}
	if len(s.Stmts) != 1 {
		t.Fatalf("%d statements", len(s.Stmts))
	}
	return s.Stmts[0]
}

func sel(t *testing.T, src string) *Select {
	t.Helper()
	return parseOne(t, src).(*QueryStmt).Query.(*Select)
}

func TestKDAStatements(t *testing.T) {
	cs := parseOne(t, `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), "Amount" DECIMAL(10,2), price DOUBLE PRECISION NOT NULL) DESCRIPTION 'out';`).(*CreateStream)
	if !cs.OrReplace || cs.Name.Name != "DEST" || cs.Columns[0].Name.Name != "TICKER" || cs.Columns[1].Name.Name != "Amount" ||
		cs.Columns[1].Type.Name != "DECIMAL" || fmt.Sprint(cs.Columns[1].Type.Args) != "[10 2]" || cs.Columns[2].Type.Name != "DOUBLE" ||
		!cs.Columns[2].NotNull || cs.Description.Value != "out" {
		t.Errorf("create stream: %+v", cs)
	}
	pump := parseOne(t, `CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM "Block", SUM("Amount") AS total
	  FROM "SOURCE_SQL_STREAM_001" GROUP BY "Block", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '15' SECOND)`).(*CreatePump)
	s := pump.Insert.Query.(*Select)
	step, ok := s.GroupBy[1].(*StepExpr)
	if !ok || step.By.(*IntervalLit).Value != "15" || step.By.(*IntervalLit).From != UnitSecond || s.Items[1].Alias.Name != "TOTAL" || !s.Stream {
		t.Errorf("pump: %+v", s)
	}
	s = sel(t, `SELECT STREAM c.USER_ID, u.GENDER, SUM(CASE ACTION WHEN 'impression' THEN 1 ELSE 0 END)
	  FROM "S" AS c LEFT JOIN "users" AS u ON c.USER_ID = u.USER_ID
	  GROUP BY u.GENDER, FLOOR("S".ROWTIME TO MINUTE)`)
	j := s.From[0].(*Join)
	if j.Kind != JoinLeft || j.Right.(*TableRef).Alias.Name != "U" || s.GroupBy[1].(*FloorCeil).Unit != UnitMinute {
		t.Errorf("join: %+v", j)
	}
	refs := 0
	Inspect(s, func(n Node) bool {
		if _, ok := n.(*ColumnRef); ok {
			refs++
		}
		return true
	})
	if refs != 7 {
		t.Errorf("Inspect found %d column refs, want 7", refs)
	}
	s = sel(t, `SELECT "x","y","HOTSPOTS_RESULT" FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM "x","y" FROM "S"), 1000, 0.013, 20))`)
	if tf := s.From[0].(*TableFunc); tf.Call.Name.Name != "HOTSPOTS" || len(tf.Call.Args) != 4 || s.Stream {
		t.Errorf("table function: %+v", s.From[0])
	}
	s = sel(t, `SELECT STREAM t, AVG(price) OVER w AS a FROM s WINDOW w AS (PARTITION BY t RANGE INTERVAL '1' MINUTE PRECEDING)`)
	if s.Items[1].Expr.(*FuncCall).OverName.Name != "W" || s.Windows[0].Spec.Frame.Start.Kind != BoundPreceding {
		t.Errorf("window: %+v", s.Windows[0].Spec)
	}
	s = sel(t, `SELECT STREAM TICKER, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE)`)
	if len(s.Stagger.PartitionBy) != 2 || !s.Items[1].Expr.(*FuncCall).Star {
		t.Errorf("stagger: %+v", s.Stagger)
	}
	s = sel(t, `SELECT STREAM a.id FROM o OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN s AS b ON a.id = b.id`)
	if s.From[0].(*Join).Left.(*TableRef).Over == nil {
		t.Error("join window missing")
	}
	for _, src := range []string{
		`SELECT STREAM LAG(price, 1) IGNORE NULLS OVER (ROWS 2 PRECEDING), COUNT(DISTINCT x), x NOT LIKE 'a%' ESCAPE '!',
		   x SIMILAR TO '%TECH%', x BETWEEN 1 AND 5, x IN (1,2), CAST(x AS VARCHAR(10)), TRIM(LEADING 'x' FROM s),
		   SUBSTRING(s FROM 2 FOR 3), POSITION('.com' IN s), EXTRACT(SECOND FROM ts), CURRENT_ROW_TIMESTAMP, x IS NOT NULL,
		   (W3C_LOG_PARSE(l, 'COMMON')).COLUMN2, t.r.COLUMN1, X'3F', N'n', 1.5E3, DATE '2020-01-01'
		 FROM (SELECT STREAM * FROM s) AS t(r) ORDER BY FLOOR(t.ROWTIME TO SECOND), x DESC`,
		`SELECT STREAM a FROM s UNION ALL SELECT STREAM a FROM t`,
		`CREATE FUNCTION f(x INTEGER) RETURNS INTEGER LANGUAGE SQL RETURN x + 1`,
	} {
		parseOne(t, src)
	}
}

func TestErrorsHavePositions(t *testing.T) {
	_, err := ParseScript("app.sql", "CREATE STREAM s (a INTEGER,\n  b VARCHR(4));")
	if err == nil || err.Error() != "app.sql:2:5: unknown type VARCHR" {
		t.Fatalf("got %v", err)
	}
	if d := err.(ErrorList).Detail(); !strings.Contains(d, "      b VARCHR(4));\n        ^") {
		t.Fatalf("detail:\n%s", d)
	}
	_, err = ParseScript("app.sql", "SELECT STREAM FROM s;\nSELECT STREAM a FROM t WHERE 'oops;\n")
	l := err.(ErrorList)
	if len(l) < 2 || l[0].Pos.Line != 1 || l[1].Pos.Line != 2 || !strings.Contains(err.Error(), "app.sql:1:15: expected an expression, found FROM") {
		t.Fatalf("two statements: %v", l.Detail())
	}
	for src, want := range map[string]string{
		"SELECT STREAM COUNT(x FROM s":   `expected ")" to close the argument list of COUNT, found FROM`,
		"SELECT STREAM a FROM s // note": `unexpected "//"`,
		"SELECT STREAM 'abc FROM s":      "unterminated string literal",
		"SELECT STREAM X'3' FROM s":      "even number of hex digits",
		// A log parser's ROW is read with the call in parentheses; the
		// error says so at the dot rather than "expected FROM".
		"SELECT STREAM W3C_LOG_PARSE(l, 'COMMON').COLUMN1 FROM s": `x.sql:1:41: a field of W3C_LOG_PARSE's result is read with the call in parentheses: (W3C_LOG_PARSE(...)).COLUMN1`,
	} {
		if _, err := ParseScript("x.sql", src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	s := sel(t, `SELECT STREAM ticker_symbol, "Mixed", "a""b", price AS "Out" FROM "SOURCE_SQL_STREAM_001"`)
	names := []string{}
	for _, it := range s.Items {
		names = append(names, it.Expr.(*ColumnRef).Parts[0].Name)
	}
	if strings.Join(names, "|") != `TICKER_SYMBOL|Mixed|a"b|PRICE` || s.Items[3].Alias.Name != "Out" {
		t.Fatalf("names %v", names)
	}
	tn, err := ParseType("varchar(16)")
	if err != nil || tn.Name != "VARCHAR" || tn.Args[0] != 16 {
		t.Fatalf("type %v %v", tn, err)
	}
}

// FuzzParseScript: any text parses, or fails with errors that each point
// at a line and column of the file (never a panic). A seed per construct
// family: DDL, pumps with each window form, joins, set operations, table
// functions, literals, special forms, comments and quoted names.
func FuzzParseScript(f *testing.F) {
	for _, s := range []string{
		`CREATE OR REPLACE STREAM "D" (A VARCHAR(4), B DECIMAL(8,2), T TIMESTAMP, F BOOLEAN);`,
		`CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" SELECT STREAM a, SUM(b) FROM s GROUP BY a, STEP(s.ROWTIME BY INTERVAL '1' MINUTE) HAVING SUM(b) > 2;`,
		`SELECT STREAM a, AVG(b) OVER (PARTITION BY a RANGE INTERVAL '10' SECOND PRECEDING) FROM s;`,
		`SELECT STREAM CASE WHEN a THEN (b).C ELSE 'x''y' END FROM s WINDOW w AS (ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`,
		`SELECT STREAM a, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY a RANGE INTERVAL '1' MINUTE);`,
		`SELECT STREAM o.id, s.id FROM o OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o LEFT JOIN s ON o.id = s.id AND o.q > s.q;`,
		`SELECT STREAM DISTINCT FLOOR(ROWTIME TO MINUTE) AS ROWTIME, a FROM s UNION ALL SELECT STREAM b, c FROM t ORDER BY 1 DESC;`,
		`SELECT STREAM * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM x FROM s), 100, 0.1, 2))`,
		`SELECT STREAM SUBSTRING(a FROM 2 FOR 3), SUBSTRING(a, 1, 2), POSITION('x' IN a FROM 2), TRIM(LEADING 'x' FROM a), OVERLAY(a PLACING 'y' FROM 1 FOR 2) FROM s;`,
		`SELECT STREAM CAST(a AS DOUBLE), TIMESTAMP '2024-01-01 00:00:00', DATE '2024-01-01', INTERVAL '1:30' HOUR TO MINUTE, X'0aff', -1.5e3, NULL FROM s;`,
		"-- a comment\n/* another\n */ SELECT STREAM \"Mixed\".\"a\"\"b\" FROM \"s\" WHERE a LIKE 'x%' ESCAPE '!' AND b IS NOT NULL AND c BETWEEN 1 AND 2;",
		`SELECT STREAM a FROM s WHERE a IN (1, 2) OR NOT (b <> 3);` + "\n" + `CREATE PUMP bad AS INSERT INTO;` + "\n" + `SELECT ? FROM s;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, parse := range []func() error{
			func() error { _, err := ParseScript("f.sql", src); return err },
			func() error { _, err := ParseExpr(src); return err },
		} {
			err := parse()
			if err == nil {
				continue
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("%q: error without positions: %T %v", src, err, err)
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Column < 1 {
					t.Fatalf("%q: error not at line:col: %v", src, e)
				}
			}
		}
	})
}

// A byte order mark opening the file (editors on Windows write one) is not
// a token; anywhere else it is an unexpected character. Windows line ends
// and non-ASCII comments parse too.
func TestByteOrderMark(t *testing.T) {
	src := "\ufeff-- café\r\nCREATE OR REPLACE STREAM \"D\" (t VARCHAR(4));\r\n/* é\r\n */ SELECT STREAM a FROM s -- end"
	s, err := ParseScript("app.sql", src)
	if err != nil || len(s.Stmts) != 2 {
		t.Fatalf("%v, %d statements", err, len(s.Stmts))
	}
	if _, err := ParseScript("app.sql", "SELECT STREAM a\ufeff FROM s"); err == nil || !strings.Contains(err.Error(), "app.sql:1:16: unexpected character") {
		t.Errorf("a mark inside the text: %v", err)
	}
}
