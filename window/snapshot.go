package window

import (
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
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

// StateSize counts partitions and the rows they hold, from totals kept as
// rows come and go (the guard of --max-state-memory calls it often).
func (s *Sliding) StateSize() operators.StateSize {
	var st operators.StateSize
	for _, fs := range s.frames {
		st.Groups += int64(fs.index.n)
		st.Rows += fs.rows
		st.Bytes += fs.ringBytes + fs.textBytes + fs.keyBytes + int64(len(fs.index.slots))*8 +
			int64(cap(fs.parts))*partSize + int64(cap(fs.accs))*slideAccSize + int64(cap(fs.quiet))*quietSize
	}
	return st
}

const quietSize = int64(unsafe.Sizeof(quietEntry{}))

// Snapshot writes each frame's partitions in key order (their rows still in
// the frame, their accumulators) and the queue of RANGE partitions to check
// for expiry, each entry naming its partition. A row is written as values:
// its ROWTIME, then each call's argument as the call's accumulator reads
// it (a compact slot's word unpacked).
func (s *Sliding) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		s.out.SaveState(sw)
		for _, fs := range s.frames {
			type keyed struct {
				key string
				pi  int32
			}
			parts := make([]keyed, 0, fs.index.n)
			for _, pi := range fs.index.parts() {
				parts = append(parts, keyed{fs.parts[pi].key(), pi})
			}
			slices.SortFunc(parts, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
			sw.Uvarint(uint64(len(parts)))
			for _, k := range parts {
				fs.writePart(sw, s.cfg.Calls, k.pi)
			}
			quiet := fs.quiet[fs.quietHead:]
			n := 0
			for _, e := range quiet {
				if fs.parts[e.p].gen == e.gen {
					n++
				}
			}
			sw.Uvarint(uint64(n))
			for _, e := range quiet {
				if fs.parts[e.p].gen == e.gen {
					sw.Varint(e.t)
					sw.String(fs.parts[e.p].key())
					sw.Bool(true) // live (older states could queue a dropped partition)
				}
			}
		}
	})
}

func (fs *frameState) writePart(w *operators.StateWriter, specs []AnalyticSpec, pi int32) {
	p := &fs.parts[pi]
	w.String(p.key())
	w.Varint(p.first)
	w.Varint(p.last)
	w.Uvarint(uint64(p.end - p.first))
	for seq := p.first; seq < p.end; seq++ {
		w.Value(value.NewTimestamp(fs.time(p, seq)))
		for j := range fs.calls {
			w.Value(fs.arg(specs, p, seq, j))
		}
	}
	for _, a := range fs.accsOf(pi) {
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
			*fs = frameState{f: fs.f, calls: fs.calls, slots: fs.slots, wstride: fs.wstride, vstride: fs.vstride,
				index: newPartIndex()}
			for i, n := 0, sr.Len(); i < n && sr.Err() == nil; i++ {
				if !fs.readPart(sr, s.cfg.Calls) {
					return
				}
			}
			fs.quiet, fs.quietHead = make([]quietEntry, 0, sr.Len()), 0
			for i := cap(fs.quiet); i > 0 && sr.Err() == nil; i-- {
				t, key := sr.Varint(), sr.String()
				if !sr.Bool() {
					// A partition already dropped (written by older
					// versions): dequeuing it changes nothing.
					sr.Varint()
					continue
				}
				pi, _, ok := fs.lookup([]byte(key))
				if !ok {
					sr.Failf("sliding window state queues an unknown partition")
					return
				}
				fs.quiet = append(fs.quiet, quietEntry{t, pi, fs.parts[pi].gen})
			}
		}
	})
}

// readPart reads one partition writePart wrote; false (the reader failed)
// if it does not fit.
func (fs *frameState) readPart(sr *operators.StateReader, specs []AnalyticSpec) bool {
	key := []byte(sr.String())
	_, h, dup := fs.lookup(key)
	if dup {
		sr.Failf("sliding window state has a partition twice")
		return false
	}
	pi := fs.open(key, h)
	p := &fs.parts[pi]
	first, last, rows := sr.Varint(), sr.Varint(), int64(sr.Len())
	if first < 0 || first > math.MaxInt64-rows {
		sr.Failf("sliding window state numbers its rows from %d", first)
		return false
	}
	p.first, p.end, p.last = first, first, last
	if rows > 0 {
		fs.resize(p, int64(1)<<bits.Len64(uint64(rows-1)))
	}
	for ; rows > 0 && sr.Err() == nil; rows-- {
		seq := p.end
		p.end++
		fs.rows++
		w := fs.putTime(p, seq, sr.Value().I)
		for j := range fs.calls {
			fs.putArg(specs, p, seq, w, j, sr.Value())
		}
	}
	for k := range fs.accsOf(pi) {
		a := slideAcc{n: sr.Varint(), i: sr.Varint(), hi: sr.Varint(), s: sr.Float(), c: sr.Float(),
			mean: sr.Float(), m2: sr.Float(), trues: sr.Varint(), falses: sr.Varint(), dq: sr.Int64s(),
			ew: sr.Float(), es: sr.Float(), eref: sr.Varint()}
		// The deques name rows in the frame, oldest first.
		for i, seq := range a.dq {
			if seq < p.first || seq >= p.end || (i > 0 && seq <= a.dq[i-1]) {
				sr.Failf("sliding window state names row %d outside its partition's rows %d-%d", seq, p.first, p.end-1)
				return false
			}
		}
		fs.accsOf(pi)[k] = a
	}
	return sr.Err() == nil
}
