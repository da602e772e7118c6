package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// exprCase is one expression over the test row (see rowScope): its text
// form and type, or the runtime error it gives (err, matched as a
// substring), or the plan-time error (compile).
type exprCase struct {
	src, want, typ string
	err, compile   string
}

func runCases(t *testing.T, cases []exprCase) {
	t.Helper()
	for _, tt := range cases {
		e, perr := parser.ParseExpr(tt.src)
		if perr != nil {
			t.Errorf("%s: parse: %v", tt.src, perr)
			continue
		}
		c, err := Compile(e, rowScope{})
		if tt.compile != "" {
			var ce *Error
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.compile) {
				t.Errorf("%s: compile error %v, want %q", tt.src, err, tt.compile)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		ctx := &eval.Ctx{Rowtime: t0, QueryStart: t0}
		v := c.Eval(ctx, row)
		if tt.err != "" {
			var re *eval.RowError
			if ctx.Err == nil || !errors.As(ctx.Err, &re) || !strings.Contains(ctx.Err.Error(), tt.err) {
				t.Errorf("%s: runtime error %v, want %q (value %v)", tt.src, ctx.Err, tt.err, value.Text(v, c.Type))
			}
			continue
		}
		if ctx.Err != nil {
			t.Errorf("%s: unexpected error %v", tt.src, ctx.Err)
			continue
		}
		got := value.Text(v, c.Type)
		if v.K == value.KNull {
			got = "NULL"
		}
		if got != tt.want || (tt.typ != "" && c.Type.String() != tt.typ) {
			t.Errorf("%s = %q (%s), want %q (%s)", tt.src, got, c.Type, tt.want, tt.typ)
		}
	}
}

func TestNumericFunctions(t *testing.T) {
	runCases(t, []exprCase{
		{src: "ABS(-5)", want: "5", typ: "INTEGER"},
		{src: "ABS(D * -1)", want: "2.5", typ: "DOUBLE"},
		{src: "ABS(N)", want: "NULL", typ: "INTEGER"},
		{src: "ABS(-B - 1)", err: "integer overflow"}, // -MaxInt64-1 is MinInt64, whose absolute value does not fit
		{src: "ABS('x')", compile: "ABS needs numeric arguments"},
		// The CEIL page's examples.
		{src: "CEIL(2.0)", want: "2", typ: "DECIMAL(2,0)"},
		{src: "CEIL(-1.0)", want: "-1"},
		{src: "CEIL(5.2)", want: "6"},
		{src: "CEILING(-3.3)", want: "-3"},
		{src: "CEILING(-3 * 3.1)", want: "-9"},
		{src: "CEIL(9.5)", want: "10", typ: "DECIMAL(2,0)"},
		{src: "CEILING(D)", want: "3", typ: "DOUBLE"},
		{src: "CEIL(7)", want: "7", typ: "INTEGER"},
		{src: "FLOOR(2.7)", want: "2"},
		{src: "FLOOR(-2.7)", want: "-3"},
		{src: "FLOOR(M)", want: "12", typ: "DECIMAL(7,0)"},
		{src: "FLOOR(N)", want: "NULL"},
		// The EXP, LN, LOG10 and POWER pages' examples.
		{src: "EXP(0)", want: "1", typ: "DOUBLE"},
		{src: "EXP(-1)", want: "0.36787944117144233"},
		{src: "EXP(10)", want: "22026.465794806718"},
		{src: "EXP(2.5)", want: "12.182493960703473"},
		{src: "LN(10)", want: "2.302585092994046"},
		{src: "LN(2.5)", want: "0.9162907318741551"},
		{src: "LOG10(100)", want: "2"},
		{src: "LOG10(CAST('23' AS DECIMAL))", want: "1.3617278360175928"},
		{src: "LOG10(0)", err: "not a finite number"},
		{src: "POWER(3, 2)", want: "9"},
		{src: "POWER(-2, 3)", want: "-8"},
		{src: "POWER(4, -2)", want: "0.0625"},
		{src: "POWER(10.1, 2.5)", want: "324.19285157140644"},
		{src: "POWER(-2, 0.5)", err: "not a finite number"},
		{src: "EXP(1000)", err: "not a finite number"},
		{src: "LN(1)", want: "0", typ: "DOUBLE"},
		{src: "LN(0)", err: "not a finite number"},
		{src: "LN(-1)", err: "not a finite number"},
		{src: "LOG10(1000)", want: "3", typ: "DOUBLE"},
		{src: "SQRT(16)", want: "4", typ: "DOUBLE"},
		{src: "SQRT(-1)", err: "not a finite number"},
		{src: "POWER(2, -1)", want: "0.5", typ: "DOUBLE"},
		{src: "POWER(0, -1)", err: "not a finite number"},
		{src: "POWER(N, 2)", want: "NULL"},
		{src: "MOD(17, 5)", want: "2", typ: "INTEGER"},
		// The MOD page's examples.
		{src: "MOD(4, 2)", want: "0"},
		{src: "MOD(5, 3)", want: "2"},
		{src: "MOD(-4, 3)", want: "-1"},
		{src: "MOD(5, 12)", want: "5"},
		{src: "MOD(-7, 3)", want: "-1"},
		{src: "MOD(7, -3)", want: "1"},
		{src: "MOD(B, 10)", want: "7", typ: "INTEGER"},
		{src: "MOD(N, 3)", want: "NULL"},
		{src: "MOD(7, 0)", err: "division by zero"},
		{src: "MOD(7.5, 2)", compile: "MOD needs integer arguments"},
		{src: "ROUND(2.5)", want: "3.0", typ: "DECIMAL(2,1)"},
		{src: "ROUND(-2.5)", want: "-3.0"},
		{src: "ROUND(2.567, 2)", want: "2.570"},
		{src: "ROUND(D)", want: "3", typ: "DOUBLE"},
		{src: "ROUND(1234, -2)", want: "1200", typ: "INTEGER"},
		{src: "ROUND(1250, -2)", want: "1300"},
		{src: "ROUND(-1250, -2)", want: "-1300"},
		{src: "ROUND(B, -1)", err: "overflow"},
		{src: "ROUND(1234, -30)", want: "0"},
		{src: "ROUND(1.5, 'x')", compile: "ROUND needs an integer number of places"},
		{src: "TRUNCATE(2.567, 2)", want: "2.560"},
		{src: "TRUNCATE(-2.567, 1)", want: "-2.500"},
		{src: "TRUNCATE(1299, -2)", want: "1200"},
		{src: "TRUNCATE(D)", want: "2", typ: "DOUBLE"},
		{src: "TRUNCATE(N, 1)", want: "NULL"},
		{src: "MONOTONIC(N)", want: "NULL"},
	})
}

func TestStringFunctions(t *testing.T) {
	runCases(t, []exprCase{
		{src: "CHAR_LENGTH('')", want: "0", typ: "INTEGER"},
		{src: "CHARACTER_LENGTH('日本語')", want: "3"},
		{src: "CHAR_LENGTH(CAST(NULL AS VARCHAR(3)))", want: "NULL"},
		{src: "CHAR_LENGTH(I)", compile: "CHAR_LENGTH needs string arguments"},
		{src: "UPPER('abcDEFghi123')", want: "ABCDEFGHI123"}, // the UPPER page's example
		{src: "LOWER('ABCdefGHI123')", want: "abcdefghi123"},
		{src: "UPPER('')", want: ""},
		{src: "UPPER('café')", want: "CAFÉ"},
		{src: "UPPER(CAST(NULL AS VARCHAR(3)))", want: "NULL"},
		{src: "INITCAP('Each FIRST lEtTeR is cAPITALIZED')", want: "Each First Letter Is Capitalized"}, // the INITCAP page's example
		{src: "INITCAP('o''neil-SMITH  two')", want: "O'neil-smith  Two"},
		{src: "INITCAP('élan vital')", want: "Élan Vital"},
		// The POSITION page's examples.
		{src: "POSITION('findme' IN '1234findmeXXX')", want: "5", typ: "INTEGER"},
		{src: "POSITION('findme' IN '1234not-hereXXX')", want: "0"},
		{src: "POSITION('1' IN '1234567')", want: "1"},
		{src: "POSITION('7' IN '1234567')", want: "7"},
		{src: "POSITION('' IN '1234567')", want: "1"},
		{src: "POSITION('a' IN 'banana' FROM 3)", want: "4", typ: "INTEGER"},
		{src: "POSITION('z' IN 'abc')", want: "0"},
		{src: "POSITION('' IN 'abc')", want: "1"},
		{src: "POSITION('é' IN 'café')", want: "4"},
		{src: "POSITION('a' IN CAST(NULL AS VARCHAR(3)))", want: "NULL"},
		// The SUBSTRING page's tables, FROM/FOR, regex, comma and SIMILAR forms.
		{src: "SUBSTRING('123456789' FROM 3 FOR 4)", want: "3456"},
		{src: "SUBSTRING('123456789' FROM 17 FOR 4)", want: ""},
		{src: "SUBSTRING('123456789' FROM -1 FOR 4)", want: "12"},
		{src: "SUBSTRING('123456789' FROM 6 FOR 0)", want: ""},
		{src: "SUBSTRING('123456789' FROM 8 FOR 4)", want: "89"},
		{src: "SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*')", want: "LOGY"},
		{src: "SUBSTRING('TECHNOLOGY' FROM 'FOO')", want: "NULL"},
		{src: "SUBSTRING('TECHNOLOGY' FROM 'O[A-Z]')", want: "OL"},
		{src: "SUBSTRING('123456789', 3, 4)", want: "3456"},
		{src: "SUBSTRING('123456789', 7, 4)", want: "789"},
		{src: "SUBSTRING('123456789', 10, 4)", want: "NULL"},
		{src: "SUBSTRING('123456789' SIMILAR '23#\"456#\"78' ESCAPE '#')", want: "456"},
		{src: "SUBSTRING('TECHNOLOGY' SIMILAR 'TECH%\"NOLO%\"GY' ESCAPE '%')", want: "NOLO"},
		{src: "SUBSTRING('TECHNOLOGY' SIMILAR 'X#\"N#\"' ESCAPE '#')", want: "NULL"},
		{src: "SUBSTRING('ab' SIMILAR 'a' ESCAPE '#')", compile: "needs two"},
		{src: "SUBSTRING('ab' FROM '(')", compile: "invalid regular expression"},
		{src: "SUBSTRING('日本語テキスト' FROM 2 FOR 3)", want: "本語テ"},
		{src: "SUBSTRING(S FROM 2)", want: "MZN", typ: "VARCHAR(8)"},
		{src: "SUBSTRING(S FROM 2 FOR -1)", err: "negative"},
		// The TRIM page's examples.
		{src: "TRIM(' Trim front and back ')", want: "Trim front and back"},
		{src: "TRIM(BOTH FROM ' Trim front and back ')", want: "Trim front and back"},
		{src: "TRIM(BOTH ' ' FROM ' Trim front and back ')", want: "Trim front and back"},
		{src: "TRIM(LEADING 'x' FROM 'xxxTrim frontxxx')", want: "Trim frontxxx"},
		{src: "TRIM(TRAILING 'x' FROM 'xxxTrimxBackxxx')", want: "xxxTrimxBack"},
		{src: "TRIM(BOTH 'y' FROM 'xxxNo y to trimxxx')", want: "xxxNo y to trimxxx"},
		{src: "TRIM(BOTH '*' FROM '**x**')", want: "x"},
		{src: "TRIM(TRAILING FROM 'x  ')", want: "x"},
		{src: "TRIM(LEADING FROM '  x  ')", want: "x  "},
		{src: "TRIM(BOTH 'é' FROM 'ééxé')", want: "x"},
		{src: "TRIM('' FROM ' x ')", compile: "TRIM needs exactly one trim character"},
		{src: "TRIM('ab' FROM ' x ')", compile: "TRIM needs exactly one trim character"},
		{src: "TRIM(BOTH S FROM 'x')", err: "TRIM needs exactly one trim character, not 'AMZN'"},
		{src: "TRIM(CAST(NULL AS VARCHAR(2)))", want: "NULL"},
		// The OVERLAY page's examples.
		{src: "OVERLAY('12345' PLACING 'foo' FROM 1)", want: "foo45"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 0)", want: "foo345"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM -2)", want: "foo12345"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 4)", want: "123foo"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 17)", want: "12345foo"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 0)", want: "1foo2345"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 2)", want: "1foo45"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 9)", want: "1foo"},
		{src: "OVERLAY('12345' PLACING 'foo' FROM 2 FOR -1)", err: "OVERLAY length is negative"},
		{src: "OVERLAY('abcdef' PLACING 'XY' FROM 3)", want: "abXYef"},
		{src: "OVERLAY('abcdef' PLACING 'XY' FROM 3 FOR 0)", want: "abXYcdef"},
		{src: "OVERLAY('abc' PLACING 'XYZ' FROM 5)", want: "abcXYZ"},
		{src: "OVERLAY('abc' PLACING CAST(NULL AS VARCHAR(1)) FROM 1)", want: "NULL"},
		{src: "'a' || CAST(NULL AS VARCHAR(1))", want: "NULL"},
		{src: "S || 1", want: "AMZN1"},
		{src: "'ü' || 'ß'", want: "üß", typ: "VARCHAR(2)"},
		{src: "X'3F67' || 'a'", compile: "|| does not apply to VARBINARY(2)"},
		// REGEX_REPLACE: the documented example, groups, occurrences, start.
		{src: "REGEX_REPLACE('TECHNOLOGY', 'TECHNOLOGY', 'INFORMATION TECHNOLOGY', 1, 0)", want: "INFORMATION TECHNOLOGY"},
		{src: "REGEX_REPLACE('2024-01-05', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1', 1, 0)", want: "05/01/2024"},
		{src: "REGEX_REPLACE('a.b.c', '\\.', '\\$', 1, 0)", want: "a$b$c"},
		{src: "REGEX_REPLACE('a1b2', '\\p{Alpha}', '_', 1, 0)", want: "_1_2"}, // Java's POSIX classes
		{src: "REGEX_REPLACE('a1b2', '[\\p{Digit}b]', '_', 1, 0)", want: "a___"},
		{src: "REGEX_REPLACE('a1', '\\P{Digit}', '_', 1, 0)", want: "_1"},
		{src: "REGEX_REPLACE('aa', '(a)\\1', 'x', 1, 0)", compile: "invalid regular expression"},
		{src: "REGEX_REPLACE('ab', 'a(?=b)', 'x', 1, 0)", compile: "invalid regular expression"},
		{src: "REGEX_REPLACE('aaa', 'a', 'b', 2, 0)", want: "abb"},
		{src: "REGEX_REPLACE('aaa', 'a', 'b', 1, 3)", want: "aab"},
		{src: "REGEX_REPLACE('aaa', 'a', 'b', 1, 4)", want: "aaa"},
		{src: "REGEX_REPLACE('abc', 'a', 'b', 4, 0)", want: "abc"},
		{src: "REGEX_REPLACE('日本日本', '本', 'x', 3, 0)", want: "日本日x"},
		{src: "REGEX_REPLACE('abc', 'a', 'b', 0, 0)", err: "less than 1"},
		{src: "REGEX_REPLACE('abc', 'a', 'b', 1, -1)", err: "negative"},
		{src: "REGEX_REPLACE('abc', 'a', '$x', 1, 0)", compile: "illegal group reference"},
		{src: "REGEX_REPLACE('abc', S, 'x')", compile: "must be a constant"},
		{src: "REGEX_REPLACE(CAST(NULL AS VARCHAR(3)), 'a', 'b', 1, 0)", want: "NULL"},
		{src: "REGEX_REPLACE(S, 'Z', S, 1, 0)", want: "AMAMZNN"}, // a replacement computed per row
	})
}

