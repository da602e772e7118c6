package operators

import (
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// Select filters rows with Where (may be nil) and computes Exprs into a new
// row (Exprs nil: rows pass through unchanged). It keeps ROWTIME.
type Select struct {
	Where  eval.Func
	Exprs  []eval.Func
	Out    Operator
	Errors ErrorSink
	Pump   string
	Ctx    eval.Ctx

	out *Emitter
}

// Push evaluates every row of b.
func (s *Select) Push(b *Batch) {
	width := b.Width
	if s.Exprs != nil {
		width = len(s.Exprs)
	}
	out := emitterFor(&s.out, s.Out, width, b.Len())
	c := &s.Ctx
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		t := b.Times[i]
		c.Rowtime = t
		c.Err = nil
		if s.Where != nil {
			keep := s.Where(c, row)
			if c.Err != nil {
				s.fail(t, row)
				continue
			}
			if !keep.Bool() {
				continue
			}
		}
		if s.Exprs == nil {
			out.Append(t, row)
			continue
		}
		n := out.Len()
		dst := out.Grow(t)
		for j, e := range s.Exprs {
			dst[j] = e(c, row)
		}
		if c.Err != nil {
			out.Truncate(n)
			s.fail(t, row)
		}
	}
	out.Flush()
}

func (s *Select) fail(t int64, row []value.Value) {
	ReportRow(s.Errors, s.Ctx.Err, t, row, s.Pump)
	s.Ctx.Err = nil
}

// Advance forwards the bound: Select never delays rows.
func (s *Select) Advance(t int64) { emitterFor(&s.out, s.Out, 0, 0).Advance(t) }

// ReportRow sends a row that failed evaluation to the error sink (nil:
// dropped), naming the error and the pump.
func ReportRow(errs ErrorSink, err error, t int64, row []value.Value, pump string) {
	if errs == nil {
		return
	}
	name := eval.ErrConversion
	if re, ok := err.(*eval.RowError); ok {
		name = re.Name
	}
	errs.Error(ErrorRecord{
		Time: t, Level: "ERROR", Name: name, Message: err.Error(),
		DataRowtime: t, DataRow: RowText(nil, row), Pump: pump,
	})
}

// RowText renders a row as comma-separated SQL text, NULL as empty: the
// DATA_ROW of an error record raised inside a pump.
func RowText(buf []byte, row []value.Value) []byte {
	for i, v := range row {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = value.AppendText(buf, v, value.Type{})
	}
	return buf
}
