package window

import (
	"io"
	"maps"
	"slices"
	"unsafe"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Snapshot and Restore of the window operators (see operators.Stateful).
// Indexes (group maps, partition maps) are not written: Restore rebuilds
// them from the groups' key values, which are.

func writeAcc(w *operators.StateWriter, a *acc) {
	w.Varint(a.n)
	w.Varint(a.i)
	w.Float(a.f)
	w.Float(a.m2)
	w.Value(a.v)
	w.Bool(a.overflow)
}

func readAcc(r *operators.StateReader) acc {
	return acc{n: r.Varint(), i: r.Varint(), f: r.Float(), m2: r.Float(), v: r.Value(), overflow: r.Bool()}
}

// groupKey is buf reset to the hash key of a group's key values.
func groupKey(buf []byte, keys []value.Value) []byte {
	buf = buf[:0]
	for _, v := range keys {
		buf = value.AppendKey(buf, v)
	}
	return buf
}

// StateSize counts open windows' groups.
func (t *Tumbling) StateSize() operators.StateSize {
	var s operators.StateSize
	for _, w := range t.wins {
		s.Groups += int64(w.n)
		s.Bytes += w.bytes()
	}
	return s
}

const accSize = int64(unsafe.Sizeof(acc{}))

// Snapshot writes each open window: its key, then each group's keys (but
// the time key) and aggregate states, in first-seen order.
func (t *Tumbling) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		sw.Uvarint(uint64(len(t.wins)))
		for _, win := range t.wins {
			sw.Value(win.key)
			sw.Uvarint(uint64(win.n))
			for g := 0; g < win.n; g++ {
				sw.Row(win.keys[g*win.stride : (g+1)*win.stride])
				for k := range win.accs {
					a := win.accs[k].get(g)
					writeAcc(sw, &a)
				}
			}
		}
		sw.Value(t.closed)
		sw.Bool(t.hasClosed)
		sw.Varint(t.late)
		sw.Varint(t.lateEvent)
		sw.Bool(t.maxEvent != nil)
		sw.Row(t.maxEvent)
		sw.Varint(t.lastTime)
		t.out.SaveState(sw)
	})
}

func (t *Tumbling) Restore(r io.Reader) error {
	nk, tk := len(t.cfg.Keys), t.cfg.TimeKey
	return operators.ReadState(r, func(sr *operators.StateReader) {
		t.wins = make([]*win, sr.Len())
		keys := make([]value.Value, nk)
		for i := range t.wins {
			w := &win{key: sr.Value(), groups: newGroups(nk, t.cfg.Aggs)}
			for g, n := 0, sr.Len(); g < n; g++ {
				withTimeKey(keys, sr.Row(nk-1), w.key, tk)
				t.keyBuf = groupKey(t.keyBuf, keys)
				w.find(t.keyBuf, keys, tk)
				for k := range w.accs {
					w.accs[k].set(g, readAcc(sr))
				}
			}
			t.wins[i] = w
		}
		t.closed = sr.Value()
		t.hasClosed = sr.Bool()
		t.late = sr.Varint()
		t.lateEvent = sr.Varint()
		if sr.Bool() {
			t.maxEvent = sr.Row(len(t.cfg.EventKeys))
		}
		t.lastTime = sr.Varint()
		t.out.LoadState(sr)
	})
}

// StateSize counts open stagger windows: each one's struct, key values
// (their text included), hash key and accumulators, its map slot and its
// place in the queue, so long string keys count as the tumbling groups'
// text does.
func (s *Stagger) StateSize() operators.StateSize {
	n := int64(len(s.open))
	b := n * (swinSize + int64(len(s.cfg.Aggs))*accSize + (16+8)*8/7 + 8)
	for key, w := range s.open {
		b += int64(len(key)) + operators.RowBytes(w.keys)
	}
	return operators.StateSize{Groups: n, Bytes: b}
}

const swinSize = int64(unsafe.Sizeof(swin{}))

func (s *Stagger) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s.out.SaveState(sw)
		open := s.queue[s.head:]
		sw.Uvarint(uint64(len(open)))
		for _, win := range open {
			sw.Varint(win.end)
			sw.Row(win.keys)
			for k := range win.accs {
				writeAcc(sw, &win.accs[k])
			}
		}
	})
}

