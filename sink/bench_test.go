package sink

import (
	"fmt"
	"io"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// slidingRows is a batch shaped like bench/shapes/sliding.sql's output:
// a short ASCII trader name, a price with two decimals, and an average
// that needs all seventeen digits.
func slidingRows(n int) *operators.Batch {
	b := operators.NewBatch(3, n)
	for i := range n {
		price := float64(5000+i%997) / 100
		b.Append(1767607200000+int64(i), []value.Value{
			value.NewString(fmt.Sprintf("trader-%05d", i%10000)),
			value.NewFloat(price),
			value.NewFloat(price + float64(i%7)/3),
		})
	}
	return b
}

// BenchmarkJSONWriterRows is the NDJSON sink writing one-row-per-record
// output (the sliding shape) to a discarding writer: key, string, float
// formatting and the buffered write, per row.
func BenchmarkJSONWriterRows(b *testing.B) {
	cols := []Column{
		{"TRADER", value.Type{Base: value.TVarchar, Len: 16}},
		{"PRICE", value.Double},
		{"AVG_PRICE", value.Double},
	}
	rows := slidingRows(1024)
	w := New(NDJSON, io.Discard, cols, false)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.Push(rows)
	}
	b.StopTimer()
	w.Advance(operators.EndOfTime)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows.Len()), "ns/row")
}
