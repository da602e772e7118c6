package operators

import (
	"fmt"
	"math"

	"github.com/streamsql/streamsql/value"
)

// Emitter is the collector an operator emits into: rows are grown in place
// in one reused batch, Flush hands them downstream, and Advance flushes and
// forwards a bound. It keeps the contract of Operator for the operator that
// owns it: a row below the bound already forwarded (or below a row already
// emitted) is a bug in that operator and panics at the row that breaks it,
// rather than reaching a window downstream as a silently late row; a bound
// at or below the last one forwarded is not passed on again.
type Emitter struct {
	out   Operator
	batch *Batch
	bound int64 // last bound forwarded
	floor int64 // max(bound, ROWTIME of the last row emitted)
	rows  int64
}

// NewEmitter returns an emitter of rows of the given width into out.
func NewEmitter(out Operator, width int) *Emitter {
	return &Emitter{out: out, batch: NewBatch(width, 64), bound: math.MinInt64, floor: math.MinInt64}
}

// Grow adds a zeroed row with ROWTIME t and returns it for filling in place.
func (e *Emitter) Grow(t int64) []value.Value {
	e.check(t)
	return e.batch.Grow(t)
}

// Append copies row in with ROWTIME t.
func (e *Emitter) Append(t int64, row []value.Value) {
	e.check(t)
	e.batch.Append(t, row)
}

// check is inlined into Grow and Append (called for every row emitted);
// below is the rare path.
func (e *Emitter) check(t int64) {
	if t < e.floor {
		e.below(t)
	}
	e.floor = t
}

func (e *Emitter) below(t int64) {
	what := "the last row emitted"
	if t < e.bound {
		what = "the bound already forwarded"
	}
	panic(fmt.Sprintf("operators: row at ROWTIME %d emitted below %s (%d)", t, what, e.floor))
}

// Len is the number of rows waiting to be flushed.
func (e *Emitter) Len() int { return e.batch.Len() }

// Truncate drops the waiting rows from rows on (a row grown and then
// rejected, for instance by a failed evaluation).
func (e *Emitter) Truncate(rows int) {
	e.batch.Truncate(rows)
	e.floor = e.bound
	if rows > 0 {
		e.floor = max(e.bound, e.batch.Times[rows-1])
	}
}

// Flush pushes the waiting rows downstream.
func (e *Emitter) Flush() {
	if e.batch.Len() > 0 {
		e.rows += int64(e.batch.Len())
		e.out.Push(e.batch)
		e.batch.Reset()
	}
}

// Advance flushes the waiting rows, then forwards bound t unless a bound at
// or above it has already been forwarded.
func (e *Emitter) Advance(t int64) {
	e.Flush()
	if t > e.bound {
		e.bound = t
		e.floor = max(e.floor, t)
		e.out.Advance(t)
	}
}

// Bound is the last bound forwarded (math.MinInt64 before the first).
func (e *Emitter) Bound() int64 { return e.bound }

// Rows is how many rows have been pushed downstream.
func (e *Emitter) Rows() int64 { return e.rows }

// Forward passes a whole batch on as it is (after the waiting rows), for an
// operator that leaves rows untouched.
func (e *Emitter) Forward(b *Batch) {
	if b.Len() == 0 {
		return
	}
	e.Flush()
	e.check(b.Times[0])
	e.floor = b.Times[b.Len()-1]
	e.rows += int64(b.Len())
	e.out.Push(b)
}

// emitterFor returns *e, first creating it into out for rows of the given
// width: for operators that learn their width from the first batch. A
// width of 0 (a bound before any row) is fixed by the first row. rows is
// the size of the batch at hand: an empty batch smaller than that is
// replaced by one of that size, so a big batch is not copied over and
// over while the emitter's batch grows row by row.
func emitterFor(e **Emitter, out Operator, width, rows int) *Emitter {
	if *e == nil {
		*e = NewEmitter(out, width)
	}
	b := (*e).batch
	if width > 0 && b.Width != width {
		(*e).Flush()
		(*e).batch = NewBatch(width, max(rows, 64))
	} else if rows > cap(b.Times) && b.Len() == 0 {
		(*e).batch = NewBatch(b.Width, rows)
	}
	return *e
}
