package decode

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func vc(n int) value.Type { return value.Type{Base: value.TVarchar, Len: n} }

func decodeAll(t *testing.T, s Schema, data string) ([]string, *operatortest.Errors) {
	t.Helper()
	d, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	b := operators.NewBatch(d.Width(), 4)
	e := &operatortest.Errors{}
	d.Decode(1000, []byte(data), Meta{Arrival: 900, PartitionKey: "pk", ShardID: "shardId-000000000001"}, b, e)
	var rows []string
	for i := 0; i < b.Len(); i++ {
		rows = append(rows, string(operators.RowText(nil, b.Row(i)[:len(s.Columns)])))
	}
	return rows, e
}

func TestJSONMappingAndConversions(t *testing.T) {
	s := Schema{Format: Format{Type: "JSON", RecordRowPath: "$"}, Columns: []Column{
		{"TICKER", vc(4), "$.ticker"},
		{"PRICE", value.Double, "$.price"},
		{"QTY", value.Integer, "$.qty"},
		{"AMOUNT", value.Type{Base: value.TDecimal, Precision: 8, Scale: 2}, "$.amount"},
		{"OK", value.Boolean, "$.ok"},
		{"CITY", vc(16), "$.address.city"},
		{"FIRST_TAG", vc(8), "$.tags[0]"},
		{"TS", value.Timestamp, "$.ts"},
		{"MISSING", value.Integer, "$.nope"},
		{"ORDERS", vc(64), "$.orders[0:]"},
	}}
	rows, e := decodeAll(t, s, `{"ticker":"AMAZON","price":12.5,"qty":true,"amount":3.456,"ok":"TRUE","address":{"city":"Seattle"},"tags":["a","b"],"ts":"1992-02-14 18:35:44.0","orders":[1,2]}`)
	want := "AMAZ,12.5,1,3.46,TRUE,Seattle,a,1992-02-14 18:35:44.000,,[1,2]"
	if len(e.Recs) != 0 || len(rows) != 1 || rows[0] != want {
		t.Fatalf("rows %v errors %+v\nwant %s", rows, e.Recs, want)
	}
}

func TestJSONErrorsGoToTheErrorStream(t *testing.T) {
	s := Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"QTY", value.Integer, "$.qty"}, {"TS", value.Timestamp, "$.ts"}}}
	for _, tc := range []struct{ data, name, msg string }{
		{`{"qty":123.4}`, eval.ErrConversion, "QTY: 123.4 does not fit INTEGER"},
		{`{"qty":"many"}`, eval.ErrConversion, `QTY: cannot convert "many" to INTEGER`},
		{`{"qty":1,"ts":true}`, eval.ErrConversion, "TS:"},
		{`{"qty":3000000000}`, eval.ErrConversion, "out of range"},
		{`{"qty": 1, oops`, eval.ErrParse, "invalid JSON"},
	} {
		rows, e := decodeAll(t, s, tc.data)
		if len(rows) != 0 || len(e.Recs) != 1 || e.Recs[0].Name != tc.name || !strings.Contains(e.Recs[0].Message, tc.msg) ||
			string(e.Recs[0].DataRow) != tc.data || e.Recs[0].DataRowtime != 1000 {
			t.Errorf("%s: rows %v errors %+v", tc.data, rows, e.Recs)
		}
	}
}

func TestJSONSeveralDocumentsAndFlattening(t *testing.T) {
	s := Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"NAME", vc(8), "$.name"}, {"ID", value.Integer, "$.orders[0:].id"}}}
	rows, e := decodeAll(t, s, `{"name":"a","orders":[{"id":1},{"id":2}]} {"name":"b","orders":[]}
{"name":"c"}`)
	if got := strings.Join(rows, " "); got != "a,1 a,2 b, c," || len(e.Recs) != 0 {
		t.Fatalf("rows %q errors %v", got, e.Recs)
	}
}

// A record that is a JSON array holds its rows at $[0:], as a nested
// array does at $.items[0:]: as the RecordRowPath (mappings then read each
// element) or flattened in the mappings under RecordRowPath $.
func TestJSONRootArray(t *testing.T) {
	for _, c := range []struct {
		s    Schema
		want string // an empty array: no row as the row path, one all-NULL row flattened (semantics 30)
	}{
		{Schema{Format: Format{Type: "JSON", RecordRowPath: "$[0:]"}, Columns: []Column{{"X", vc(4), "$.x"}, {"N", value.Integer, "$.n"}}}, "a,1 b,"},
		{Schema{Format: Format{Type: "JSON", RecordRowPath: "$"}, Columns: []Column{{"X", vc(4), "$[0:].x"}, {"N", value.Integer, "$[0:].n"}}}, "a,1 b, ,"},
	} {
		rows, e := decodeAll(t, c.s, `[{"x":"a","n":1},{"x":"b"}] []`)
		if got := strings.Join(rows, " "); got != c.want || len(e.Recs) != 0 {
			t.Errorf("%s %s: rows %q errors %v, want %q", c.s.Format.RecordRowPath, c.s.Columns[0].Mapping, got, e.Recs, c.want)
		}
	}
	whole := Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"ALL", vc(64), "$[0:]"}}}
	if rows, _ := decodeAll(t, whole, `[1, 2]`); strings.Join(rows, " ") != "[1, 2]" {
		t.Errorf("the array as text: %q", rows)
	}
}

