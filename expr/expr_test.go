package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// rowScope serves a fixed row: I INTEGER, B BIGINT, D DOUBLE, S VARCHAR(8), T TIMESTAMP, N INTEGER (NULL), M DECIMAL(8,2).
type rowScope struct{}

var cols = map[string]struct {
	slot int
	t    value.Type
}{
	"I": {0, value.Integer}, "B": {1, value.Bigint}, "D": {2, value.Double}, "S": {3, value.Type{Base: value.TVarchar, Len: 8}},
	"T": {4, value.Timestamp}, "N": {5, value.Integer}, "M": {6, value.Type{Base: value.TDecimal, Precision: 8, Scale: 2}},
}

func (rowScope) Column(ref *parser.ColumnRef) (int, value.Type, error) {
	name := ref.Parts[len(ref.Parts)-1].Name
	if name == "ROWTIME" {
		return SlotRowtime, value.Timestamp, nil
	}
	c, ok := cols[name]
	if !ok {
		return 0, value.Type{}, &Error{Pos: ref.Parts[0].NamePos, Msg: "unknown column " + name}
	}
	return c.slot, c.t, nil
}
func (rowScope) Replace(parser.Expr) (int, value.Type, bool) { return 0, value.Type{}, false }

const t0 = 1096552103000 // 2004-09-30 13:48:23

var row = []value.Value{value.NewInt(154), value.NewInt(9223372036854775807), value.NewFloat(2.5), value.NewString("AMZN"),
	value.NewTimestamp(t0), value.Null, value.NewDecimal(1250, 2)}

func eval1(t *testing.T, src string, rowtime int64) (value.Value, value.Type, error) {
	t.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c, err := Compile(e, rowScope{})
	if err != nil {
		return value.Null, value.Type{}, err
	}
	ctx := &eval.Ctx{Rowtime: rowtime}
	v := c.Eval(ctx, row)
	return v, c.Type, ctx.Err
}

