package expr

import (
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// strRow is the row the pattern benchmarks read: S is a log line, a
// timestamp string or a URL depending on the benchmark.
type strScope struct{}

func (strScope) Column(ref *parser.ColumnRef) (int, value.Type, error) {
	switch ref.Parts[len(ref.Parts)-1].Name {
	case "S":
		return 0, value.Type{Base: value.TVarchar, Len: 256}, nil
	case "T":
		return 1, value.Timestamp, nil
	}
	return 0, value.Type{}, &Error{Msg: "unknown column"}
}
func (strScope) Replace(parser.Expr) (int, value.Type, bool) { return 0, value.Type{}, false }

func compileOver(tb testing.TB, src string) *Compiled {
	tb.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := Compile(e, strScope{})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var patternExprs = []struct{ name, src, input string }{
	{"CharToTimestamp", "CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss.SSS', S)", "2018-05-09 12:50:41.337"},
	{"TimestampToChar", "TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss a', T)", ""},
	{"RegexReplace", "REGEX_REPLACE(S, 'http://', 'https://', 1, 0)", "http://www.amazon.com/http://x"},
	{"RegexLogParse", "(REGEX_LOG_PARSE(S, '(\\w.+) (\\d.+) (\\w.+) (\\w.+)')).COLUMN2", `203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"`},
	{"W3CLogParse", "(W3C_LOG_PARSE(S, 'COMMON')).COLUMN5", `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0`},
	{"VariableColumnLogParse", "(VARIABLE_COLUMN_LOG_PARSE(S, 'A VARCHAR(8), B INTEGER, C TIMESTAMP ''yyyy-MM-dd''', ',')).C", "x,42,2018-05-09"},
	{"FastRegexLogParser", "(FAST_REGEX_LOG_PARSER(S, '(<Digit>{4}-<Digit>{2}-<Digit>{2}) (<Upper>+) (.*)')).COLUMN3", "2018-05-09 ERROR disk full"},
	{"SubstringSimilar", "SUBSTRING(S SIMILAR 'http://#\"%#\".com' ESCAPE '#')", "http://www.amazon.com"},
	{"Like", "S LIKE '%amazon%'", "http://www.amazon.com"},
}

// TestPatternsCompiledOnce: a constant pattern is compiled when the
// expression is, and evaluating rows compiles nothing more.
func TestPatternsCompiledOnce(t *testing.T) {
	for _, p := range patternExprs {
		before := compiles.Load()
		c := compileOver(t, p.src)
		planned := compiles.Load() - before
		if planned == 0 {
			t.Errorf("%s: no pattern compiled at plan time", p.name)
		}
		ctx := &eval.Ctx{}
		r := []value.Value{value.NewString(p.input), value.NewTimestamp(t0)}
		for i := 0; i < 100; i++ {
			if v := c.Eval(ctx, r); v.K == value.KNull || ctx.Err != nil {
				t.Fatalf("%s: %v %v", p.name, v, ctx.Err)
			}
		}
		if n := compiles.Load() - before - planned; n != 0 {
			t.Errorf("%s: %d compilations while evaluating 100 rows", p.name, n)
		}
	}
}

func BenchmarkPatterns(b *testing.B) {
	for _, p := range patternExprs {
		b.Run(p.name, func(b *testing.B) {
			c := compileOver(b, p.src)
			ctx := &eval.Ctx{}
			r := []value.Value{value.NewString(p.input), value.NewTimestamp(t0)}
			before := compiles.Load()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Eval(ctx, r)
			}
			b.StopTimer()
			b.ReportMetric(float64(compiles.Load()-before), "compiles")
		})
	}
}

func BenchmarkCharToTimestamp(b *testing.B) { benchOne(b, 0) }
func BenchmarkTimestampToChar(b *testing.B) { benchOne(b, 1) }
func BenchmarkRegexReplace(b *testing.B)    { benchOne(b, 2) }
func BenchmarkRegexLogParse(b *testing.B)   { benchOne(b, 3) }
func BenchmarkW3CLogParse(b *testing.B)     { benchOne(b, 4) }

func benchOne(b *testing.B, i int) {
	p := patternExprs[i]
	c := compileOver(b, p.src)
	ctx := &eval.Ctx{}
	r := []value.Value{value.NewString(p.input), value.NewTimestamp(t0)}
	before := compiles.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Eval(ctx, r)
	}
	b.StopTimer()
	b.ReportMetric(float64(compiles.Load()-before), "compiles")
}
