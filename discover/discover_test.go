package discover

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/app"
)

func TestNamesFollowKDARules(t *testing.T) {
	in := []string{"USER", "USER@DOMAIN", "@@", "year", "month", "ticker", "1st", "Col_A", strings.Repeat("x", 120), "a b", "ab", "##"}
	want := []string{"COL_USER", "COL_USERDOMAIN", "COL_0", "COL_year", "COL_month", "ticker", "COL_1st", "Col_A", "COL_" + strings.Repeat("x", 96), "COL_ab", "ab", "COL_1"}
	if got := Names(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Names:\n got %q\nwant %q", got, want)
	}
	if got := Names([]string{"a", "A", "a"}); !reflect.DeepEqual(got, []string{"a", "A_2", "a_3"}) {
		t.Errorf("duplicates: %q", got)
	}
}

// The S3 example of the developer guide: a CSV file with a header, CRLF
// rows; the header row is parsed as data with NULLs for numeric columns.
func TestCSVWithHeader(t *testing.T) {
	data := "year,month,state,producer_type,energy_source,units,consumption\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Petroleum,Barrels,2039\r\n"
	res, err := Infer([][]byte{[]byte(data)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.InputSchema
	if s.RecordFormat.RecordFormatType != "CSV" || s.RecordFormat.MappingParameters.CSVMappingParameters.RecordRowDelimiter != "\r\n" ||
		s.RecordFormat.MappingParameters.CSVMappingParameters.RecordColumnDelimiter != "," {
		t.Errorf("format %+v %+v", s.RecordFormat, s.RecordFormat.MappingParameters.CSVMappingParameters)
	}
	got := columns(s)
	want := "COL_year INTEGER, COL_month INTEGER, state VARCHAR(4), producer_type VARCHAR(64), energy_source VARCHAR(16), units VARCHAR(16), consumption INTEGER"
	if got != want {
		t.Errorf("columns\n got %s\nwant %s", got, want)
	}
	if len(res.ParsedInputRecords) != 3 || res.ParsedInputRecords[0][0] != nil || *res.ParsedInputRecords[0][2] != "state" || *res.ParsedInputRecords[1][6] != "47615" {
		t.Errorf("parsed %v", res.ParsedInputRecords)
	}
}

func TestCSVWithoutHeader(t *testing.T) {
	recs := [][]byte{[]byte("u001;F;4\n"), []byte("u002;M;12\nu003;F;-3")}
	res, err := Infer(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := columns(res.InputSchema); got != "COL1 VARCHAR(4), COL2 VARCHAR(4), COL3 INTEGER" {
		t.Errorf("columns %s", got)
	}
	if d := res.InputSchema.RecordFormat.MappingParameters.CSVMappingParameters; d.RecordColumnDelimiter != ";" || d.RecordRowDelimiter != "\n" {
		t.Errorf("delimiters %+v", d)
	}
	if len(res.ParsedInputRecords) != 3 {
		t.Errorf("parsed %d rows", len(res.ParsedInputRecords))
	}
	// Forced header.
	res, _ = Infer(recs, Options{Header: 1})
	if got := columns(res.InputSchema); got != "u001 VARCHAR(4), F VARCHAR(4), COL_4 INTEGER" {
		t.Errorf("forced header: %s", got)
	}
}

func TestJSONTypesAndPaths(t *testing.T) {
	recs := [][]byte{
		[]byte(`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51,"HEARTRATE":72,"VOLUME":3000000000,"ok":true,"at":"2026-01-05 10:00:00.123","DEVICE":{"os":"ios","ver":{"major":17}},"tags":["a","b"],"USER":"u1","x y":1}`),
		[]byte(`{"TICKER_SYMBOL":"AMZN","SECTOR":"RETAIL","CHANGE":3,"PRICE":900,"HEARTRATE":120,"VOLUME":1,"ok":false,"at":"2026-01-05 10:00:01","DEVICE":{"os":"android-long-name"},"tags":[],"USER":null,"mixed":1}{"mixed":"text","TICKER_SYMBOL":"B"}`),
	}
	res, err := Infer(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range res.InputSchema.RecordColumns {
		got[c.Name] = c.Mapping + " " + c.SqlType
	}
	want := map[string]string{
		"TICKER_SYMBOL": "$.TICKER_SYMBOL VARCHAR(4)",
		"SECTOR":        "$.SECTOR VARCHAR(16)",
		"CHANGE":        "$.CHANGE REAL",
		"PRICE":         "$.PRICE REAL",
		"HEARTRATE":     "$.HEARTRATE TINYINT",
		"VOLUME":        "$.VOLUME BIGINT",
		"ok":            "$.ok BOOLEAN",
		"COL_at":        "$.at TIMESTAMP", // AT is reserved
		"os":            "$.DEVICE.os VARCHAR(64)",
		"major":         "$.DEVICE.ver.major TINYINT",
		"tags":          "$.tags[0:] VARCHAR(16)",
		"COL_USER":      "$.USER VARCHAR(4)",
		"COL_xy":        "$['x y'] TINYINT",
		"mixed":         "$.mixed VARCHAR(4)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns\n got %v\nwant %v", got, want)
	}
	if n := len(res.ParsedInputRecords); n != 3 {
		t.Errorf("%d parsed rows, want 3 (two documents in the second record)", n)
	}
	if res.InputSchema.RecordFormat.MappingParameters.JSONMappingParameters.RecordRowPath != "$" {
		t.Errorf("row path")
	}
}

func TestJSONNameClash(t *testing.T) {
	res, err := Infer([][]byte{[]byte(`{"a":{"id":1},"b":{"id":2},"id":3}`)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := columns(res.InputSchema); got != "a_id TINYINT, b_id TINYINT, id TINYINT" {
		t.Errorf("columns %s", got)
	}
}

func TestUnableToDetect(t *testing.T) {
	for _, recs := range [][][]byte{nil, {[]byte("  ")}, {[]byte(`{"a":1}`), []byte(`[1,2]`)}, {[]byte(`{}`)}} {
		if _, err := Infer(recs, Options{Format: formatOf(recs)}); !errors.Is(err, ErrUnableToDetect) {
			t.Errorf("%q: %v", recs, err)
		}
	}
}

func formatOf(recs [][]byte) string {
	if len(recs) > 0 && strings.HasPrefix(string(recs[0]), "{") {
		return "JSON"
	}
	return ""
}

func columns(s app.SourceSchema) string {
	var parts []string
	for _, c := range s.RecordColumns {
		parts = append(parts, c.Name+" "+c.SqlType)
	}
	return strings.Join(parts, ", ")
}

func BenchmarkInferJSON(b *testing.B) {
	var recs [][]byte
	for i := 0; i < 1000; i++ {
		recs = append(recs, []byte(`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51,"DEVICE":{"os":"ios"}}`))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Infer(recs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Records that are JSON arrays of objects (a producer batching rows) give
// the RecordRowPath $[0:], where the decoder reads each element as a row;
// an object record among them is one row there too.
func TestJSONArrayRecords(t *testing.T) {
	recs := [][]byte{[]byte(`[{"x":"a","n":1},{"x":"bb","n":300}]`), []byte(` [ {"x":"c"} ]`), []byte(`{"x":"d","n":2}`)}
	res, err := Infer(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.InputSchema
	if s.RecordFormat.RecordFormatType != "JSON" || s.RecordFormat.MappingParameters.JSONMappingParameters.RecordRowPath != "$[0:]" {
		t.Fatalf("format %+v", s.RecordFormat.MappingParameters)
	}
	if got := columns(s); got != "x VARCHAR(4), n SMALLINT" {
		t.Errorf("columns %s", got)
	}
	if len(res.ParsedInputRecords) != 4 || *res.ParsedInputRecords[1][1] != "300" || res.ParsedInputRecords[2][1] != nil {
		t.Errorf("parsed %v", res.ParsedInputRecords)
	}
	if _, err := Infer([][]byte{[]byte(`[{"x":"a"}, 5]`)}, Options{}); !errors.Is(err, ErrUnableToDetect) {
		t.Errorf("an element that is not an object: %v", err)
	}
}
