// Package operators holds the streaming operators: batches of rows in,
// batches out, with ROWTIME bounds flowing alongside. Operators know nothing
// of SQL text; the planner wires them with compiled eval.Funcs.
package operators

import (
	"math"

	"github.com/streamsql/streamsql/value"
)

// EndOfTime is the bound that ends a finite input: every window closes.
const EndOfTime int64 = math.MaxInt64

// Batch is a run of rows stored flat: row i is Vals[i*Width:(i+1)*Width]
// and its ROWTIME is Times[i]. One allocation serves the whole batch and is
// reused after Reset.
type Batch struct {
	Width int
	Vals  []value.Value
	Times []int64
}

// NewBatch returns an empty batch for rows of the given width.
func NewBatch(width, capRows int) *Batch {
	return &Batch{Width: width, Vals: make([]value.Value, 0, width*capRows), Times: make([]int64, 0, capRows)}
}

// Len is the number of rows.
func (b *Batch) Len() int { return len(b.Times) }

// Row returns row i (aliasing the batch's storage).
func (b *Batch) Row(i int) []value.Value { return b.Vals[i*b.Width : (i+1)*b.Width : (i+1)*b.Width] }

// Append copies row in with ROWTIME t.
func (b *Batch) Append(t int64, row []value.Value) {
	b.Times = append(b.Times, t)
	b.Vals = append(b.Vals, row...)
}

// Grow adds one zeroed row with ROWTIME t and returns it for filling in place.
// The storage past len(Vals) is always zero (Reset and Truncate clear what
// they drop), so a row within capacity is taken without writing anything.
func (b *Batch) Grow(t int64) []value.Value {
	b.Times = append(b.Times, t)
	n := len(b.Vals)
	if n+b.Width <= cap(b.Vals) {
		b.Vals = b.Vals[:n+b.Width]
	} else {
		b.Vals = append(b.Vals, make([]value.Value, b.Width)...)
	}
	return b.Vals[n : n+b.Width : n+b.Width]
}

// Truncate drops the rows from rows on (used when a just-grown row is
// rejected), clearing their storage.
func (b *Batch) Truncate(rows int) {
	b.Times = b.Times[:rows]
	clear(b.Vals[rows*b.Width:])
	b.Vals = b.Vals[:rows*b.Width]
}

// Reset empties the batch, keeping its storage.
func (b *Batch) Reset() {
	clear(b.Vals)
	b.Vals = b.Vals[:0]
	b.Times = b.Times[:0]
}

// Operator consumes rows and time bounds.
//
// Push receives rows in non-decreasing ROWTIME order; the callee must not
// keep b or its rows after returning (copy what it needs). Advance(t) is a
// rowtime bound: no row with ROWTIME < t will be pushed after it. An
// operator that emits rows downstream must never emit a row with ROWTIME
// below a bound it has already forwarded. Advance(EndOfTime) ends the input.
type Operator interface {
	Push(b *Batch)
	Advance(t int64)
}

// ErrorRecord is one row of error_stream.
type ErrorRecord struct {
	Time        int64  // ERROR_TIME
	Level       string // ERROR_LEVEL
	Name        string // ERROR_NAME
	Message     string // MESSAGE
	DataRowtime int64  // DATA_ROWTIME
	DataRow     []byte // DATA_ROW, raw bytes (hex-encoded on output)
	Pump        string // PUMP_NAME
}

// ErrorSink receives rows that could not be processed. Nothing is dropped
// silently: every rejected record or row becomes an ErrorRecord.
type ErrorSink interface {
	Error(e ErrorRecord)
}
