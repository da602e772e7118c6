package analytics

import (
	"io"
	"maps"
	"slices"

	"github.com/streamsql/streamsql/operators"
)

// Snapshot and Restore of the table functions (see operators.Stateful):
// each writes its State field by field; what is derived from it (the
// hotspot grid and clusters, the top-k lookup map) is rebuilt on Restore.

func writeTumble(w *operators.StateWriter, t Tumble) {
	w.Varint(t.SizeMs)
	w.Varint(t.Start)
	w.Bool(t.Open)
}

func readTumble(r *operators.StateReader) Tumble {
	return Tumble{SizeMs: r.Varint(), Start: r.Varint(), Open: r.Bool()}
}

// ---- COUNT_DISTINCT_ITEMS_TUMBLING ----

func (d *Distinct) StateSize() operators.StateSize {
	s := &d.State
	return operators.StateSize{Groups: int64(len(s.Exact)), Bytes: int64(len(s.Exact))*16 + int64(len(s.Sketch.Registers))}
}

// Snapshot writes the exact set in hash order, so equal sets give equal bytes.
func (d *Distinct) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s := &d.State
		d.out.SaveState(sw)
		writeTumble(sw, s.Window)
		hashes := slices.Sorted(maps.Keys(s.Exact))
		sw.Uvarint(uint64(len(hashes)))
		for _, h := range hashes {
			sw.Uvarint(h)
		}
		sw.Bool(s.Overflow)
		sw.Uvarint(uint64(s.Sketch.P))
		sw.Bytes(s.Sketch.Registers)
	})
}

func (d *Distinct) Restore(r io.Reader) error {
	return operators.ReadState(r, func(sr *operators.StateReader) {
		s := &d.State
		d.out.LoadState(sr)
		s.Window = readTumble(sr)
		n := sr.Len()
		s.Exact = make(map[uint64]struct{}, n)
		for i := 0; i < n; i++ {
			s.Exact[sr.Uvarint()] = struct{}{}
		}
		s.Overflow = sr.Bool()
		p := uint8(sr.Uvarint())
		regs := sr.Bytes()
		if len(regs) != 1<<p {
			sr.Failf("HyperLogLog state has %d registers for precision %d", len(regs), p)
			return
		}
		s.Sketch = &HLL{P: p, Registers: regs}
	})
}

// ---- TOP_K_ITEMS_TUMBLING ----

func (o *TopK) StateSize() operators.StateSize {
	s := &o.State
	var b int64
	for _, c := range s.Counters {
		b += int64(len(c.Key)+len(c.Item.S)) + 96
	}
	return operators.StateSize{Groups: int64(len(s.Counters)), Bytes: b + int64(len(s.Heap))*4}
}

func (o *TopK) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s := &o.State
		o.out.SaveState(sw)
		writeTumble(sw, s.Window)
		sw.Uvarint(uint64(len(s.Counters)))
		for _, c := range s.Counters {
			sw.String(c.Key)
			sw.Value(c.Item)
			sw.Varint(c.Count)
			sw.Varint(c.Err)
			sw.Varint(c.First)
			sw.Varint(int64(c.Pos))
		}
		sw.Int32s(s.Heap)
		sw.Varint(s.Seq)
		sw.Varint(s.Rows)
	})
}

func (o *TopK) Restore(r io.Reader) error {
	return operators.ReadState(r, func(sr *operators.StateReader) {
		s := &o.State
		o.out.LoadState(sr)
		s.Window = readTumble(sr)
		s.Counters = make([]Counter, sr.Len())
		for i := range s.Counters {
			s.Counters[i] = Counter{Key: sr.String(), Item: sr.Value(), Count: sr.Varint(), Err: sr.Varint(),
				First: sr.Varint(), Pos: int32(sr.Varint())}
		}
		s.Heap = sr.Int32s()
		s.Seq = sr.Varint()
		s.Rows = sr.Varint()
		o.rebuild()
	})
}

// ---- HOTSPOTS ----

func (h *Hotspots) StateSize() operators.StateSize {
	s := &h.State
	return operators.StateSize{Groups: int64(len(h.comps)), Rows: int64(s.Len), Bytes: int64(len(s.Coords)) * 8}
}

// Snapshot writes the window's points, oldest first.
func (h *Hotspots) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s := &h.State
		h.out.SaveState(sw)
		sw.Int(s.Dim)
		sw.Int(s.Len)
		for i := 0; i < s.Len; i++ {
			slot := (s.Head + i) % h.cfg.WindowSize
			for _, f := range s.Coords[slot*s.Dim : slot*s.Dim+s.Dim] {
				sw.Float(f)
			}
		}
	})
}