func TestConditionalFunctions(t *testing.T) {
	runCases(t, []exprCase{
		{src: "COALESCE(N, NULL, 3)", want: "3", typ: "INTEGER"},
		{src: "COALESCE(N)", want: "NULL"},
		{src: "COALESCE(N, 2.5)", want: "2.5"},
		{src: "COALESCE(I, 'x')", compile: "do not mix"},
		{src: "NULLIF('a', 'a')", want: "NULL"},
		{src: "NULLIF(1, 2)", want: "1"},
		{src: "NULLIF(N, 2)", want: "NULL"},
		{src: "CASE N WHEN 1 THEN 'one' ELSE 'other' END", want: "other"},
		{src: "CASE WHEN N > 0 THEN 1 END", want: "NULL"},
		{src: "CASE WHEN I > 0 THEN 1 ELSE 2.5 END", want: "1.0", typ: "DECIMAL(2,1)"},
		{src: "CASE WHEN I THEN 1 END", compile: "WHEN needs a BOOLEAN"},
	})
}

// TestCast walks the documented CAST table: each allowed pair converts,
// the others are plan-time errors, and a value that does not convert sends
// the row to error_stream.
func TestCast(t *testing.T) {
	runCases(t, []exprCase{
		{src: "CAST(2.5 AS INTEGER)", want: "3", typ: "INTEGER"},
		{src: "CAST(-2.5 AS INTEGER)", want: "-3"},
		{src: "CAST(-1.4 AS BIGINT)", want: "-1"},
		{src: "CAST(D AS BIGINT)", want: "3"},
		{src: "CAST(1.2345 AS DECIMAL(5,2))", want: "1.23", typ: "DECIMAL(5,2)"},
		{src: "CAST(1.235 AS DECIMAL(5,2))", want: "1.24"},
		{src: "CAST(123456 AS DECIMAL(5,2))", err: "does not fit DECIMAL(5,2)"},
		{src: "CAST('1.2345' AS DECIMAL(5,2))", want: "1.23"},
		{src: "CAST(-1.2355 AS DECIMAL(5,3))", want: "-1.236"},
		{src: "CAST(300 AS TINYINT)", err: "out of range"},
		{src: "CAST(40000 AS SMALLINT)", err: "out of range"},
		{src: "CAST(B AS INTEGER)", err: "out of range"},
		{src: "CAST(I AS DOUBLE)", want: "154", typ: "DOUBLE"},
		{src: "CAST(0.1 AS REAL)", want: "0.1", typ: "REAL"},
		{src: "CAST(M AS VARCHAR(10))", want: "12.50"},
		{src: "CAST(I AS VARCHAR(2))", err: "needs 3 characters"},
		{src: "CAST('  42 ' AS INTEGER)", want: "42"},
		{src: "CAST('abc' AS INTEGER)", err: "cannot convert 'abc' to INTEGER"},
		{src: "CAST('1e3' AS DOUBLE)", want: "1000"},
		{src: "CAST('true' AS BOOLEAN)", want: "TRUE", typ: "BOOLEAN"},
		{src: "CAST('maybe' AS BOOLEAN)", err: "cannot convert"},
		{src: "CAST(TRUE AS VARCHAR(5))", want: "TRUE"},
		{src: "CAST('abcdef' AS VARCHAR(2))", want: "ab"},
		{src: "CAST('ab' AS CHAR(4))", want: "ab  "},
		{src: "CAST(DATE '2008-08-23' AS VARCHAR(10))", want: "2008-08-23"},
		{src: "CAST(DATE '2008-08-23' AS VARCHAR(9))", err: "needs 10 characters"}, // the CAST page: no row
		{src: "CAST(DATE '2008-08-23' AS CHAR(12))", want: "2008-08-23  "},
		{src: "CAST(DATE '2008-08-23' AS TIMESTAMP)", want: "2008-08-23 00:00:00.000"},
		{src: "CAST(T AS DATE)", want: "2004-09-30", typ: "DATE"},
		{src: "CAST(T AS TIME)", want: "13:48:23.000", typ: "TIME"},
		{src: "CAST(TIME '13:48:23' AS TIMESTAMP)", want: "1970-01-01 13:48:23.000"},
		{src: "CAST('2004-09-30 13:48:23.5' AS TIMESTAMP)", want: "2004-09-30 13:48:23.500"},
		{src: "CAST('2004-09-30' AS DATE)", want: "2004-09-30"},
		{src: "CAST('13:48:23' AS TIME)", want: "13:48:23.000"},
		{src: "CAST('1 02:03:04' AS INTERVAL DAY TO SECOND)", want: "1 02:03:04.000"},
		{src: "CAST('x' AS INTERVAL DAY)", err: "invalid interval"},
		{src: "CAST(N AS VARCHAR(3))", want: "NULL"},
		{src: "CAST(I AS DATE)", compile: "cannot CAST INTEGER to DATE"},
		{src: "CAST(DATE '2008-08-23' AS TIME)", compile: "cannot CAST DATE to TIME"},
		{src: "CAST(TRUE AS INTEGER)", compile: "cannot CAST BOOLEAN to INTEGER"},
		{src: "CAST(I AS INTERVAL DAY)", compile: "cannot CAST INTEGER to INTERVAL"},
	})
}

