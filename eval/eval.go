// Package eval defines compiled expressions: closures over a flat row.
//
// The planner compiles SQL expressions into Funcs once; operators call them
// per row and know nothing of SQL text.
package eval

import "github.com/streamsql/streamsql/value"

// Ctx carries per-evaluation state. Evaluating a row never returns an error
// value: a failing expression records the first error in Ctx.Err and returns
// NULL, and the operator checks Err once per row (cheap on the hot path).
type Ctx struct {
	Err error
	// Rowtime is the ROWTIME of the row being produced (unqualified ROWTIME).
	Rowtime int64
	// QueryStart fixes CURRENT_TIMESTAMP and friends for the life of a pump.
	QueryStart int64
	// Now returns wall-clock milliseconds for CURRENT_ROW_TIMESTAMP.
	Now func() int64
	// Replay, when set, replaces both clocks by the replay's time, so that
	// two replays of one recording give the same bytes.
	Replay *ReplayClock
}

// ReplayClock is a replay's time: the arrival time of the record being
// read. The query "starts" when the first record arrives, so
// CURRENT_TIMESTAMP and friends read that record's arrival time, and
// CURRENT_ROW_TIMESTAMP reads the ROWTIME of the row being produced (the
// replay's time when that row comes out).
type ReplayClock struct {
	start   int64
	started bool
}

// Observe records the arrival time of a record read; the first one fixes
// the query's start.
func (r *ReplayClock) Observe(t int64) {
	if !r.started {
		r.start, r.started = t, true
	}
}

// QueryTime is the time CURRENT_TIMESTAMP and friends return.
func (c *Ctx) QueryTime() int64 {
	if c.Replay != nil {
		return c.Replay.start
	}
	return c.QueryStart
}

// RowTime is the time CURRENT_ROW_TIMESTAMP returns for the row being
// produced.
func (c *Ctx) RowTime() int64 {
	switch {
	case c.Replay != nil:
		return c.Rowtime
	case c.Now != nil:
		return c.Now()
	}
	return c.QueryStart
}

// Fail records err as the row's error unless one is already recorded.
func (c *Ctx) Fail(err error) {
	if c.Err == nil {
		c.Err = err
	}
}

// Func evaluates an expression over one row.
type Func func(c *Ctx, row []value.Value) value.Value

// RowError is a runtime error attributable to one row. Name becomes the
// error_stream ERROR_NAME column.
type RowError struct {
	Name string
	Msg  string
}

func (e *RowError) Error() string { return e.Msg }

// Error names used on error_stream.
const (
	ErrArithmetic = "ArithmeticException"
	ErrConversion = "Type conversion error"
	ErrParse      = "Parse error"
	ErrOrder      = "Out of order row"
)

// Errorf builds a RowError.
func Errorf(name, msg string) *RowError { return &RowError{Name: name, Msg: msg} }

// State is the clock's state, for a snapshot: the query's start and
// whether a record has fixed it.
func (r *ReplayClock) State() (start int64, started bool) { return r.start, r.started }

// SetState restores what State returned.
func (r *ReplayClock) SetState(start int64, started bool) { r.start, r.started = start, started }
