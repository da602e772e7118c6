package reference

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// A CSV or JSON object saved with a UTF-8 byte order mark (as Excel saves
// "CSV UTF-8") reads its first key without the mark.
func TestLoadSkipsUTF8ByteOrderMark(t *testing.T) {
	cols := []decode.Column{{Name: "K", Type: value.Type{Base: value.TVarchar, Len: 8}, Mapping: "$.k"},
		{Name: "N", Type: value.Integer, Mapping: "$.n"}}
	for _, tt := range []struct{ format, src string }{
		{"CSV", "\ufeffu1,3\nu2,4\n"},
		{"JSON", "\ufeff{\"k\":\"u1\",\"n\":3}\n{\"k\":\"u2\",\"n\":4}"},
	} {
		e := &operatortest.Errors{}
		tb, err := Load("t", strings.NewReader(tt.src), decode.Schema{Format: decode.Format{Type: tt.format, RecordRowPath: "$"}, Columns: cols}, e)
		if err != nil || len(tb.Rows) != 2 || len(e.Recs) != 0 || tb.Rows[0][0].S != "u1" || tb.Rows[0][1].I != 3 {
			t.Errorf("%s: %+v %v errors %+v", tt.format, tb, err, e.Recs)
		}
	}
}
