package sink

import (
	"bytes"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

var cols = []Column{
	{"TICKER", value.Type{Base: value.TVarchar, Len: 8}},
	{"Price", value.Double},
	{"CHANGE", value.Type{Base: value.TReal}},
	{"AMOUNT", value.Type{Base: value.TDecimal, Precision: 10, Scale: 2}},
	{"TS", value.Timestamp},
}

func batch() *operators.Batch {
	b := operators.NewBatch(6, 2)
	b.Append(1767607215000, []value.Value{value.NewString(`A"B,C`), value.NewFloat(12.5), value.NewFloat(float64(float32(0.1))),
		value.NewDecimal(1250, 2), value.NewTimestamp(1767607200123), value.NewString("hidden")})
	b.Append(1767607215000, []value.Value{value.Null, value.NewFloat(1e22), value.Null, value.NewDecimal(-5, 2), value.Null, value.Null})
	return b
}

func render(f Format, rowtime bool) string {
	var out bytes.Buffer
	s := New(f, &out, cols, rowtime)
	s.Push(batch())
	s.Advance(operators.EndOfTime)
	return out.String()
}

func TestFormats(t *testing.T) {
	tests := []struct {
		f       Format
		rowtime bool
		want    string
	}{
		{NDJSON, true, `{"ROWTIME":"2026-01-05 10:00:15.000","TICKER":"A\"B,C","Price":12.5,"CHANGE":0.1,"AMOUNT":12.50,"TS":"2026-01-05 10:00:00.123"}
{"ROWTIME":"2026-01-05 10:00:15.000","TICKER":null,"Price":1E+22,"CHANGE":null,"AMOUNT":-0.05,"TS":null}
`},
		{CSV, false, `"A""B,C",12.5,0.1,12.50,2026-01-05 10:00:00.123
,1E+22,,-0.05,
`},
		{Table, false, `TICKER    Price  CHANGE  AMOUNT  TS
--------  -----  ------  ------  -----------------------
A"B,C     12.5   0.1     12.50   2026-01-05 10:00:00.123
NULL      1E+22  NULL    -0.05   NULL
`},
	}
	for _, tt := range tests {
		if got := render(tt.f, tt.rowtime); got != tt.want {
			t.Errorf("format %d:\ngot\n%s\nwant\n%s", tt.f, got, tt.want)
		}
	}
}

func TestErrorStream(t *testing.T) {
	var out bytes.Buffer
	e := NewErrorStream(NDJSON, &out, false)
	e.Error(operators.ErrorRecord{Time: 1767607200000, Level: "ERROR", Name: "Parse error", Message: "invalid JSON",
		DataRowtime: 1767607200000, DataRow: []byte("{x"), Pump: ""})
	want := `{"ERROR_TIME":"2026-01-05 10:00:00.000","ERROR_LEVEL":"ERROR","ERROR_NAME":"Parse error","MESSAGE":"invalid JSON","DATA_ROWTIME":"2026-01-05 10:00:00.000","DATA_ROW":"7b78","PUMP_NAME":null}
`
	if out.String() != want {
		t.Fatalf("got  %s\nwant %s", out.String(), want)
	}
}

func TestParseFormat(t *testing.T) {
	for s, want := range map[string]Format{"table": Table, "NDJSON": NDJSON, "json": NDJSON, "csv": CSV} {
		if f, err := ParseFormat(s); err != nil || f != want {
			t.Errorf("%s: %v %v", s, f, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
}

// Rows of several streams sharing one output say which stream they are.
func TestLabeled(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		want string
	}{
		{NDJSON, `{"STREAM":"DEST","ROWTIME":"2026-01-05 10:00:15.000","TICKER":"A\"B,C",`},
		{CSV, "DEST,2026-01-05 10:00:15.000,\"A\"\"B,C\",12.5,"},
		{Table, "STREAM  ROWTIME                  TICKER    Price"},
	} {
		var out bytes.Buffer
		s := NewLabeled(tt.f, &out, cols, true, "DEST")
		s.Push(batch())
		s.Advance(operators.EndOfTime)
		if !bytes.HasPrefix(out.Bytes(), []byte(tt.want)) {
			t.Errorf("format %d: got\n%s\nwant a start of\n%s", tt.f, out.String(), tt.want)
		}
	}
}

// A table prints its header once; a wider value later widens the column
// for the rows after it without repeating the header.
func TestTableHeaderOnce(t *testing.T) {
	var out bytes.Buffer
	s := New(Table, &out, cols[:1], false)
	for _, v := range []string{"A", "a much longer ticker name", "B"} {
		b := operators.NewBatch(1, 1)
		b.Append(0, []value.Value{value.NewString(v)})
		s.Push(b)
		s.Advance(0)
	}
	s.Advance(operators.EndOfTime)
	want := "TICKER\n--------\nA\na much longer ticker name\nB\n"
	if out.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}
}
