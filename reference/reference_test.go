package reference

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

func TestLoadCSVAndJSON(t *testing.T) {
	cols := []decode.Column{{Name: "USER_ID", Type: value.Type{Base: value.TVarchar, Len: 8}, Mapping: "$.id"},
		{Name: "SEGMENT", Type: value.Integer, Mapping: "$.seg"}}
	e := &operatortest.Errors{}
	tb, err := Load("users", strings.NewReader("u1,3\nu2,x\nu3,4\n"), decode.Schema{Format: decode.Format{Type: "CSV"}, Columns: cols}, e)
	if err != nil || len(tb.Rows) != 2 || len(e.Recs) != 1 || tb.Rows[1][1].I != 4 {
		t.Fatalf("csv: %+v %v errors %d", tb, err, len(e.Recs))
	}
	tb, err = Load("users", strings.NewReader(`{"id":"u1","seg":1}
{"id":"u2","seg":2}`), decode.Schema{Format: decode.Format{Type: "JSON", RecordRowPath: "$"}, Columns: cols}, e)
	if err != nil || len(tb.Rows) != 2 || tb.Rows[1][0].S != "u2" {
		t.Fatalf("json: %+v %v", tb, err)
	}
	if _, err := LoadFile("users", "does-not-exist.csv", decode.Schema{Format: decode.Format{Type: "CSV"}, Columns: cols}, e); err == nil {
		t.Fatal("missing file loaded")
	}
}
