package parser

import (
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// corpus is the SQL of every example, test case and window test script,
// plus statements that use each construct of the grammar.
func corpus(t testing.TB) []string {
	out := []string{
		`SELECT STREAM LAG(price, 1) IGNORE NULLS OVER (ROWS 2 PRECEDING), COUNT(DISTINCT x), x NOT LIKE 'a%' ESCAPE '!',
		   x SIMILAR TO '%TECH%', x BETWEEN 1 AND 5, x NOT BETWEEN SYMMETRIC 5 AND 1, x IN (1,2), CAST(x AS VARCHAR(10)), TRIM(LEADING 'x' FROM s),
		   TRIM(s), TRIM(TRAILING FROM s), SUBSTRING(s FROM 2 FOR 3), SUBSTRING(s, 2), SUBSTRING(s SIMILAR '#"a#"' ESCAPE '#'),
		   POSITION('.com' IN s FROM 2), EXTRACT(SECOND FROM ts), CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP(), x IS NOT NULL, x IS UNKNOWN,
		   x IS NOT DISTINCT FROM y, (W3C_LOG_PARSE(l, 'COMMON')).COLUMN2, t.r.COLUMN1, X'3F', N'n', U&'\0041', 1.5E3, .5, DATE '2020-01-01',
		   TIME '10:00:00', TIMESTAMP '2020-01-01 00:00:00', INTERVAL -'1' HOUR, INTERVAL '1:2' MINUTE(2) TO SECOND(3),
		   (ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND(10) / 10, CASE x WHEN 1 THEN 'a' ELSE 'b' END,
		   CASE WHEN x > 1 AND NOT y OR z THEN 1 END, - -x, -(-x), +x, NOT NOT a, NOT (a = b), a - (b - c), a || 'it''s',
		   OVERLAY(s PLACING 'x' FROM 2 FOR 1), CEILING(t TO HOUR), FLOOR(x), FLOOR(t TO MINUTE), STEP(t BY INTERVAL '1' SECOND),
		   NTH_VALUE(x, 2) FROM LAST RESPECT NULLS OVER w, "Mixed" AS "a""b", "STREAM", "users".x, TRUE, FALSE, NULL, "select"
		 FROM (SELECT STREAM * FROM s) AS t(r) ORDER BY FLOOR(t.ROWTIME TO SECOND), x DESC`,
		`SELECT STREAM a FROM s UNION ALL SELECT STREAM a FROM t UNION SELECT b FROM u ORDER BY a`,
		`SELECT STREAM a FROM s WHERE a IN (SELECT "k" FROM "T" WHERE "on" = TRUE) AND b NOT IN (SELECT x FROM u) OR (a, b + 1) IN (SELECT x, y FROM u) AND NOT EXISTS (SELECT 1 FROM u WHERE u.x = s.a)`,
		`SELECT STREAM a FROM s UNION ALL (SELECT STREAM a FROM t UNION ALL SELECT STREAM a FROM u)`,
		`(SELECT STREAM a FROM s ORDER BY a) UNION ALL SELECT STREAM a FROM t`,
		`SELECT STREAM DISTINCT a, b.* FROM s AS a CROSS JOIN t LEFT OUTER JOIN u ON a.x = u.x RIGHT JOIN v ON TRUE FULL JOIN w2 ON 1 = 1 INNER JOIN z ON z.a = a.a`,
		`SELECT STREAM a.id FROM o OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN s OVER w AS b ON a.id = b.id WINDOW w AS (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
		`SELECT STREAM t, AVG(price) OVER w AS a FROM s WINDOW w AS (PARTITION BY t ORDER BY x RANGE INTERVAL '1' MINUTE PRECEDING), v AS (w ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING)`,
		`SELECT STREAM TICKER, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE) HAVING COUNT(*) > 1`,
		`SELECT "x" FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM "x","y" FROM "S"), 1000, 0.013, 20)) AS h (a, b) WHERE a > 1 GROUP BY a, b`,
		`CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), "Amount" DECIMAL(10,2), price DOUBLE PRECISION NOT NULL, d INTERVAL DAY TO SECOND, f FLOAT) DESCRIPTION 'out'`,
		`CREATE PUMP "P" STOPPED DESCRIPTION 'd' AS INSERT INTO "DEST" (a, b) SELECT STREAM a, b FROM s`,
		`INSERT INTO d SELECT STREAM a FROM s`,
		`CREATE FUNCTION f(x INTEGER) RETURNS INTEGER LANGUAGE SQL RETURN x + 1`,
	}
	files, _ := filepath.Glob("../examples/*/*.sql")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	yamls, _ := filepath.Glob("../examples/*/*.yaml")
	cases, _ := filepath.Glob("../testdata/cases/*/app.yaml")
	for _, f := range append(yamls, cases...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ApplicationCode string `yaml:"ApplicationCode"`
		}
		if yaml.Unmarshal(b, &doc) == nil && doc.ApplicationCode != "" {
			out = append(out, doc.ApplicationCode)
		}
	}
	scripts, _ := filepath.Glob("../testdata/windows/*.test")
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sql strings.Builder
		in := false
		for _, l := range strings.Split(string(b), "\n") {
			switch {
			case l == "sql":
				in = true
			case in && l != "" && l[0] != ' ' && l[0] != '\t':
				in = false
			case in:
				sql.WriteString(l + "\n")
			}
		}
		out = append(out, sql.String())
	}
	if len(out) < 40 {
		t.Fatalf("corpus has only %d scripts", len(out))
	}
	return out
}

// normalize clears what a print and a parse need not keep: positions and
// the quotes of names that read the same without them.
func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			normalize(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case f.Type() == reflect.TypeOf(Pos(0)):
				f.SetInt(0)
			case v.Type().Field(i).Name == "Quoted":
				f.SetBool(false)
			case f.Type() == reflect.TypeOf(&File{}):
				f.Set(reflect.Zero(f.Type()))
			default:
				normalize(f)
			}
		}
	}
}

// roundTrip checks that src's tree prints to text that parses to the same
// tree, and that printing is stable.
func roundTrip(t *testing.T, src string) {
	t.Helper()
	s1, err := ParseScript("in.sql", src)
	if err != nil {
		return // only trees can be printed
	}
	text := Format(s1)
	s2, err := ParseScript("out.sql", text)
	if err != nil {
		t.Fatalf("printed text does not parse: %v\n--- source\n%s\n--- printed\n%s", err, src, text)
	}
	if again := Format(s2); again != text {
		t.Fatalf("printing is not stable:\n%s\n%s", text, again)
	}
	normalize(reflect.ValueOf(s1))
	normalize(reflect.ValueOf(s2))
	if !reflect.DeepEqual(s1, s2) {
		for i := range s1.Stmts {
			if i < len(s2.Stmts) && !reflect.DeepEqual(s1.Stmts[i], s2.Stmts[i]) {
				t.Fatalf("statement %d reads back differently\n--- printed\n%s", i+1, Format(s1.Stmts[i]))
			}
		}
		t.Fatalf("tree differs\n--- source\n%s\n--- printed\n%s", src, text)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, src := range corpus(t) {
		if _, err := ParseScript("in.sql", src); err != nil {
			t.Fatalf("corpus script does not parse: %v\n%s", err, src)
		}
		roundTrip(t, src)
	}
}

// Trees built by hand print with the parentheses their shape needs.
func TestFormatParenthesizesByPrecedence(t *testing.T) {
	id := func(n string) Expr { return &ColumnRef{Parts: []*Ident{{Name: n}}} }
	bin := func(x Expr, op Op, y Expr) Expr { return &BinaryExpr{X: x, Op: op, Y: y} }
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{bin(bin(id("A"), OpAdd, id("B")), OpMul, id("C")), "(A + B) * C"},
		{bin(id("A"), OpSub, bin(id("B"), OpSub, id("C"))), "A - (B - C)"},
		{bin(bin(id("A"), OpSub, id("B")), OpSub, id("C")), "A - B - C"},
		{&UnaryExpr{Op: OpNot, X: bin(id("A"), OpAnd, id("B"))}, "NOT (A AND B)"},
		{&UnaryExpr{Op: OpNeg, X: &UnaryExpr{Op: OpNeg, X: id("X")}}, "- -X"},
		{&IsExpr{X: &UnaryExpr{Op: OpNot, X: id("A")}}, "(NOT A) IS NULL"},
		{bin(id("A"), OpEq, &LikeExpr{X: id("B"), Pattern: &StringLit{Value: "x"}}), "A = (B LIKE 'x')"},
		{&FieldAccess{X: &FuncCall{Name: &Ident{Name: "F"}}, Field: &Ident{Name: "C"}}, "(F()).C"},
		{&ColumnRef{Parts: []*Ident{{Name: "lower"}, {Name: "FROM"}, {Name: "OK", Quoted: true}, {Name: "STREAM", Quoted: true}}}, `"lower"."FROM".OK."STREAM"`},
	} {
		if got := Format(c.e); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
		if _, err := ParseExpr(Format(c.e)); err != nil {
			t.Errorf("%s does not parse: %v", Format(c.e), err)
		}
	}
}

// FuzzFormat: any script that parses prints to text that parses back to
// the same tree.
func FuzzFormat(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		roundTrip(t, src)
	})
}

// Random runs of operators and predicate forms: whatever parses prints
// back to the same tree.
func TestFormatRandomExpressions(t *testing.T) {
	voc := []string{"a", "b", "1", "NOT", "AND", "OR", "=", "<", "+", "-", "*", "/", "||", "IS NULL", "IS NOT TRUE",
		"IN (1, 2)", "NOT IN (1)", "BETWEEN 1 AND 2", "NOT BETWEEN a AND b", "LIKE 'x'", "NOT LIKE 'y' ESCAPE 'z'",
		"IS DISTINCT FROM", "(", ")", "SIMILAR TO 'q'", "CASE WHEN a THEN b END", "INTERVAL '1' MINUTE"}
	r := rand.New(rand.NewSource(1))
	parsed := 0
	for i := 0; i < 50000; i++ {
		var parts []string
		for k := 1 + r.Intn(9); k > 0; k-- {
			parts = append(parts, voc[r.Intn(len(voc))])
		}
		src := "SELECT STREAM " + strings.Join(parts, " ") + " FROM s"
		if _, err := ParseScript("x", src); err == nil {
			parsed++
			roundTrip(t, src)
		}
	}
	if parsed < 1000 {
		t.Fatalf("only %d of the random expressions parse", parsed)
	}
}
