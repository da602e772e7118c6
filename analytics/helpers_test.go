package analytics

import (
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// collect is a downstream operator that keeps everything it receives.
type collect struct {
	rows   [][]value.Value
	times  []int64
	bounds []int64
}

func (c *collect) Push(b *operators.Batch) {
	for i := 0; i < b.Len(); i++ {
		c.rows = append(c.rows, append([]value.Value(nil), b.Row(i)...))
		c.times = append(c.times, b.Times[i])
	}
}
func (c *collect) Advance(t int64) { c.bounds = append(c.bounds, t) }

// count discards rows, counting them (benchmarks).
type count struct{ n int }

func (c *count) Push(b *operators.Batch) { c.n += b.Len() }
func (c *count) Advance(int64)           {}

type errSink struct{ recs []operators.ErrorRecord }

func (e *errSink) Error(r operators.ErrorRecord) { e.recs = append(e.recs, r) }

// feed pushes rows in batches of n.
func feed(op operators.Operator, width int, times []int64, rows [][]value.Value, n int) {
	b := operators.NewBatch(width, n)
	for i := range rows {
		b.Append(times[i], rows[i])
		if b.Len() == n {
			op.Push(b)
			b.Reset()
		}
	}
	if b.Len() > 0 {
		op.Push(b)
	}
}
