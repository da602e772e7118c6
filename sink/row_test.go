package sink

import (
	"bytes"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// AppendRow gives the same bytes as the line writers, without the newline.
func TestAppendRowMatchesWriters(t *testing.T) {
	cols := []Column{{"NAME", value.Type{Base: value.TVarchar, Len: 20}}, {"N", value.Type{Base: value.TInteger}}}
	row := []value.Value{value.NewString("a, \"b\"\nc"), value.NewInt(7)}
	for _, f := range []Format{NDJSON, CSV} {
		var w bytes.Buffer
		op := New(f, &w, cols, false)
		b := operators.NewBatch(2, 1)
		b.Append(0, row)
		op.Push(b)
		op.Advance(0)
		got := AppendRow(nil, f, row, cols)
		if string(got)+"\n" != w.String() {
			t.Errorf("format %d: AppendRow %q, writer %q", f, got, w.String())
		}
	}
}
