package expr

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// The CHAR_TO_TIMESTAMP page's cases, as SQL.
func TestCharToTimestampDocumented(t *testing.T) {
	in := "'2009-09-16 03:15:24'"
	runCases(t, []exprCase{
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', " + in + ")", want: "2009-09-16 00:00:00.000", typ: "TIMESTAMP"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-hh-mm', " + in + ")", want: "2009-01-01 09:16:00.000"},
		{src: "CHAR_TO_TIMESTAMP('MM/dd/yy hh:mm:ss', '09/16/11 03:15:24')", want: "2011-09-16 03:15:24.000"},
		{src: "CHAR_TO_TIMESTAMP('MM/dd/yy hh:mm:ss', '2009/09/16 03:15:24')", err: "2009 is out of range for MM"},
		{src: "CHAR_TO_TIMESTAMP('yyyy', '09-16 03:15')", want: "0009-01-01 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy', '16 03:15')", want: "0016-01-01 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy', " + in + ")", want: "2009-01-01 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy hh', " + in + ")", err: "expected ' ' at position 5"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-hh', " + in + ")", want: "2009-01-01 09:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy hh', '2009 09 16 03:15:24')", want: "2009-01-01 09:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy/hh', '2009/09/16 03:15:24')", want: "2009-01-01 09:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-mm', " + in + ")", want: "2009-01-01 00:09:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', " + in + ")", want: "2009-09-16 03:15:24.000"},
		// The Template Strings to Create Specific Output Timestamps page.
		{src: "CHAR_TO_TIMESTAMP('yyyy-mm', '2011-02-08 07:23:19')", want: "2011-01-01 00:02:00.000"},
		{src: "CHAR_TO_TIMESTAMP('MMM dd, yyyy', 'March 7, 2010')", want: "2010-03-07 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('MMM dd yyyy', 'March 7, 2010')", err: "expected ' '"},
		{src: "CHAR_TO_TIMESTAMP('MMM dd,', 'March 7, 2010')", want: "1970-03-07 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 2010')", want: "2010-03-07 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 10')", want: "0010-03-07 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('M-d', '2-8')", want: "1970-02-08 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('M-d', '2-8-2011')", want: "1970-02-08 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('M-d', '2011-2-8')", err: "2011 is out of range for M"},
		{src: "CHAR_TO_TIMESTAMP('MM-dd-yyyy', '06-23-2011 10:11:12')", want: "2011-06-23 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('dd-MM-yy hh:mm:ss', '23-06-11 10:11:12')", want: "2011-06-23 10:11:12.000"},
		{src: "CHAR_TO_TIMESTAMP('MM-dd-yy ss:hh:mm', '06-23-11 12:10:11')", want: "2011-06-23 10:11:12.000"},
		{src: "CHAR_TO_TIMESTAMP('yy-dd-MM ss:hh:mm', '06-23-11 12:10:11')", want: "2006-11-23 10:11:12.000"},
	})
}