func TestEvaluate(t *testing.T) {
	tests := []struct{ src, want, typ string }{
		{"I / 4", "38", "INTEGER"},
		{"-7 / 2", "-3", "INTEGER"},
		{"I + 1.5", "155.5", "DECIMAL(19,1)"},
		{"D * 2", "5", "DOUBLE"},
		{"M + 1", "13.50", "DECIMAL(19,2)"},
		{"N + 1", "", "INTEGER"},
		{"S || '-' || I", "AMZN-154", "VARCHAR"},
		{"I > 100 AND S = 'AMZN'", "TRUE", "BOOLEAN"},
		{"N > 1 AND FALSE", "FALSE", "BOOLEAN"},
		{"N > 1 OR TRUE", "TRUE", "BOOLEAN"},
		{"N > 1 AND TRUE", "", "BOOLEAN"},
		{"NOT (N IS NULL)", "FALSE", "BOOLEAN"},
		{"S LIKE 'AM%'", "TRUE", "BOOLEAN"},
		{"S LIKE 'A_ZN'", "TRUE", "BOOLEAN"},
		{"'50%' LIKE '50!%' ESCAPE '!'", "TRUE", "BOOLEAN"},
		{"'INFOTECH' SIMILAR TO '%TECH%'", "TRUE", "BOOLEAN"},
		{"'ab' SIMILAR TO '(a|b)+'", "TRUE", "BOOLEAN"},
		{"I BETWEEN 100 AND 200", "TRUE", "BOOLEAN"},
		{"I IN (1, 154)", "TRUE", "BOOLEAN"},
		{"I NOT IN (1, N)", "", "BOOLEAN"},
		{"CASE S WHEN 'AMZN' THEN 1 ELSE 0 END", "1", "INTEGER"},
		{"CASE WHEN I < 0 THEN 'neg' WHEN I > 0 THEN 'pos' END", "pos", "VARCHAR(3)"},
		{"COALESCE(N, I)", "154", "INTEGER"},
		{"NULLIF(I, 154)", "", "INTEGER"},
		{"CAST('42' AS INTEGER) + 1", "43", "INTEGER"},
		{"CAST(2.7 AS INTEGER)", "3", "INTEGER"}, // the CAST page: real numbers are rounded
		{"CAST(D AS VARCHAR(10))", "2.5", "VARCHAR(10)"},
		{"CAST('2004-09-30 13:48:23' AS TIMESTAMP)", "2004-09-30 13:48:23.000", "TIMESTAMP"},
		{"STEP(23 BY 5)", "20", "INTEGER"},
		{"STEP(30 BY 10)", "30", "INTEGER"},
		{"STEP(-3 BY 5)", "-5", "INTEGER"},
		{"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '10' SECOND)", "2004-09-30 13:48:20.000", "TIMESTAMP"},
		{"FLOOR(T TO MINUTE)", "2004-09-30 13:48:00.000", "TIMESTAMP"},
		{"FLOOR(T TO HOUR)", "2004-09-30 13:00:00.000", "TIMESTAMP"},
		{"FLOOR(T TO DAY)", "2004-09-30 00:00:00.000", "TIMESTAMP"},
		{"FLOOR(T TO MONTH)", "2004-09-01 00:00:00.000", "TIMESTAMP"},
		{"FLOOR(T TO YEAR)", "2004-01-01 00:00:00.000", "TIMESTAMP"},
		{"CEIL(T TO HOUR)", "2004-09-30 14:00:00.000", "TIMESTAMP"},
		{"FLOOR(-3.3)", "-4", "DECIMAL(2,0)"}, // a whole number, as the CEIL page's CEIL(5.2) = 6
		{"T + INTERVAL '1' DAY", "2004-10-01 13:48:23.000", "TIMESTAMP"},
		{"T - INTERVAL '59:59.999' MINUTE TO SECOND(3)", "2004-09-30 12:48:23.001", "TIMESTAMP"},
		{"T + INTERVAL '1' MONTH", "2004-10-30 13:48:23.000", "TIMESTAMP"},
		{"EXTRACT(MINUTE FROM T)", "48", "BIGINT"},
		{"UNIX_TIMESTAMP(T)", "1096552103000", "BIGINT"},
		{"TSDIFF(T + INTERVAL '2' SECOND, T)", "2000", "BIGINT"},
		{"CHAR_LENGTH('héllo')", "5", "INTEGER"},
		{"UPPER('abc') || LOWER('DEF')", "ABCdef", "VARCHAR(6)"},
		{"INITCAP('hello wORLD')", "Hello World", "VARCHAR(11)"},
		{"POSITION('.com' IN 'www.amazon.com')", "11", "INTEGER"},
		{"SUBSTRING('streamsql' FROM 2 FOR 5)", "tream", "VARCHAR(9)"},
		{"TRIM(LEADING 'x' FROM 'xxabc')", "abc", "VARCHAR(5)"},
		{"TRIM('  a  ')", "a", "VARCHAR(5)"},
		{"REGEX_REPLACE('http://a http://b', 'http://', 'https://', 1, 0)", "https://a https://b", "VARCHAR"},
		{"REGEX_REPLACE('aaa', 'a', 'b', 1, 2)", "aba", "VARCHAR"},
		{"MOD(17, 5)", "2", "INTEGER"},
		{"ABS(-2.5)", "2.5", "DECIMAL(2,1)"},
		{"POWER(2, 10)", "1024", "DOUBLE"},
		{"ROUND(2.567, 2)", "2.570", "DECIMAL(4,3)"},
		{"MONOTONIC(I)", "154", "INTEGER"},
	}
	for _, tt := range tests {
		v, typ, err := eval1(t, tt.src, t0)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if got := value.Text(v, typ); got != tt.want || typ.String() != tt.typ {
			t.Errorf("%s = %q (%s), want %q (%s)", tt.src, got, typ, tt.want, tt.typ)
		}
	}
}

