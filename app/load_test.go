package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadInlineCodeWarnsAndFindsTheSQLLine(t *testing.T) {
	a, warnings, err := Load("testdata/inline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a.CodeLine != 3 || !strings.HasPrefix(a.ApplicationCode, "CREATE STREAM") {
		t.Fatalf("code line %d, code %q", a.CodeLine, a.ApplicationCode)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "Inputs[0].InputSchema.RecordColumns[0].Colour: unknown field (line 9)") {
		t.Fatalf("warnings = %v", warnings)
	}
	if a.Inputs[0].Parallelism() != 1 || a.Dir != "testdata" {
		t.Fatalf("parallelism %d dir %q", a.Inputs[0].Parallelism(), a.Dir)
	}
}

func TestLoadExamples(t *testing.T) {
	for _, name := range []string{"spend", "news", "filter", "tickers", "hotspots", "distinct-bidders"} {
		a, warnings, err := Load(filepath.Join("..", "examples", name, "app.yaml"))
		if err != nil || len(warnings) > 0 {
			t.Errorf("%s: %v %v", name, err, warnings)
			continue
		}
		if a.CodeLine != 1 || !strings.HasSuffix(a.CodePath, "app.sql") || a.ApplicationCode == "" {
			t.Errorf("%s: code from %s:%d", name, a.CodePath, a.CodeLine)
		}
	}
}

func TestLoadErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		`{"ApplicationName": "x"}`: "ApplicationCode: missing",
		`{"ApplicationName": "x", "ApplicationCode": "x", "Inputs": [{"NamePrefix": "S", "InputSchema": {"RecordFormat": {"RecordFormatType": "XML"}, "RecordColumns": [{"Name":"a","SqlType":"INT"}]}}]}`:                                    `Inputs[0].InputSchema.RecordFormat.RecordFormatType: "XML" is not JSON or CSV`,
		`{"ApplicationName": "x", "ApplicationCode": "x", "Inputs": [{"NamePrefix": "S", "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON"}, "RecordColumns": [{"Name":"a","SqlType":"INT"}]}}]}`:                                   `RecordColumns[0].Mapping: a JSON column needs a JSONPath mapping`,
		`{"ApplicationName": "x", "ApplicationCode": "x", "Inputs": [{"NamePrefix": "S", "InputParallelism": {"Count": 65}, "InputSchema": {"RecordFormat": {"RecordFormatType": "CSV"}, "RecordColumns": [{"Name":"a","SqlType":"INT"}]}}]}`: `InputParallelism.Count: 65 is outside 1..64`,
		"{\"ApplicationName\": \"x\",\n  \"ApplicationCode\": }": "2:22",
	}
	for src, want := range tests {
		p := filepath.Join(dir, "app.json")
		os.WriteFile(p, []byte(src), 0o644)
		_, _, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s\n  error %v, want %q", src, err, want)
		}
	}
}

func TestFromSQL(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "q.sql"), []byte("SELECT STREAM * FROM SOURCE_SQL_STREAM_001"), 0o644)
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("RecordFormat: {RecordFormatType: CSV}\nRecordColumns: [{Name: A, SqlType: INTEGER}]\n"), 0o644)
	a, err := FromSQL(filepath.Join(dir, "q.sql"), filepath.Join(dir, "s.yaml"))
	if err != nil || len(a.Inputs) != 1 || a.Inputs[0].InputSchema.RecordColumns[0].Name != "A" {
		t.Fatalf("%+v %v", a, err)
	}
}