// The CAST page lists DAY-TIME INTERVAL to BIGINT and DECIMAL: the count
// of the interval's last field, which the SQL must give.
func TestCastIntervalToNumber(t *testing.T) {
	runCases(t, []exprCase{
		{src: "CAST((T - TIMESTAMP '2004-09-30 13:45:00') SECOND AS BIGINT)", want: "203", typ: "BIGINT"},
		{src: "CAST((T - TIMESTAMP '2004-09-30 13:45:00') MINUTE AS BIGINT)", want: "3"},
		{src: "CAST((TIMESTAMP '2004-09-30 13:45:00' - T) MINUTE AS BIGINT)", want: "-3"},
		{src: "CAST(INTERVAL '2' HOUR AS BIGINT)", want: "2"},
		{src: "CAST(INTERVAL '1 02:00' DAY TO MINUTE AS BIGINT)", want: "1560"},
		{src: "CAST(INTERVAL '1.5' SECOND AS BIGINT)", want: "1"},
		{src: "CAST(INTERVAL '1.5' SECOND AS DECIMAL(6,3))", want: "1.500", typ: "DECIMAL(6,3)"},
		{src: "CAST(INTERVAL '1.25' SECOND AS DECIMAL(4,1))", want: "1.3"},
		{src: "CAST(-(INTERVAL '90' SECOND) * 2 AS BIGINT)", want: "-180"},
		{src: "CAST(((T - TIMESTAMP '2004-09-30 13:45:00') SECOND) / 2 AS DECIMAL(8,1))", want: "101.5"},
		{src: "CAST(INTERVAL '1' MINUTE + INTERVAL '30' MINUTE AS BIGINT)", want: "31"},
		{src: "CAST(INTERVAL '999' DAY AS DECIMAL(2,0))", err: "does not fit DECIMAL(2,0)"},
		{src: "CAST(INTERVAL '1' MINUTE + INTERVAL '30' SECOND AS BIGINT)", compile: "counts units of its last field"},
		{src: "CAST(INTERVAL '2' HOUR AS INTEGER)", compile: "a day-time interval casts to BIGINT or DECIMAL"},
		{src: "CAST(INTERVAL '2' HOUR AS DOUBLE)", compile: "cannot CAST INTERVAL DAY TO SECOND to DOUBLE"},
	})
}

