package operators

import (
	"io"
	"math"
)

// Snapshot and Restore of the operators of this package (see Stateful).

// Select keeps nothing between batches.
func (s *Select) StateSize() StateSize       { return StateSize{} }
func (s *Select) Snapshot(w io.Writer) error { return nil }
func (s *Select) Restore(r io.Reader) error  { return ReadState(r, func(*StateReader) {}) }

// RefJoin keeps nothing of its own: the table it joins is the Running
// graph's (snapshotted once per table, however many joins read it).
func (j *RefJoin) StateSize() StateSize {
	return StateSize{Rows: int64(len(j.Table)), Groups: int64(len(j.index))}
}
func (j *RefJoin) Snapshot(w io.Writer) error { return nil }
func (j *RefJoin) Restore(r io.Reader) error  { return ReadState(r, func(*StateReader) {}) }

// Insert keeps the last ROWTIME it set (SELECT ... AS ROWTIME).
func (ins *Insert) StateSize() StateSize { return StateSize{} }
func (ins *Insert) Snapshot(w io.Writer) error {
	return WriteState(w, func(sw *StateWriter) { sw.Varint(ins.last) })
}
func (ins *Insert) Restore(r io.Reader) error {
	return ReadState(r, func(sr *StateReader) { ins.last = sr.Varint() })
}

// Merge keeps each producer's bound and the rows waiting for the others.
func (m *Merge) StateSize() StateSize {
	var s StateSize
	for _, in := range m.inputs {
		if in.q != nil {
			for i := in.head; i < in.q.Len(); i++ {
				s.Rows++
				s.Bytes += RowBytes(in.q.Row(i)) + 8
			}
		}
	}
	return s
}

// Bound is the last bound the merge forwarded (math.MinInt64 before the
// first).
func (m *Merge) Bound() int64 {
	if m.out == nil {
		return math.MinInt64
	}
	return m.out.Bound()
}

func (m *Merge) Snapshot(w io.Writer) error { return WriteState(w, m.snapshot) }
func (m *Merge) Restore(r io.Reader) error  { return ReadState(r, m.restore) }

func (m *Merge) snapshot(w *StateWriter) {
	w.Bool(m.out != nil)
	if m.out != nil {
		m.out.SaveState(w)
	}
	w.Uvarint(uint64(len(m.inputs)))
	for _, in := range m.inputs {
		w.Varint(in.bound)
		w.batchFrom(in.q, in.head)
	}
}

func (m *Merge) restore(r *StateReader) {
	if r.Bool() {
		m.out = &Emitter{out: m.Out}
		m.out.LoadState(r)
	}
	if n := r.Len(); n != len(m.inputs) {
		r.Failf("merge state has %d inputs; the plan has %d", n, len(m.inputs))
		return
	}
	for _, in := range m.inputs {
		in.bound = r.Varint()
		in.q, in.head = r.Batch(), 0
	}
}

// SaveState writes the emitter's state: the bound forwarded, the floor
// below which no row may be emitted, the rows counted, and any rows not
// yet flushed; the snapshot of every operator that emits through an
// Emitter includes it.
func (e *Emitter) SaveState(w *StateWriter) {
	w.Varint(e.bound)
	w.Varint(e.floor)
	w.Varint(e.rows)
	w.Batch(e.batch)
}

// LoadState reads what SaveState wrote.
func (e *Emitter) LoadState(r *StateReader) {
	e.bound = r.Varint()
	e.floor = r.Varint()
	e.rows = r.Varint()
	if b := r.Batch(); b != nil {
		e.batch = b
	}
}

// batchFrom writes the rows of b from row `from` on; a nil b is width -1.
func (w *StateWriter) batchFrom(b *Batch, from int) {
	if b == nil {
		w.Int(-1)
		return
	}
	w.Int(b.Width)
	w.Uvarint(uint64(b.Len() - from))
	for i := from; i < b.Len(); i++ {
		w.Varint(b.Times[i])
		w.Row(b.Row(i))
	}
}

// Sort keeps the rows of the batch being collected.
func (s *Sort) StateSize() StateSize { return batchSize(s.rows) }
func (s *Sort) Snapshot(w io.Writer) error {
	return WriteState(w, func(sw *StateWriter) {
		sw.Batch(s.rows)
		sw.Bool(s.have)
		sw.Value(s.lead)
		sw.Varint(s.last)
		s.out.SaveState(sw)
	})
}
func (s *Sort) Restore(r io.Reader) error {
	return ReadState(r, func(sr *StateReader) {
		s.rows = orEmpty(sr.Batch(), s.Width+len(s.Desc))
		s.have = sr.Bool()
		s.lead = sr.Value()
		s.last = sr.Varint()
		s.out.LoadState(sr)
	})
}

// GroupRank keeps the group of rows sharing the current ROWTIME.
func (g *GroupRank) StateSize() StateSize { return batchSize(g.rows) }
func (g *GroupRank) Snapshot(w io.Writer) error {
	return WriteState(w, func(sw *StateWriter) {
		sw.Batch(g.rows)
		sw.Bool(g.have)
		sw.Varint(g.t)
		g.out.SaveState(sw)
	})
}
func (g *GroupRank) Restore(r io.Reader) error {
	return ReadState(r, func(sr *StateReader) {
		g.rows = orEmpty(sr.Batch(), g.Width)
		g.have = sr.Bool()
		g.t = sr.Varint()
		g.out.LoadState(sr)
	})
}

// StreamJoin keeps both sides' windows and the merge that orders them.
func (j *StreamJoin) StateSize() StateSize {
	s := j.merge.StateSize()
	for k := range j.bufs {
		for _, e := range j.bufs[k].live() {
			s.Rows++
			s.Bytes += RowBytes(e.row) + 16
		}
	}
	return s
}

func (j *StreamJoin) Snapshot(w io.Writer) error {
	return WriteState(w, func(sw *StateWriter) {
		j.merge.snapshot(sw)
		j.out.SaveState(sw)
		sw.Varint(j.last)
		for k := range j.bufs {
			live := j.bufs[k].live()
			sw.Uvarint(uint64(len(live)))
			for _, e := range live {
				sw.Varint(e.t)
				sw.Bool(e.matched)
				sw.Row(e.row)
			}
		}
	})
}

func (j *StreamJoin) Restore(r io.Reader) error {
	return ReadState(r, func(sr *StateReader) {
		j.merge.restore(sr)
		j.out.LoadState(sr)
		j.last = sr.Varint()
		for k, w := range [2]int{j.lw, j.rw} {
			n := sr.Len()
			b := joinBuf{e: make([]joinEntry, n)}
			for i := range b.e {
				b.e[i] = joinEntry{t: sr.Varint(), matched: sr.Bool()}
				b.e[i].row = sr.Row(w)
			}
			j.bufs[k] = b
		}
	})
}

func batchSize(b *Batch) StateSize {
	var s StateSize
	if b == nil {
		return s
	}
	s.Rows = int64(b.Len())
	s.Bytes = int64(len(b.Vals))*valueSize + int64(len(b.Times))*8
	for _, v := range b.Vals {
		s.Bytes += int64(len(v.S))
	}
	return s
}

// orEmpty is b, or an empty batch of the width when b is nil.
func orEmpty(b *Batch, width int) *Batch {
	if b == nil {
		return NewBatch(width, 64)
	}
	return b
}
