package operators

import (
	"fmt"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// Insert is the end of a pump: it places each row's values into the target
// stream's columns (Slots[i] is the target column of source value i),
// coerces them to the declared types, and optionally takes the row's
// ROWTIME from a source value (SELECT ... AS ROWTIME).
type Insert struct {
	Types      []value.Type // target stream columns
	Slots      []int        // target column of each source value; -1 skips it
	RowtimeArg int          // source value that overrides ROWTIME, or -1
	Out        Operator
	Errors     ErrorSink
	Pump       string

	out  *Emitter
	last int64 // last ROWTIME emitted when ROWTIME is overridden
}

func (ins *Insert) Push(b *Batch) {
	out := emitterFor(&ins.out, ins.Out, len(ins.Types), b.Len())
	if ins.passes(b) {
		out.Forward(b)
		return
	}
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		t := b.Times[i]
		if ins.RowtimeArg >= 0 {
			v := row[ins.RowtimeArg]
			if v.K != value.KTimestamp {
				ins.fail(eval.Errorf(eval.ErrConversion, "ROWTIME must be a non-NULL TIMESTAMP"), t, row)
				continue
			}
			if v.I < ins.last {
				ins.fail(eval.Errorf(eval.ErrOrder, fmt.Sprintf("ROWTIME %s is before the stream's last ROWTIME %s",
					value.FormatTimestamp(v.I), value.FormatTimestamp(ins.last))), t, row)
				continue
			}
			t = v.I
			ins.last = t
		}
		k := out.Len()
		dst := out.Grow(t)
		var err error
		for j, v := range row {
			slot := ins.Slots[j]
			if slot < 0 {
				continue
			}
			if value.Fits(v, ins.Types[slot]) {
				dst[slot] = v
				continue
			}
			if dst[slot], err = value.Assign(v, ins.Types[slot]); err != nil {
				break
			}
		}
		if err != nil {
			out.Truncate(k)
			ins.fail(err, t, row)
		}
	}
	out.Flush()
}

// passes reports that b can go downstream as it is: its rows are already
// the target's rows (each value in its own column, ROWTIME not
// overridden) and every value Fits its column, so Assign would copy each
// row unchanged.
func (ins *Insert) passes(b *Batch) bool {
	if ins.RowtimeArg >= 0 || b.Width != len(ins.Types) || len(ins.Slots) != b.Width {
		return false
	}
	for j, slot := range ins.Slots {
		if slot != j {
			return false
		}
	}
	types := ins.Types
	for i := 0; i < len(b.Vals); i += len(types) {
		row := b.Vals[i : i+len(types)]
		for j, t := range types {
			if !value.Fits(row[j], t) {
				return false
			}
		}
	}
	return true
}

func (ins *Insert) fail(err error, t int64, row []value.Value) {
	ReportRow(ins.Errors, err, t, row, ins.Pump)
}

// Advance forwards the bound. When ROWTIME is overridden the input's bound
// says nothing of the rows to come, which may carry any ROWTIME not before
// the last one emitted: that is the bound forwarded, until the end.
func (ins *Insert) Advance(t int64) {
	if ins.RowtimeArg >= 0 && t != EndOfTime {
		t = ins.last
	}
	emitterFor(&ins.out, ins.Out, len(ins.Types), 0).Advance(t)
}