func (h *Hotspots) Restore(r io.Reader) error {
	return operators.ReadState(r, func(sr *operators.StateReader) {
		h.out.LoadState(sr)
		d, n := sr.Int(), sr.Int()
		if d != h.State.Dim || n < 0 || n > h.cfg.WindowSize {
			sr.Failf("HOTSPOTS state of %d points of %d dimensions does not fit a window of %d points of %d", n, d, h.cfg.WindowSize, h.State.Dim)
			return
		}
		coords := make([]float64, h.cfg.WindowSize*d)
		for i := 0; i < n*d; i++ {
			coords[i] = sr.Float()
		}
		h.State = HotspotsState{Dim: d, Coords: coords, Head: 0, Len: n}
		h.rebuild()
	})
}

// ---- RANDOM_CUT_FOREST ----

func (r *RCF) StateSize() operators.StateSize {
	s := &r.State
	var b int64
	for i := range s.Trees {
		t := &s.Trees[i]
		b += int64(len(t.Nodes))*16 + int64(len(t.CutDim))*2 + int64(len(t.Parent)+len(t.Mass)+len(t.FreeNodes))*4 +
			int64(len(t.Min)+len(t.Max)+len(t.Point)+len(t.Weight))*8 + int64(len(t.LeafMass)+len(t.LeafParent)+len(t.FreeLeaves)+len(t.Leaf))*4
	}
	rows := int64(0)
	if len(s.Trees) > 0 {
		rows = int64(len(s.Trees[0].Leaf))
	}
	return operators.StateSize{Groups: int64(len(s.Trees)), Rows: rows, Bytes: b}
}

// Snapshot writes every tree whole, its random state included, so a
// restored forest draws the same cuts and samples as the original would.
func (r *RCF) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s := &r.State
		r.out.SaveState(sw)
		sw.Int(s.Dim)
		sw.Varint(s.Seq)
		sw.Floats(s.Recent)
		sw.Varint(s.Records)
		sw.Uvarint(uint64(len(s.Trees)))
		for i := range s.Trees {
			t := &s.Trees[i]
			sw.Uvarint(t.Rng.State)
			sw.Varint(int64(t.Root))
			sw.Uvarint(uint64(len(t.Nodes)))
			for _, n := range t.Nodes {
				sw.Float(n.CutVal)
				sw.Varint(int64(n.Left))
				sw.Varint(int64(n.Right))
			}
			sw.Uvarint(uint64(len(t.CutDim)))
			for _, c := range t.CutDim {
				sw.Uvarint(uint64(c))
			}
			sw.Int32s(t.Parent)
			sw.Int32s(t.Mass)
			sw.Floats(t.Min)
			sw.Floats(t.Max)
			sw.Int32s(t.FreeNodes)
			sw.Floats(t.Point)
			sw.Int32s(t.LeafMass)
			sw.Int32s(t.LeafParent)
			sw.Int32s(t.FreeLeaves)
			sw.Floats(t.Weight)
			sw.Int32s(t.Leaf)
			sw.Varint(t.RejectUntil)
			sw.Float(t.RejectBelow)
		}
	})
}

func (r *RCF) Restore(rd io.Reader) error {
	return operators.ReadState(rd, func(sr *operators.StateReader) {
		s := &r.State
		r.out.LoadState(sr)
		if d := sr.Int(); d != s.Dim {
			sr.Failf("RANDOM_CUT_FOREST state of %d dimensions; the plan has %d", d, s.Dim)
			return
		}
		s.Seq = sr.Varint()
		s.Recent = append(make([]float64, 0, s.Dim), sr.Floats()...)
		s.Records = sr.Varint()
		if n := sr.Len(); n != len(s.Trees) {
			sr.Failf("RANDOM_CUT_FOREST state has %d trees; the plan has %d", n, len(s.Trees))
			return
		}
		for i := range s.Trees {
			t := Tree{Rng: Rand{State: sr.Uvarint()}, Root: int32(sr.Varint())}
			t.Nodes = make([]Node, sr.Len())
			for k := range t.Nodes {
				t.Nodes[k] = Node{CutVal: sr.Float(), Left: int32(sr.Varint()), Right: int32(sr.Varint())}
			}
			t.CutDim = make([]uint16, sr.Len())
			for k := range t.CutDim {
				t.CutDim[k] = uint16(sr.Uvarint())
			}
			t.Parent = sr.Int32s()
			t.Mass = sr.Int32s()
			t.Min = sr.Floats()
			t.Max = sr.Floats()
			t.FreeNodes = sr.Int32s()
			t.Point = sr.Floats()
			t.LeafMass = sr.Int32s()
			t.LeafParent = sr.Int32s()
			t.FreeLeaves = sr.Int32s()
			t.Weight = sr.Floats()
			t.Leaf = sr.Int32s()
			t.RejectUntil = sr.Varint()
			t.RejectBelow = sr.Float()
			s.Trees[i] = t
		}
	})
}