func TestFieldAccessErrors(t *testing.T) {
	runCases(t, []exprCase{
		{src: "(W3C_LOG_PARSE(S, 'COMMON')).NOPE", compile: "the row has no field NOPE; its fields are COLUMN1"},
		{src: "(I).X", compile: "needs a ROW value, not INTEGER"},
	})
}

func TestFunctionTable(t *testing.T) {
	// Every function the KDA SQL reference lists is in the table.
	for _, name := range strings.Fields(`ABS CEIL CEILING EXP FLOOR LN LOG10 MOD POWER STEP
		CHAR_LENGTH CHARACTER_LENGTH INITCAP LOWER OVERLAY POSITION REGEX_REPLACE SUBSTRING TRIM UPPER
		CAST COALESCE NULLIF CASE
		CHAR_TO_TIMESTAMP CHAR_TO_DATE CHAR_TO_TIME DATE_TO_CHAR TIME_TO_CHAR TIMESTAMP_TO_CHAR TO_TIMESTAMP UNIX_TIMESTAMP
		CURRENT_DATE CURRENT_ROW_TIMESTAMP CURRENT_TIME CURRENT_TIMESTAMP EXTRACT LOCALTIME LOCALTIMESTAMP TSDIFF
		FAST_REGEX_LOG_PARSER FIXED_COLUMN_LOG_PARSE REGEX_LOG_PARSE SYS_LOG_PARSE VARIABLE_COLUMN_LOG_PARSE W3C_LOG_PARSE
		MONOTONIC`) {
		f, ok := functions[name]
		if !ok {
			t.Errorf("%s is missing from the function table", name)
			continue
		}
		if f.Description == "" || !strings.HasPrefix(f.Signature(), name) && f.Syntax == "" {
			t.Errorf("%s: signature %q, description %q", name, f.Signature(), f.Description)
		}
		if f.Syntax == "" && f.Impl == nil && f.Prepare == nil && f.Build == nil {
			t.Errorf("%s has no implementation", name)
		}
	}
	fs := Functions()
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Name >= fs[i].Name {
			t.Fatalf("Functions() not sorted: %s before %s", fs[i-1].Name, fs[i].Name)
		}
	}
	// A special form called like a function says how it is written.
	call := &parser.FuncCall{Name: &parser.Ident{Name: "STEP"}, Args: []parser.Expr{&parser.NumberLit{Raw: "1"}}}
	if _, err := Compile(call, rowScope{}); err == nil || !strings.Contains(err.Error(), "STEP is written STEP(x BY width)") {
		t.Errorf("STEP(1): %v", err)
	}
}
