package operators

import (
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// JoinSide describes one input of a stream-to-stream join: its width and
// its window. In the joined row each side's columns are followed by that
// side's ROWTIME, so a query can name o.ROWTIME and s.ROWTIME. A side without a window contributes only its current row
// (rows with the same ROWTIME as the arriving row on the other side).
type JoinSide struct {
	Width    int
	Windowed bool
	Rows     bool  // ROWS n PRECEDING: the side's last N+1 rows
	N        int64 // rows
	Range    int64 // RANGE, milliseconds: rows with ROWTIME >= t-Range
	Outer    bool  // unmatched rows of this side are emitted with NULLs
}

// StreamJoin joins two streams over their windows. Rows from both inputs
// are taken in ROWTIME order; an arriving row is matched with the rows in
// the other side's window and each match is emitted at once with the
// arriving row's ROWTIME (the later of the two). A row of an outer side
// that matched nothing is emitted with NULLs when it leaves its own
// window: at ROWTIME t+Range for a RANGE window, at the ROWTIME of the row
// that pushes it out for a ROWS window (at the end of input: the last
// ROWTIME or bound seen), at its own ROWTIME when the side has no window.
// Output ROWTIMEs never decrease.
type StreamJoin struct {
	L, R   JoinSide
	On     eval.Func // over the row [left..., left ROWTIME, right..., right ROWTIME]; nil: always true
	Out    Operator
	Errors ErrorSink
	Pump   string
	Ctx    eval.Ctx

	merge   *Merge
	inL     *joinPort
	inR     *joinPort
	bufs    [2]joinBuf
	scratch []value.Value
	out     *Emitter
	last    int64
	lw, rw  int // side widths including their ROWTIME
}

type joinEntry struct {
	t       int64
	row     []value.Value
	matched bool
}

type joinBuf struct {
	e    []joinEntry
	head int
}

func (b *joinBuf) live() []joinEntry { return b.e[b.head:] }

func (b *joinBuf) pop() joinEntry {
	e := b.e[b.head]
	b.e[b.head] = joinEntry{}
	b.head++
	if b.head > 64 && b.head*2 > len(b.e) {
		n := copy(b.e, b.e[b.head:])
		clear(b.e[n:])
		b.e = b.e[:n]
		b.head = 0
	}
	return e
}

// joinPort tags a side's rows so one Merge can order both inputs.
type joinPort struct {
	side int
	j    *StreamJoin
	in   *MergeInput
	buf  *Batch
}

// Init wires the two inputs; call once before use.
func (j *StreamJoin) Init() {
	j.merge = NewMerge(joinCore{j})
	j.lw, j.rw = j.L.Width+1, j.R.Width+1
	w := 1 + max(j.lw, j.rw)
	j.inL = &joinPort{side: 0, j: j, in: j.merge.NewInput(), buf: NewBatch(w, 16)}
	j.inR = &joinPort{side: 1, j: j, in: j.merge.NewInput(), buf: NewBatch(w, 16)}
	j.scratch = make([]value.Value, j.lw+j.rw)
	j.out = NewEmitter(j.Out, j.lw+j.rw)
}

// Left is the left input.
func (j *StreamJoin) Left() Operator { return j.inL }

// Right is the right input.
func (j *StreamJoin) Right() Operator { return j.inR }

func (p *joinPort) Push(b *Batch) {
	p.buf.Reset()
	for i := 0; i < b.Len(); i++ {
		r := p.buf.Grow(b.Times[i])
		r[0] = value.NewInt(int64(p.side))
		n := copy(r[1:], b.Row(i))
		r[1+n] = value.NewTimestamp(b.Times[i])
	}
	p.in.Push(p.buf)
}

func (p *joinPort) Advance(t int64) { p.in.Advance(t) }

// joinCore receives both sides merged in ROWTIME order.
type joinCore struct{ j *StreamJoin }

func (c joinCore) Push(b *Batch) {
	j := c.j
	for i := 0; i < b.Len(); i++ {
		r := b.Row(i)
		side := int(r[0].I)
		w := j.lw
		if side == 1 {
			w = j.rw
		}
		j.arrive(side, b.Times[i], r[1:1+w])
	}
	j.out.Flush()
}

func (c joinCore) Advance(t int64) {
	j := c.j
	if t == EndOfTime {
		j.expire(EndOfTime, true)
	} else {
		j.expire(t, false)
	}
	j.out.Advance(t)
}

func (j *StreamJoin) side(s int) *JoinSide {
	if s == 0 {
		return &j.L
	}
	return &j.R
}

// expiry is when an entry leaves its side's window (exclusive: it can
// still match rows at exactly this time).
func (j *StreamJoin) expiry(s int, e joinEntry) int64 {
	sd := j.side(s)
	if sd.Windowed && !sd.Rows {
		return e.t + sd.Range
	}
	return e.t
}

// expire drops entries whose window has passed t (all entries at the end
// of input), emitting unmatched outer rows in ROWTIME order.
func (j *StreamJoin) expire(t int64, all bool) {
	for {
		best := -1
		var bestAt int64
		for s := 0; s < 2; s++ {
			b := &j.bufs[s]
			if len(b.live()) == 0 {
				continue
			}
			sd := j.side(s)
			if sd.Windowed && sd.Rows && !all {
				continue // ROWS windows expire by count
			}
			at := j.expiry(s, b.live()[0])
			if !all && at >= t {
				continue
			}
			if best < 0 || at < bestAt {
				best, bestAt = s, at
			}
		}
		if best < 0 {
			return
		}
		e := j.bufs[best].pop()
		// ROWS entries at the end of input: no earlier than the last row,
		// nor than the bound already passed on (time may have moved on
		// without rows), which no row may go below.
		bestAt = max(bestAt, j.last, j.out.Bound())
		j.unmatched(best, e, bestAt)
	}
}

func (j *StreamJoin) unmatched(s int, e joinEntry, at int64) {
	if e.matched || !j.side(s).Outer {
		return
	}
	row := j.out.Grow(at)
	if s == 0 {
		copy(row, e.row)
	} else {
		copy(row[j.lw:], e.row)
	}
	if at > j.last {
		j.last = at
	}
}

// arrive handles one row of side s at time t.
func (j *StreamJoin) arrive(s int, t int64, row []value.Value) {
	j.expire(t, false)
	if t > j.last {
		j.last = t
	}
	o := 1 - s
	other := &j.bufs[o]
	od := j.side(o)
	entry := joinEntry{t: t, row: append([]value.Value(nil), row...)}
	live := other.live()
	for k := range live {
		oe := &live[k]
		if !od.Windowed && oe.t != t {
			continue
		}
		if s == 0 {
			copy(j.scratch, row)
			copy(j.scratch[j.lw:], oe.row)
		} else {
			copy(j.scratch, oe.row)
			copy(j.scratch[j.lw:], row)
		}
		if j.On != nil {
			j.Ctx.Rowtime = t
			j.Ctx.Err = nil
			v := j.On(&j.Ctx, j.scratch)
			if j.Ctx.Err != nil {
				j.fail(j.Ctx.Err, t, j.scratch)
				continue
			}
			if !v.Bool() {
				continue
			}
		}
		oe.matched = true
		entry.matched = true
		j.out.Append(t, j.scratch)
	}
	b := &j.bufs[s]
	b.e = append(b.e, entry)
	if sd := j.side(s); sd.Windowed && sd.Rows {
		for int64(len(b.live())) > sd.N+1 {
			j.unmatched(s, b.pop(), t)
		}
	}
}

func (j *StreamJoin) fail(err error, t int64, row []value.Value) {
	ReportRow(j.Errors, err, t, row, j.Pump)
}