// TestLegacyBucket: FLOOR((ROWTIME - epoch) SECOND / 10 TO SECOND) groups
// 12:00:00.000 through 12:00:09.999 together and starts anew at 12:00:10.
func TestLegacyBucket(t *testing.T) {
	const noon = 1767614400000 // 2026-01-05 12:00:00
	src := "FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)"
	a, _, err := eval1(t, src, noon)
	b, _, _ := eval1(t, src, noon+9999)
	c, _, _ := eval1(t, src, noon+10000)
	if err != nil || !value.Identical(a, b) || value.Identical(b, c) {
		t.Fatalf("buckets %v %v %v (%v)", a, b, c, err)
	}
	if d, _ := value.Compare(c, b); d <= 0 {
		t.Fatalf("bucket does not increase: %v then %v", b, c)
	}
}

func TestRuntimeErrors(t *testing.T) {
	for src, want := range map[string]string{
		"I / 0":                  "division by zero",
		"D / 0":                  "division by zero",
		"B + 1":                  "integer overflow",
		"I * 100000000":          "integer overflow",
		"CAST(S AS INTEGER)":     "cannot convert 'AMZN' to INTEGER",
		"MOD(I, 0)":              "division by zero",
		"CAST('x' AS TIMESTAMP)": "cannot convert",
	} {
		_, _, err := eval1(t, src, t0)
		var re *eval.RowError
		if err == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for src, want := range map[string]string{
		"FOO(1)":                          "1:1: unknown function FOO",
		"S + 1":                           "1:3: cannot apply + to VARCHAR(8) and INTEGER",
		"I = 'x'":                         "1:3: cannot compare INTEGER with VARCHAR(1)",
		"SUM(I)":                          "1:1: aggregate function SUM is not allowed here",
		"MOD(1)":                          "1:1: MOD takes 2 arguments, got 1",
		"  NOPE + 1":                      "1:3: unknown column NOPE",
		"REGEX_REPLACE(S, '(', 'x')":      "REGEX_REPLACE: invalid regular expression",
		"STEP(T BY I)":                    "STEP needs a constant width",
		"TIMESTAMP '2020-13-45 00:00:00'": "invalid TIMESTAMP literal",
		"S LIKE 'a!' ESCAPE '!'":          "invalid LIKE pattern",
	} {
		e, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err = Compile(e, rowScope{})
		var ce *Error
		if err == nil || !errors.As(err, &ce) {
			t.Errorf("%s: got %v, want %q", src, err, want)
			continue
		}
		f := parser.NewFile("", src)
		got := f.Position(ce.Pos).String() + ": " + ce.Msg
		if !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}

func TestIntervals(t *testing.T) {
	for src, ms := range map[string]int64{
		"INTERVAL '15' SECOND": 15000, "INTERVAL '1' MINUTE": 60000, "INTERVAL '1' DAY": 86400000,
		"INTERVAL '59:59.999' MINUTE TO SECOND(3)": 3599999, "INTERVAL '1 02:03:04' DAY TO SECOND": 93784000,
		"INTERVAL -'1' HOUR": -3600000, "INTERVAL '-1' HOUR": -3600000,
	} {
		e, _ := parser.ParseExpr(src)
		v, _, err := IntervalValue(e.(*parser.IntervalLit))
		if err != nil || v.I != ms || v.K != value.KIntervalDT {
			t.Errorf("%s = %v %v, want %d", src, v, err, ms)
		}
	}
	e, _ := parser.ParseExpr("INTERVAL '1-6' YEAR TO MONTH")
	if v, _, err := IntervalValue(e.(*parser.IntervalLit)); err != nil || v.I != 18 || v.K != value.KIntervalYM {
		t.Errorf("year-month: %v %v", v, err)
	}
}

func BenchmarkCompiledFilter(b *testing.B) {
	e, _ := parser.ParseExpr("D > 1.0 AND S = 'AMZN'")
	c, err := Compile(e, rowScope{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := &eval.Ctx{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !c.Eval(ctx, row).Bool() {
			b.Fatal("false")
		}
	}
}