func TestCSV(t *testing.T) {
	s := Schema{Format: Format{Type: "CSV", RowDelimiter: "\r\n", ColumnDelimiter: ","}, Columns: []Column{
		{"A", vc(4), ""}, {"B", value.Integer, ""}, {"C", value.Double, ""}}}
	rows, e := decodeAll(t, s, "x,1,2.5,extra\r\ny,,\r\nz,2\r\n")
	if strings.Join(rows, " ") != "x,1,2.5 y,," || len(e.Recs) != 1 || !strings.Contains(e.Recs[0].Message, "2 fields, the schema has 3 columns") {
		t.Fatalf("rows %v errors %+v", rows, e.Recs)
	}
}

func TestMetaColumnsAndTable(t *testing.T) {
	d, _ := New(Schema{Format: Format{Type: "CSV"}, Columns: []Column{{"A", vc(4), ""}}})
	b := operators.NewBatch(d.Width(), 1)
	d.Decode(5, []byte("x"), Meta{Arrival: 4, PartitionKey: "pk", SequenceNumber: "9", ShardID: "s"}, b, nil)
	if got := string(operators.RowText(nil, b.Row(0))); got != "x,1970-01-01 00:00:00.004,pk,9,s" || b.Times[0] != 5 {
		t.Fatalf("row %q time %d", got, b.Times[0])
	}
	rows := d.DecodeTable([]byte("u1\nu2\n"), nil)
	if len(rows) != 2 || rows[1][0].S != "u2" || len(rows[1]) != 1 {
		t.Fatalf("table %v", rows)
	}
}

func TestBadMappings(t *testing.T) {
	for _, m := range []string{"a.b", "$.a[", "$.a[x]", "$..a"} {
		if _, err := New(Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"A", vc(4), m}}}); err == nil || !strings.Contains(err.Error(), "column A") {
			t.Errorf("%q: %v", m, err)
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	s := Schema{Format: Format{Type: "JSON"}, Columns: []Column{
		{"TICKER_SYMBOL", vc(8), "$.TICKER_SYMBOL"}, {"SECTOR", vc(16), "$.SECTOR"}, {"CHANGE", value.Double, "$.CHANGE"},
		{"PRICE", value.Double, "$.PRICE"}, {"VOLUME", value.Bigint, "$.VOLUME"}, {"EXCHANGE", vc(8), "$.EXCHANGE"}, {"TRADER", vc(16), "$.TRADER"}}}
	d, _ := New(s)
	data := []byte(fmt.Sprintf(`{"TICKER_SYMBOL":"T042","SECTOR":"TECHNOLOGY","CHANGE":-1.23,"PRICE":123.45,"VOLUME":4242,"EXCHANGE":"NASDAQ","TRADER":"trader-00042","NOTE":"recorded for the streamsql benchmark"}`))
	batch := operators.NewBatch(d.Width(), 1024)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if batch.Len() == 1024 {
			batch.Reset()
		}
		d.Decode(int64(i), data, Meta{Arrival: int64(i), ShardID: "shardId-000000000000"}, batch, nil)
	}
}

// FuzzDecodeJSON: every record that is not blank becomes rows or error
// rows, never nothing; every error row carries the record (or CSV line) it
// rejects and the record's ROWTIME.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[{"c":"x"}]}`,               // a flattened array
		`{"a":"1992-02-14"} [1]`,                // two documents, one not an object
		`{"a":2147483648}`,                      // out of range
		`{"a":"x","b":[]}`,                      // a conversion error, an empty array
		`{"a":1,"b":[{"c":"toolong"},{"c":1}]}`, // truncation, a number as text
		`{"a":1, "b"`,                           // invalid JSON
		"7,ab\n8,cd,extra\nx,y",                 // CSV rows, a bad field count, a bad number
		"",                                      // an empty record
	} {
		f.Add([]byte(s))
	}
	d, _ := New(Schema{Format: Format{Type: "JSON"}, Columns: []Column{
		{"A", value.Integer, "$.a"}, {"C", vc(4), "$.b[0:].c"}, {"T", value.Timestamp, "$.a"}}})
	c, _ := New(Schema{Format: Format{Type: "CSV"}, Columns: []Column{{"A", value.Integer, ""}, {"B", vc(2), ""}}})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dec := range []*Decoder{d, c} {
			b := operators.NewBatch(dec.Width(), 1)
			e := &operatortest.Errors{}
			n := dec.Decode(7, data, Meta{}, b, e)
			if n != b.Len() || len(b.Vals) != n*dec.Width() {
				t.Fatalf("%q: %d rows reported, %d in the batch of %d values", data, n, b.Len(), len(b.Vals))
			}
			if n == 0 && len(e.Recs) == 0 && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("%q: no row and no error row", data)
			}
			for _, r := range e.Recs {
				if r.DataRowtime != 7 || len(r.DataRow) == 0 || !bytes.Contains(data, r.DataRow) {
					t.Fatalf("%q: error row %+v does not carry its record", data, r)
				}
			}
		}
	})
}