func (s *Stagger) Restore(r io.Reader) error {
	return operators.ReadState(r, func(sr *operators.StateReader) {
		s.out.LoadState(sr)
		n := sr.Len()
		s.queue, s.head, s.open = make([]*swin, n), 0, map[string]*swin{}
		for i := range s.queue {
			w := &swin{end: sr.Varint(), keys: sr.Row(len(s.cfg.Keys)), accs: make([]acc, len(s.cfg.Aggs))}
			for k := range w.accs {
				w.accs[k] = readAcc(sr)
			}
			s.keyBuf = groupKey(s.keyBuf, w.keys)
			w.key = string(s.keyBuf)
			s.open[w.key] = w
			s.queue[i] = w
		}
	})
}

// StateSize counts partitions and the rows they hold.
func (s *Sliding) StateSize() operators.StateSize {
	var st operators.StateSize
	for _, fs := range s.frames {
		stride := len(fs.calls) + 1
		st.Groups += int64(len(fs.parts))
		for _, p := range fs.parts {
			rows := p.rows(stride) - p.head
			st.Rows += int64(rows)
			st.Bytes += operators.RowBytes(p.vals[p.head*stride:]) + int64(len(p.accs))*slideAccSize
		}
	}
	return st
}

const slideAccSize = int64(unsafe.Sizeof(slideAcc{}))

// Snapshot writes each frame's partitions in key order (their rows still in
// the frame, their accumulators) and the queue of RANGE partitions to check
// for expiry, each entry naming its partition.
func (s *Sliding) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s.out.SaveState(sw)
		for _, fs := range s.frames {
			stride := len(fs.calls) + 1
			keys := slices.Sorted(maps.Keys(fs.parts))
			sw.Uvarint(uint64(len(keys)))
			for _, k := range keys {
				writePart(sw, fs.parts[k], stride)
			}
			quiet := fs.quiet[fs.quietHead:]
			sw.Uvarint(uint64(len(quiet)))
			for _, e := range quiet {
				sw.Varint(e.t)
				sw.String(e.p.key)
				live := fs.parts[e.p.key] == e.p
				sw.Bool(live)
				if !live { // a partition already dropped: only its last time matters
					sw.Varint(e.p.last)
				}
			}
		}
	})
}

func writePart(w *operators.StateWriter, p *part, stride int) {
	w.String(p.key)
	w.Varint(p.seq0 + int64(p.head))
	w.Varint(p.last)
	rows := p.vals[p.head*stride:]
	w.Uvarint(uint64(len(rows) / stride))
	w.Row(rows)
	for k := range p.accs {
		a := &p.accs[k]
		w.Varint(a.n)
		w.Varint(a.i)
		w.Varint(a.hi)
		w.Float(a.s)
		w.Float(a.c)
		w.Float(a.mean)
		w.Float(a.m2)
		w.Varint(a.trues)
		w.Varint(a.falses)
		w.Int64s(a.dq[a.dqHead:])
		w.Float(a.ew)
		w.Float(a.es)
		w.Varint(a.eref)
	}
}

func (s *Sliding) Restore(r io.Reader) error {
	return operators.ReadState(r, func(sr *operators.StateReader) {
		s.out.LoadState(sr)
		for _, fs := range s.frames {
			stride := len(fs.calls) + 1
			fs.parts = map[string]*part{}
			for i, n := 0, sr.Len(); i < n; i++ {
				p := &part{key: sr.String(), seq0: sr.Varint(), last: sr.Varint()}
				p.vals = sr.Row(sr.Len() * stride)
				if len(fs.calls) <= len(p.accBuf) {
					p.accs = p.accBuf[:len(fs.calls)]
				} else {
					p.accs = make([]slideAcc, len(fs.calls))
				}
				for k := range p.accs {
					p.accs[k] = slideAcc{n: sr.Varint(), i: sr.Varint(), hi: sr.Varint(), s: sr.Float(), c: sr.Float(),
						mean: sr.Float(), m2: sr.Float(), trues: sr.Varint(), falses: sr.Varint(), dq: sr.Int64s(),
						ew: sr.Float(), es: sr.Float(), eref: sr.Varint()}
				}
				fs.parts[p.key] = p
			}
			fs.quiet, fs.quietHead = make([]quietEntry, sr.Len()), 0
			for i := range fs.quiet {
				e := quietEntry{t: sr.Varint()}
				key := sr.String()
				if sr.Bool() {
					e.p = fs.parts[key]
					if e.p == nil {
						sr.Failf("sliding window state queues an unknown partition")
						return
					}
				} else {
					e.p = &part{key: key, last: sr.Varint()}
				}
				fs.quiet[i] = e
			}
		}
	})
}