func TestDatetimeFunctions(t *testing.T) {
	runCases(t, []exprCase{
		// More patterns: zones, names, abutting fields, quoted text, AM/PM.
		{src: "CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss Z', '24/May/2004:22:01:02 -0700')", want: "2004-05-25 05:01:02.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyyMMddHHmmssSSS', '20180509125041337')", want: "2018-05-09 12:50:41.337"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd''T''HH:mm:ss.SSSX', '2018-05-09T12:50:41.337Z')", want: "2018-05-09 12:50:41.337"},
		{src: "CHAR_TO_TIMESTAMP('EEE, d MMM yyyy HH:mm:ss z', 'Wed, 9 May 2018 12:50:41 GMT')", want: "2018-05-09 12:50:41.000"},
		{src: "CHAR_TO_TIMESTAMP('EEEE MMMM d yyyy', 'wednesday MAY 9 2018')", want: "2018-05-09 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('hh:mm a', '01:05 PM')", want: "1970-01-01 13:05:00.000"},
		{src: "CHAR_TO_TIMESTAMP('hh:mm a', '12:05 AM')", want: "1970-01-01 00:05:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm z', '2018-05-09 12:00 PST')", want: "2018-05-09 20:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm z', '2018-05-09 12:00 GMT+02:00')", want: "2018-05-09 10:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yy-D', '20-366')", want: "2020-12-31 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yy', '69')", want: "1969-01-01 00:00:00.000"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-02-30')", err: "February has no day 30"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-13-01')", err: "13 is out of range for MM"},
		{src: "CHAR_TO_TIMESTAMP('HH:mm', '24:00')", err: "out of range for HH"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-09')", err: "expected '-' at position 8"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-09-')", err: "input ends before field dd"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '')", err: "input ends"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-MM-dd', 'Wednesday, 16 September 2009')", err: "expected digits"},
		{src: "CHAR_TO_TIMESTAMP('yyyy', CAST(NULL AS VARCHAR(4)))", want: "NULL"},
		{src: "CHAR_TO_TIMESTAMP(CAST(NULL AS VARCHAR(4)), '2009')", want: "NULL"},
		{src: "CHAR_TO_TIMESTAMP('yyyy-qq', '2009')", compile: "illegal pattern character 'q'"},
		{src: "CHAR_TO_TIMESTAMP('yyyy ''at', '2009')", compile: "unterminated quote"},
		{src: "CHAR_TO_TIMESTAMP('yyyy', I)", compile: "needs a string as second argument"},
		{src: "CHAR_TO_TIMESTAMP(S, '2009')", err: "illegal pattern character 'A' in datetime pattern 'AMZN'"}, // a pattern computed per row
		{src: "CHAR_TO_DATE('dd/MM/yyyy', '16/09/2009')", want: "2009-09-16", typ: "DATE"},
		{src: "CHAR_TO_DATE('yyyy-MM-dd HH:mm', '2009-09-16 23:59')", want: "2009-09-16"},
		{src: "CHAR_TO_TIME('HH:mm:ss', '03:15:24')", want: "03:15:24.000", typ: "TIME"},
		{src: "CHAR_TO_TIME('HH:mm:ss.SSS', '23:59:59.999')", want: "23:59:59.999"},
		// Formatting.
		{src: "TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', T)", want: "2004-09-30 01:48:23", typ: "VARCHAR"},
		{src: "TIMESTAMP_TO_CHAR('yyyy-MM-dd HH:mm:ss.SSS', T + INTERVAL '0.007' SECOND)", want: "2004-09-30 13:48:23.007"},
		{src: "TIMESTAMP_TO_CHAR('EEEE, MMMM d, yyyy h:mm a', T)", want: "Thursday, September 30, 2004 1:48 PM"},
		{src: "TIMESTAMP_TO_CHAR('EEE MMM dd yy G', T)", want: "Thu Sep 30 04 AD"},
		{src: "TIMESTAMP_TO_CHAR('D u k K Z z X', T)", want: "274 4 13 1 +0000 UTC Z"},
		{src: "TIMESTAMP_TO_CHAR('''week'' w, ''day'' F', T)", want: "week 40, day 5"},
		{src: "TIMESTAMP_TO_CHAR('yyyy', CAST(NULL AS TIMESTAMP))", want: "null"}, // documented: the string "null"
		{src: "TIMESTAMP_TO_CHAR(CAST(NULL AS VARCHAR(4)), T)", want: "NULL"},
		{src: "TIMESTAMP_TO_CHAR('yyyy', S)", compile: "needs TIMESTAMP as second argument"},
		{src: "TIMESTAMP_TO_CHAR('yyyy-bb', T)", compile: "illegal pattern character 'b'"},
		{src: "DATE_TO_CHAR('yyyy/MM/dd', DATE '2008-08-23')", want: "2008/08/23"},
		{src: "DATE_TO_CHAR('yyyy/MM/dd', T)", compile: "needs DATE"},
		{src: "TIME_TO_CHAR('HH:mm', TIME '13:48:23')", want: "13:48"},
		{src: "TIME_TO_CHAR('hh a', TIME '00:10:00')", want: "12 AM"},
		// Epoch milliseconds and differences.
		{src: "TO_TIMESTAMP(1096552103000)", want: "2004-09-30 13:48:23.000", typ: "TIMESTAMP"},
		{src: "TO_TIMESTAMP(-1)", want: "1969-12-31 23:59:59.999"},
		{src: "UNIX_TIMESTAMP(TO_TIMESTAMP(0))", want: "0", typ: "BIGINT"},
		{src: "UNIX_TIMESTAMP(CAST(NULL AS TIMESTAMP))", want: "NULL"},
		{src: "TSDIFF(T, T - INTERVAL '1' MINUTE)", want: "60000", typ: "BIGINT"},
		{src: "TSDIFF(1000, 250)", want: "750"},
		{src: "TSDIFF(T, CAST(NULL AS TIMESTAMP))", want: "NULL"},
		{src: "TSDIFF(B, -2)", err: "integer overflow"},
		{src: "TSDIFF(S, T)", compile: "needs timestamps or BIGINT"},
		// EXTRACT and FLOOR/CEIL TO.
		{src: "EXTRACT(DAY FROM DATE '2008-08-23')", want: "23", typ: "BIGINT"},
		{src: "EXTRACT(YEAR FROM T)", want: "2004"},
		{src: "EXTRACT(MONTH FROM T)", want: "9"},
		{src: "EXTRACT(HOUR FROM T)", want: "13"},
		{src: "EXTRACT(SECOND FROM T)", want: "23.000", typ: "DECIMAL(5,3)"},
		{src: "EXTRACT(SECOND FROM T + INTERVAL '0.5' SECOND)", want: "23.500"},
		// The EXTRACT page's interval examples: fields, not totals.
		{src: "EXTRACT(DAY FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", want: "2", typ: "BIGINT"},
		{src: "EXTRACT(HOUR FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", want: "3"},
		{src: "EXTRACT(MINUTE FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", want: "4"},
		{src: "EXTRACT(SECOND FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", want: "5.678"},
		{src: "EXTRACT(HOUR FROM INTERVAL -'2 3:4:5' DAY TO SECOND)", want: "-3"},
		{src: "EXTRACT(MONTH FROM INTERVAL '3-4' YEAR TO MONTH)", want: "4"},
		{src: "EXTRACT(YEAR FROM INTERVAL '3-4' YEAR TO MONTH)", want: "3"},
		{src: "EXTRACT(SECOND FROM CAST(NULL AS TIMESTAMP))", want: "NULL"},
		{src: "EXTRACT(HOUR FROM TIME '13:48:23')", want: "13"},
		{src: "EXTRACT(YEAR FROM S)", compile: "EXTRACT needs a datetime"},
		{src: "CEIL(T TO DAY)", want: "2004-10-01 00:00:00.000"},
		{src: "CEIL(T TO MONTH)", want: "2004-10-01 00:00:00.000"},
		{src: "CEIL(T TO YEAR)", want: "2005-01-01 00:00:00.000"},
		{src: "FLOOR(T TO SECOND)", want: "2004-09-30 13:48:23.000"},
		{src: "FLOOR(CAST(NULL AS TIMESTAMP) TO DAY)", want: "NULL"},
		// Interval arithmetic (the Date, Timestamp, and Interval Operators page).
		{src: "INTERVAL '1' DAY + INTERVAL '3' DAY", want: "4 00:00:00.000"},
		{src: "INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR", want: "4 04:00:00.000"},
		{src: "INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR", want: "-2 04:00:00.000"},
		{src: "INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH", want: "4-4"},
		{src: "2 * INTERVAL '3 4' DAY TO HOUR", want: "6 08:00:00.000"},
		{src: "INTERVAL '3 4' DAY TO HOUR / 2", want: "1 14:00:00.000"},
		{src: "(T - TIMESTAMP '2004-09-30 00:00:00') HOUR", want: "0 13:00:00.000"},
		{src: "DATE '2008-08-23' + INTERVAL '1' DAY", want: "2008-08-24"},
		{src: "TIME '23:30:00' + INTERVAL '1' HOUR", want: "00:30:00.000"},
	})
}

// The clock functions read the query start; CURRENT_ROW_TIMESTAMP reads
// the wall clock for every row. None is folded into a constant.
func TestClockFunctions(t *testing.T) {
	const start = 1096552103123 // 2004-09-30 13:48:23.123
	for _, tt := range []struct{ src, want, typ string }{
		{"CURRENT_TIMESTAMP", "2004-09-30 13:48:23.123", "TIMESTAMP"},
		{"LOCALTIMESTAMP", "2004-09-30 13:48:23.123", "TIMESTAMP"},
		{"CURRENT_DATE", "2004-09-30", "DATE"},
		{"CURRENT_TIME", "13:48:23.123", "TIME"},
		{"LOCALTIME", "13:48:23.123", "TIME"},
		{"CURRENT_ROW_TIMESTAMP", "2004-09-30 13:48:24.000", "TIMESTAMP"},
	} {
		e, err := parser.ParseExpr(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Compile(e, rowScope{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Const {
			t.Errorf("%s was folded into a constant", tt.src)
		}
		ctx := &eval.Ctx{QueryStart: start, Now: func() int64 { return start + 877 }}
		v := c.Eval(ctx, row)
		if got := value.Text(v, c.Type); got != tt.want || c.Type.String() != tt.typ {
			t.Errorf("%s = %s (%s), want %s (%s)", tt.src, got, c.Type, tt.want, tt.typ)
		}
	}
}

// TestDateFormatRoundTrip formats and parses back every pattern letter
// that carries a value.
func TestDateFormatRoundTrip(t *testing.T) {
	for _, p := range []string{
		"yyyy-MM-dd HH:mm:ss.SSS", "yyyyMMddHHmmssSSS", "dd/MMM/yyyy:HH:mm:ss.SSS Z", "EEE, d MMMM yyyy hh:mm:ss.SSS a z",
		"yyyy-MM-dd'T'HH:mm:ss.SSSX", "yyyy D HH:mm:ss.SSS", "G yyyy-MM-dd k:mm:ss.SSS",
	} {
		f, err := CompileDateFormat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, ms := range []int64{0, t0, 1525870241337, 951782400000 /* 2000-02-29 */, 4102444799999 /* 2099-12-31 23:59:59.999 */} {
			s := f.Format(ms)
			back, err := f.Parse(s)
			if err != nil || back != ms {
				t.Errorf("%s: %d formats as %q, parses back as %d (%v)", p, ms, s, back, err)
			}
		}
	}
}

func TestDateFormatErrors(t *testing.T) {
	for p, want := range map[string]string{
		"yyyy-MM-dd x": "illegal pattern character 'x'",
		"'open":        "unterminated quote",
		"hh 'o''clock": "unterminated quote",
	} {
		if _, err := CompileDateFormat(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", p, err, want)
		}
	}
	f, _ := CompileDateFormat("hh 'o''clock'")
	if s := f.Format(t0); s != "01 o'clock" {
		t.Errorf("quoted quote: %q", s)
	}
}
