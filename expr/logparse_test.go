package expr

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// rowOf compiles a ROW-valued expression and renders its fields as
// NAME=value pairs (NULL fields as NAME=NULL; a NULL row as "NULL").
func rowOf(t *testing.T, src string) (string, value.Type, error) {
	t.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c, err := Compile(e, rowScope{})
	if err != nil {
		return "", value.Type{}, err
	}
	ctx := &eval.Ctx{}
	v := c.Eval(ctx, row)
	if ctx.Err != nil {
		return "", c.Type, ctx.Err
	}
	if c.Type.Base != value.TRow {
		t.Fatalf("%s: type %s, not a ROW", src, c.Type)
	}
	if v.K == value.KNull {
		return "NULL", c.Type, nil
	}
	var parts []string
	for i, f := range v.R.Fields {
		s := value.Text(f, c.Type.Fields[i].Type)
		if f.K == value.KNull {
			s = "NULL"
		}
		parts = append(parts, c.Type.Fields[i].Name+"="+s)
	}
	return strings.Join(parts, "|"), c.Type, nil
}

func fieldTypes(t value.Type) string {
	var parts []string
	for _, f := range t.Fields {
		parts = append(parts, f.Type.String())
	}
	return strings.Join(parts, ",")
}

func TestLogParsers(t *testing.T) {
	const common = `'192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0'`
	for _, tt := range []struct{ src, want, types, err string }{
		// W3C_LOG_PARSE: the reference page's COMMON example, then the other formats.
		{src: "W3C_LOG_PARSE(" + common + ", 'COMMON')",
			want: "COLUMN1=192.168.254.30|COLUMN2=-|COLUMN3=John|COLUMN4=[24/May/2004:22:01:02 -0700]|COLUMN5=GET /icons/apache_pb.gif HTTP/1.1|COLUMN6=304|COLUMN7=0"},
		{src: "W3C_LOG_PARSE('host.example ' || " + common + ", 'common with  vhost')",
			want: "COLUMN1=host.example|COLUMN2=192.168.254.30|COLUMN3=-|COLUMN4=John|COLUMN5=[24/May/2004:22:01:02 -0700]|COLUMN6=GET /icons/apache_pb.gif HTTP/1.1|COLUMN7=304|COLUMN8=0"},
		{src: `W3C_LOG_PARSE('1.2.3.4 - - [25/Mar/2018:15:25:37 -0700] "GET /q?a=\"b\" HTTP/1.1" 200 125 "http://ref.example/" "Mozilla/5.0 (X11)"', 'NCSA EXTENDED')`,
			want: `COLUMN1=1.2.3.4|COLUMN2=-|COLUMN3=-|COLUMN4=[25/Mar/2018:15:25:37 -0700]|COLUMN5=GET /q?a="b" HTTP/1.1|COLUMN6=200|COLUMN7=125|COLUMN8=http://ref.example/|COLUMN9=Mozilla/5.0 (X11)`},
		{src: "W3C_LOG_PARSE('http://ref.example/a ---> /index.html', 'REFERER')", want: "COLUMN1=http://ref.example/a|COLUMN2=/index.html"},
		{src: "W3C_LOG_PARSE('Mozilla/5.0 (X11; Linux)', 'AGENT')", want: "COLUMN1=Mozilla/5.0 (X11; Linux)"},
		{src: "W3C_LOG_PARSE('10.0.0.1, -, 03/20/18, 7:55:20, W3SVC2, SERVER, 10.0.0.2, 4502, 163, 3223, 200, 0, GET, /index.htm, -,', 'IIS')",
			want: "COLUMN1=10.0.0.1|COLUMN2=-|COLUMN3=03/20/18|COLUMN4=7:55:20|COLUMN5=W3SVC2|COLUMN6=SERVER|COLUMN7=10.0.0.2|COLUMN8=4502|COLUMN9=163|COLUMN10=3223|COLUMN11=200|COLUMN12=0|COLUMN13=GET|COLUMN14=/index.htm|COLUMN15=-"},
		{src: `W3C_LOG_PARSE('10.1.1.1 512 2500 /a/b', '%a %B %D %U')`, want: "COLUMN1=10.1.1.1|COLUMN2=512|COLUMN3=2500|COLUMN4=/a/b", types: "VARCHAR(1024),BIGINT,BIGINT,VARCHAR(1024)"},
		{src: `W3C_LOG_PARSE('x - 100%', '%h %{foo}i %>s%%')`, want: "COLUMN1=x|COLUMN2=-|COLUMN3=100"},
		{src: "W3C_LOG_PARSE('not a log line', 'COMMON')", want: "NULL"},
		{src: "W3C_LOG_PARSE(CAST(NULL AS VARCHAR(3)), 'COMMON')", want: "NULL"},
		{src: "W3C_LOG_PARSE(S, '%h %Q')", err: "unknown specifier %Q"},
		{src: "W3C_LOG_PARSE(S, 'no specifiers')", err: "has no % specifiers"},
		{src: "W3C_LOG_PARSE(S, S)", err: "the format must be a constant string"},
		{src: "W3C_LOG_PARSE(I, 'COMMON')", err: "parses a string, not INTEGER"},

		// REGEX_LOG_PARSE: the reference page's expression over a sector.
		{src: "REGEX_LOG_PARSE('ENERGY', '.*([E].).*([R].*)')", want: "COLUMN1=EN|COLUMN2=RGY", types: "VARCHAR(1024),VARCHAR(1024)"},
		{src: "REGEX_LOG_PARSE('HEALTHCARE', '.*([E].).*([R].*)')", want: "COLUMN1=EA|COLUMN2=RE"},
		{src: "REGEX_LOG_PARSE('TECHNOLOGY', '.*([E].).*([R].*)')", want: "NULL"},
		{src: "REGEX_LOG_PARSE('a=1 b=x', 'a=(\\d+) b=(\\w+)?(z)?')", want: "COLUMN1=1|COLUMN2=x|COLUMN3=NULL"},
		{src: "REGEX_LOG_PARSE('7 abc', '(\\d+) (\\w+)', 'N INTEGER, W VARCHAR(2)')", want: "N=7|W=ab", types: "INTEGER,VARCHAR(2)"},
		{src: "REGEX_LOG_PARSE('x abc', '(\\w+) (\\w+)', 'N INTEGER, W VARCHAR(2)')", err: "column N: cannot convert 'x' to INTEGER"},
		{src: "REGEX_LOG_PARSE('7', '(\\d+)', 'N INTEGER, W VARCHAR(2)')", err: "names 2 columns but the regular expression has 1 groups"},
		{src: "REGEX_LOG_PARSE(S, '(a')", err: "invalid regular expression '(a'"},
		{src: "REGEX_LOG_PARSE(S, 'abc')", err: "has no capture groups"},
		{src: "REGEX_LOG_PARSE(S, '(?<=a)(b)')", err: "invalid regular expression"},

		// FAST_REGEX_LOG_PARSER: the reference page's examples A, B and C
		// (lazy groups, no backtracking into an earlier expression), and its
		// first example, whose printed COLUMN2 cannot be right: the pattern
		// needs an underscore after the group.
		{src: "FAST_REGEX_LOG_PARSER('Mary_had_a_little_lamb', '(.*)_+(._.*)')", want: "NULL"},
		{src: "REGEX_LOG_PARSE('Mary_had_a_little_lamb', '(.*?)_+(._.*?)')", want: "COLUMN1=Mary_had|COLUMN2=a_little_lamb"}, // backtracking does match
		{src: "FAST_REGEX_LOG_PARSER('Mary____had_a_little_lamb', '(.*)_+(.*)')", want: "COLUMN1=Mary|COLUMN2=had_a_little_lamb"},
		{src: "FAST_REGEX_LOG_PARSER('Mary_had_a_little_lamb', '(.*)_(._.*)_.*')", want: "COLUMN1=Mary_had|COLUMN2=a_little"},
		{src: "FAST_REGEX_LOG_PARSER('a-b', '(.*)-(.*)|x')", want: "COLUMN1=a|COLUMN2=b"},
		{src: "FAST_REGEX_LOG_PARSER('2018-05-09 ERROR disk full', '(<Digit>{4}-<Digit>{2}-<Digit>{2}) (<Upper>+) (.*)')", want: "COLUMN1=2018-05-09|COLUMN2=ERROR|COLUMN3=disk full"},
		{src: "FAST_REGEX_LOG_PARSER('ab', '(a)()b')", want: "COLUMN1=a|COLUMN2="},
		{src: "FAST_REGEX_LOG_PARSER('Mary____had_a_little_lamb', '(.*)_+(<Alpha>.*)')", want: "COLUMN1=Mary|COLUMN2=had_a_little_lamb"},
		{src: "FAST_REGEX_LOG_PARSE('id=42;name=\"x y\"', '\"id=\"(<Digit>+)\";name=\"(@)')", want: "COLUMN1=42|COLUMN2=\"x y\""},
		{src: "FAST_REGEX_LOG_PARSER('v7', 'v(<1-12>)')", want: "COLUMN1=7"},
		{src: "FAST_REGEX_LOG_PARSER('v13', 'v(<1-12>)')", want: "NULL"},
		{src: "FAST_REGEX_LOG_PARSER(S, '(a)&(b)')", err: "intersection (&) is not supported"},
		{src: "FAST_REGEX_LOG_PARSER(S, '(<Nope>)')", err: "unknown named pattern <Nope>"},
		{src: "FAST_REGEX_LOG_PARSER(S, '(a')", err: "unbalanced parentheses"},
		{src: "FAST_REGEX_LOG_PARSER(S, 'abc')", err: "has no capture groups"},

		// VARIABLE_COLUMN_LOG_PARSE: the developer guide's column list, counts, escapes, quotes, types.
		{src: "VARIABLE_COLUMN_LOG_PARSE('x,y,z', 'COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)', ',')",
			want: "COL_1=x|COL_2=y|COL_3=z", types: "VARCHAR(16),VARCHAR(16),VARCHAR(16)"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a,b,c', 3, ',')", want: "COLUMN1=a|COLUMN2=b|COLUMN3=c", types: "VARCHAR(1024),VARCHAR(1024),VARCHAR(1024)"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a,,c', 3, ',')", want: "COLUMN1=a|COLUMN2=|COLUMN3=c"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a', 2, ',')", want: "COLUMN1=a|COLUMN2=NULL"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a,b,c', 2, ',')", want: "COLUMN1=a|COLUMN2=b"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a\\,b,c', 2, ',', '\\')", want: "COLUMN1=a,b|COLUMN2=c"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('\"a,b\",c', 2, ',', '', '\"')", want: "COLUMN1=a,b|COLUMN2=c"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('[a|b]|c', 2, '|', '', '[]')", want: "COLUMN1=a|b|COLUMN2=c"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a::b::c', 3, '::')", want: "COLUMN1=a|COLUMN2=b|COLUMN3=c"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('a' || U&'\\0009' || 'b c', 2, U&'\\0009')", want: "COLUMN1=a|COLUMN2=b c"}, // the page's tab delimiter
		{src: "VARIABLE_COLUMN_LOG_PARSE('日本|語', 2, '|')", want: "COLUMN1=日本|COLUMN2=語"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('7,2.50,24/May/2004:22:01:02,true', 'N INTEGER, P DECIMAL(5,2), \"when\" TYPE TIMESTAMP ''dd/MMM/yyyy:HH:mm:ss'', OK BOOLEAN NOT NULL', ',')",
			want: "N=7|P=2.50|when=2004-05-24 22:01:02.000|OK=TRUE", types: "INTEGER,DECIMAL(5,2),TIMESTAMP,BOOLEAN"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 'N INTEGER', ',')", err: "column N: cannot convert 'x' to INTEGER"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 'N INTEGER, N VARCHAR(2)', ',')", err: "column N is listed twice"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 'N FROB', ',')", err: "unknown type FROB"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 'N VARCHAR(3) ''yyyy''', ',')", err: "a datetime pattern needs a DATE, TIME or TIMESTAMP column"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', I, ',')", err: "must be a constant"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 0, ',')", err: "outside 1..1000"},
		{src: "VARIABLE_COLUMN_LOG_PARSE('x', 2, '')", err: "the delimiter is empty"},

		// FIXED_COLUMN_LOG_PARSE: 0-based START, optional FOR, types and patterns.
		{src: "FIXED_COLUMN_LOG_PARSE('ABC  42 20180509rest', 'CODE TYPE VARCHAR(3) START 0 FOR 3, N TYPE INTEGER START 3 FOR 4, D TYPE DATE ''yyyyMMdd'' START 8 FOR 8, TAIL TYPE VARCHAR(10) START 16')",
			want: "CODE=ABC|N=42|D=2018-05-09|TAIL=rest", types: "VARCHAR(3),INTEGER,DATE,VARCHAR(10)"},
		{src: "FIXED_COLUMN_LOG_PARSE('AB', 'A TYPE VARCHAR(3) START 0 FOR 3, B TYPE VARCHAR(3) START 5 FOR 2')", want: "A=AB|B=NULL"},
		{src: "FIXED_COLUMN_LOG_PARSE('AB', 'A TYPE VARCHAR(3) START x')", err: "expected a number after START"},

		// SYS_LOG_PARSE: timestamp (no year: 1970) and the rest of the line.
		{src: "SYS_LOG_PARSE('Mar  5 03:15:24 myhost sshd[123]: Accepted publickey')", want: "COLUMN1=1970-03-05 03:15:24.000|COLUMN2=myhost sshd[123]: Accepted publickey", types: "TIMESTAMP,VARCHAR(1024)"},
		{src: "SYS_LOG_PARSE('<34>Oct 11 22:14:15 mymachine su: fail')", want: "COLUMN1=1970-10-11 22:14:15.000|COLUMN2=mymachine su: fail"},
		{src: "SYS_LOG_PARSE('garbage')", want: "NULL"},
	} {
		got, typ, err := rowOf(t, tt.src)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s\n got  %s\n want %s", tt.src, got, tt.want)
		}
		if tt.types != "" && fieldTypes(typ) != tt.types {
			t.Errorf("%s: field types %s, want %s", tt.src, fieldTypes(typ), tt.types)
		}
	}
}

// Fields of a log parser's row are read with (fn(...)).NAME.
func TestLogParseFieldAccess(t *testing.T) {
	runCases(t, []exprCase{
		{src: "(W3C_LOG_PARSE('192.168.254.30 - Jane [24/May/2004:22:01:02 -0700] \"GET /icons/small/dir.gif HTTP/1.1\" 304 0', 'COMMON')).COLUMN3", want: "Jane", typ: "VARCHAR(1024)"},
		{src: "(REGEX_LOG_PARSE(S, '(A)(.*)')).COLUMN2", want: "MZN"},
		{src: "(REGEX_LOG_PARSE(S, '(X)(.*)')).COLUMN2", want: "NULL"},
		{src: "(VARIABLE_COLUMN_LOG_PARSE('1;2', 'A INTEGER, B INTEGER', ';')).B + 1", want: "3", typ: "INTEGER"},
		{src: "(SYS_LOG_PARSE('Jan  1 00:00:01 h m')).COLUMN1", want: "1970-01-01 00:00:01.000", typ: "TIMESTAMP"},
	})
}
