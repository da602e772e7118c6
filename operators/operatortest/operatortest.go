// Package operatortest is the kit for testing streaming operators: a
// capture that keeps what an operator emits and fails the test when the
// operator breaks the contract of operators.Operator, an error sink, a
// counting sink for benchmarks and a feeder that pushes rows in batches.
package operatortest

import (
	"fmt"
	"math"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Capture is a downstream operator that keeps every row and bound it
// receives and checks the contract on each: ROWTIMEs never go back, no row
// falls below a bound already forwarded, bounds never go back, nothing
// arrives after the end (operators.EndOfTime), every batch has the width of
// the first and holds exactly Width values per row. A break fails T (when
// set) and is recorded in Broken.
type Capture struct {
	T      testing.TB
	Times  []int64
	Rows   [][]value.Value
	Bounds []int64
	Broken []string

	last, bound int64
	width       int
}

// NewCapture returns a capture failing t on a contract break; t may be nil
// to only record breaks in Broken.
func NewCapture(t testing.TB) *Capture {
	return &Capture{T: t, last: math.MinInt64, bound: math.MinInt64, width: -1}
}

func (c *Capture) breaks(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.Broken = append(c.Broken, msg)
	if c.T != nil {
		c.T.Helper()
		c.T.Errorf("operator contract: %s", msg)
	}
}

// Push keeps copies of b's rows (the operator may reuse b afterwards).
func (c *Capture) Push(b *operators.Batch) {
	if c.width < 0 {
		c.width = b.Width
	} else if b.Width != c.width {
		c.breaks("batch of width %d after batches of width %d", b.Width, c.width)
	}
	if len(b.Vals) != b.Width*len(b.Times) {
		c.breaks("batch holds %d values for %d rows of width %d", len(b.Vals), len(b.Times), b.Width)
		return
	}
	for i := 0; i < b.Len(); i++ {
		t := b.Times[i]
		switch {
		case c.bound == operators.EndOfTime:
			c.breaks("row at %d after the end of input", t)
		case t < c.bound:
			c.breaks("row at %d below the bound %d already forwarded", t, c.bound)
		case t < c.last:
			c.breaks("ROWTIME went back: %d after %d", t, c.last)
		}
		c.last = max(c.last, t)
		c.Times = append(c.Times, t)
		c.Rows = append(c.Rows, append([]value.Value(nil), b.Row(i)...))
	}
}

// Advance records bound t.
func (c *Capture) Advance(t int64) {
	switch {
	case c.bound == operators.EndOfTime:
		c.breaks("bound %d after the end of input", t)
	case t < c.bound:
		c.breaks("bound went back: %d after %d", t, c.bound)
	}
	c.bound = max(c.bound, t)
	c.Bounds = append(c.Bounds, t)
}

// Ended reports whether the end of input has been forwarded.
func (c *Capture) Ended() bool { return c.bound == operators.EndOfTime }

// Len is the number of rows received.
func (c *Capture) Len() int { return len(c.Times) }

// Lines renders each row as "ROWTIME:values" (values as in error_stream's
// DATA_ROW: comma-separated SQL text, NULL empty).
func (c *Capture) Lines() []string {
	out := make([]string, len(c.Times))
	for i, t := range c.Times {
		out[i] = fmt.Sprintf("%d:%s", t, operators.RowText(nil, c.Rows[i]))
	}
	return out
}

// Reset forgets the rows and bounds received, keeping the contract state
// (the bound, the last ROWTIME) so that later rows are still checked.
func (c *Capture) Reset() {
	c.Times, c.Rows, c.Bounds = nil, nil, nil
}

// Errors is an error sink keeping every record.
type Errors struct{ Recs []operators.ErrorRecord }

// Error keeps r.
func (e *Errors) Error(r operators.ErrorRecord) { e.Recs = append(e.Recs, r) }

// Count is a sink for benchmarks: it counts rows and checks nothing.
type Count struct{ Rows int }

// Push counts b's rows.
func (c *Count) Push(b *operators.Batch) { c.Rows += b.Len() }

// Advance does nothing.
func (c *Count) Advance(int64) {}

// Feed pushes rows (ROWTIME times[i]) into op in batches of n rows.
func Feed(op operators.Operator, width int, times []int64, rows [][]value.Value, n int) {
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
