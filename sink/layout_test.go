package sink

import (
	"bytes"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// TestJSONLayouts: every combination of a STREAM label, ROWTIME and
// columns (none or two) gives one well-formed object.
func TestJSONLayouts(t *testing.T) {
	two := []Column{{"A", value.Type{Base: value.TBigint}}, {"B", value.Type{Base: value.TVarchar, Len: 4}}}
	ts := `"ROWTIME":"2026-01-05 10:00:00.000"`
	for _, tt := range []struct {
		stream  string
		rowtime bool
		cols    []Column
		want    string
	}{
		{"", false, nil, `{}`},
		{"", true, nil, `{` + ts + `}`},
		{"", false, two, `{"A":1,"B":"x"}`},
		{"", true, two, `{` + ts + `,"A":1,"B":"x"}`},
		{"S", false, nil, `{"STREAM":"S"}`},
		{"S", true, nil, `{"STREAM":"S",` + ts + `}`},
		{"S", false, two, `{"STREAM":"S","A":1,"B":"x"}`},
		{"S", true, two, `{"STREAM":"S",` + ts + `,"A":1,"B":"x"}`},
	} {
		var out bytes.Buffer
		w := NewLabeled(NDJSON, &out, tt.cols, tt.rowtime, tt.stream)
		b := operators.NewBatch(2, 1)
		b.Append(1767607200000, []value.Value{value.NewInt(1), value.NewString("x")})
		w.Push(b)
		w.Advance(operators.EndOfTime)
		if got := out.String(); got != tt.want+"\n" {
			t.Errorf("stream %q, rowtime %v, %d columns: got %s, want %s", tt.stream, tt.rowtime, len(tt.cols), got, tt.want)
		}
	}
}

// TestJSONRowsLongerThanTheBuffer: rows from a few bytes to twice the
// writer's buffer, in every order, come out whole and in order.
func TestJSONRowsLongerThanTheBuffer(t *testing.T) {
	cols := []Column{{"S", value.Type{Base: value.TVarchar}}}
	sizes := []int{3, 70000, 10, 140000, 5, 65000, 65536, 1, 30000, 40000}
	b := operators.NewBatch(1, len(sizes))
	var want bytes.Buffer
	for i, n := range sizes {
		s := strings.Repeat(string(rune('a'+i)), n)
		b.Append(int64(i), []value.Value{value.NewString(s)})
		want.WriteString(`{"S":"` + s + "\"}\n")
	}
	var out bytes.Buffer
	w := New(NDJSON, &out, cols, false)
	w.Push(b)
	w.Push(b)
	w.Advance(operators.EndOfTime)
	if got, want := out.String(), want.String()+want.String(); got != want {
		t.Fatalf("got %d bytes, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
