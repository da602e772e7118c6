package operators

import (
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// RefJoin joins each stream row with the rows of a reference table. Output
// rows are the stream row's values followed by the table row's values; the
// ROWTIME is the stream row's. Equality conjuncts of the ON condition become
// a hash lookup (StreamKeys against TableKeys); the rest is Residual,
// evaluated on the joined row. Left keeps unmatched stream rows with NULLs.
type RefJoin struct {
	Table      [][]value.Value
	StreamKeys []eval.Func // evaluated on the stream row
	TableKeys  []int       // table columns compared with StreamKeys
	TableWidth int         // columns of a table row (the table may be empty)
	Residual   eval.Func   // nil: none
	Left       bool
	Out        Operator
	Errors     ErrorSink
	Pump       string
	Ctx        eval.Ctx

	index map[string][]int
	key   []byte
	out   *Emitter
	width int
}

// Build indexes the table; call it once before rows flow and again after
// the table is replaced.
func (j *RefJoin) Build() {
	j.index = make(map[string][]int, len(j.Table))
	for i, row := range j.Table {
		key, ok := j.tableKey(row)
		if ok {
			j.index[string(key)] = append(j.index[string(key)], i)
		}
	}
}

// tableKey encodes the key of a table row; a NULL key never matches.
func (j *RefJoin) tableKey(row []value.Value) ([]byte, bool) {
	j.key = j.key[:0]
	for _, c := range j.TableKeys {
		if row[c].K == value.KNull {
			return nil, false
		}
		j.key = value.AppendKey(j.key, row[c])
	}
	return j.key, true
}

func (j *RefJoin) Push(b *Batch) {
	if j.width == 0 {
		j.width = b.Width + j.TableWidth
	}
	if j.index == nil {
		j.Build()
	}
	out := emitterFor(&j.out, j.Out, j.width, b.Len())
	c := &j.Ctx
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		t := b.Times[i]
		c.Rowtime = t
		c.Err = nil
		matched := false
		if len(j.StreamKeys) > 0 {
			j.key = j.key[:0]
			null := false
			for _, k := range j.StreamKeys {
				v := k(c, row)
				if v.K == value.KNull {
					null = true
				}
				j.key = value.AppendKey(j.key, v)
			}
			if c.Err != nil {
				ReportRow(j.Errors, c.Err, t, row, j.Pump)
				continue
			}
			if !null {
				for _, ti := range j.index[string(j.key)] {
					if j.emit(out, t, row, j.Table[ti]) {
						matched = true
					}
				}
			}
		} else {
			for _, trow := range j.Table {
				if j.emit(out, t, row, trow) {
					matched = true
				}
			}
		}
		if c.Err != nil {
			ReportRow(j.Errors, c.Err, t, row, j.Pump)
			continue
		}
		if !matched && j.Left {
			dst := out.Grow(t)
			copy(dst, row)
		}
	}
	out.Flush()
}

// emit appends the joined row if the residual condition holds.
func (j *RefJoin) emit(out *Emitter, t int64, srow, trow []value.Value) bool {
	k := out.Len()
	dst := out.Grow(t)
	copy(dst, srow)
	copy(dst[len(srow):], trow)
	if j.Residual != nil {
		ok := j.Residual(&j.Ctx, dst)
		if j.Ctx.Err != nil || !ok.Bool() {
			out.Truncate(k)
			return false
		}
	}
	return true
}

func (j *RefJoin) Advance(t int64) { emitterFor(&j.out, j.Out, j.width, 0).Advance(t) }