// FuzzFlatMatchesGeneral checks the single-pass path against the general
// gjson path: same rows, same errors, for any input.
func FuzzFlatMatchesGeneral(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x","c":true}`, `{"a":1.5}`, `{"a":"2"} {"a":3}`, `{"b":"\u00e9\"","a":-0.5e3}`,
		`{"a":1,"a":2}`, `{"n":{"x":[1,2]},"a":null}`, `{"a":01}`, `{"a":1,}`, `  {}  `, `{"a":"x`,
		`{"a":1e300}`, `{"a":1e400}`, `{"x":-1e999,"a":1}`, `{"a":-12.5E-3,"c":1}`, `{"c":0,"b":"long text, no escape","a":7}`,
		`{"b":"0123456789abc\"def","a":1}`, "{\"b\":\"0123456789\x01abc\"}", `{"b":"01234567\\","a":2}`} {
		f.Add([]byte(s))
	}
	schema := Schema{Format: Format{Type: "JSON", RecordRowPath: "$"}, Columns: []Column{
		{"A", value.Double, "$.a"}, {"B", vc(4), "$.b"}, {"C", value.Boolean, "$.c"}, {"N", vc(20), "$.n"}}}
	fast, _ := New(schema)
	slow, _ := New(schema)
	slow.topLevel = nil
	if fast.topLevel == nil {
		f.Fatal("the fast path is not in use")
	}
	run := func(d *Decoder, data []byte) string {
		b := operators.NewBatch(d.Width(), 2)
		e := &operatortest.Errors{}
		d.Decode(1, data, Meta{}, b, e)
		var out []string
		for i := 0; i < b.Len(); i++ {
			out = append(out, string(operators.RowText(nil, b.Row(i))))
		}
		for _, r := range e.Recs {
			out = append(out, "error:"+r.Name)
		}
		return strings.Join(out, "|")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if a, b := run(fast, data), run(slow, data); a != b {
			t.Fatalf("input %q\nfast    %s\ngeneral %s", data, a, b)
		}
	})
}

// TestReusedPayload: a Reused decoder's rows and its guesses at the next
// record's keys own their bytes, so the caller may write the payload over
// with the next record (as the parallel replay's arenas do).
func TestReusedPayload(t *testing.T) {
	d, err := New(Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"A", vc(8), "$.A"}, {"B", vc(8), "$.B"}}})
	if err != nil {
		t.Fatal(err)
	}
	d.Reused = true
	b := operators.NewBatch(d.Width(), 4)
	buf := []byte(`{"A":"a1","B":"b1"}`)
	pk := []byte("pk1")
	d.Decode(1, buf, Meta{PartitionKey: unsafe.String(&pk[0], len(pk))}, b, nil)
	copy(buf, `{"B":"b2","A":"a2"}`) // the same length, the keys swapped
	copy(pk, "pk2")
	d.Decode(2, buf, Meta{PartitionKey: unsafe.String(&pk[0], len(pk))}, b, nil)
	var got []string
	for i := 0; i < b.Len(); i++ {
		got = append(got, string(operators.RowText(nil, b.Row(i))))
	}
	if want := []string{"a1,b1,1970-01-01 00:00:00.000,pk1,,", "a2,b2,1970-01-01 00:00:00.000,pk2,,"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

// TestNumberBeyondDouble: a number past float64's range is valid JSON on
// the single-pass path too (semantics 119): ±Infinity for DOUBLE and REAL,
// the text for VARCHAR, an error naming the column for an integer.
func TestNumberBeyondDouble(t *testing.T) {
	d, err := New(Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"A", value.Double, "$.A"}, {"B", real, "$.B"}, {"C", vc(8), "$.C"}}})
	if err != nil || d.topLevel == nil {
		t.Fatal(err)
	}
	b := operators.NewBatch(d.Width(), 2)
	e := &operatortest.Errors{}
	d.Decode(1, []byte(`{"A":1e400,"B":-2E+999,"C":1e400,"D":9e9999}`), Meta{}, b, e)
	if b.Len() != 1 || len(e.Recs) != 0 {
		t.Fatalf("%d rows, errors %+v", b.Len(), e.Recs)
	}
	if got := string(operators.RowText(nil, b.Row(0)[:3])); got != "Infinity,-Infinity,1e400" {
		t.Errorf("row %q", got)
	}
	i, _ := New(Schema{Format: Format{Type: "JSON"}, Columns: []Column{{"N", value.Bigint, "$.N"}}})
	i.Decode(1, []byte(`{"N":1e400}`), Meta{}, b, e)
	if len(e.Recs) != 1 || !strings.Contains(e.Recs[0].Message, "N: 1e400 does not fit BIGINT") {
		t.Errorf("errors %+v", e.Recs)
	}
}
