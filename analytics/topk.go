package analytics

import (
	"sort"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// TopKConfig configures TOP_K_ITEMS_TUMBLING.
type TopKConfig struct {
	Column   int   // the counted column's index in the cursor's rows
	K        int   // rows per window
	WindowMs int64 // tumbling window length
	// Capacity is the number of counters kept per window (memory bound).
	// Up to Capacity distinct items per window the counts are exact; 0
	// means DefaultCapacity(K).
	Capacity int
	Errors   operators.ErrorSink
	Pump     string
}

// DefaultCapacity is max(16·K, 16384) counters.
func DefaultCapacity(k int) int { return max(16*k, 16384) }

// Counter is one monitored item. Count over-estimates the item's true
// count in the window by at most Err (Space-Saving); Err is 0 for an item
// counted since its first occurrence.
type Counter struct {
	Key   string      // value.AppendKey encoding
	Item  value.Value // the value itself, for output
	Count int64
	Err   int64
	First int64 // sequence number of the occurrence that created the counter (tie-break)
	Pos   int32 // position in Heap
}

// TopKState is the serializable state: the window and its counters. While
// the window has at most Capacity distinct items, Counters holds each of
// them with its exact count. Beyond that the counters are ordered in a
// min-heap on Count (Heap) and the least counted item is replaced, as in the
// Space-Saving algorithm (Metwally, Agrawal, El Abbadi, 2005).
type TopKState struct {
	Window   Tumble
	Counters []Counter
	Heap     []int32 // counter slots, a min-heap on Count once the counters are full
	Seq      int64
	Rows     int64 // non-NULL items seen in the window
}

// TopK is the TOP_K_ITEMS_TUMBLING operator: up to K rows (item,
// MOST_FREQUENT_VALUES) per window, most frequent first, at the window's end.
//
// Guarantee: with at most Capacity distinct items in a window the result is
// the exact top K (ties broken by first occurrence). Beyond that, every item
// whose true count exceeds N/Capacity (N = rows in the window) is monitored,
// each reported count is at most N/Capacity above the true one, and an item
// is certainly in the true top K when its Count-Err is at least the
// (K+1)-th reported Count.
type TopK struct {
	cfg   TopKConfig
	out   *operators.Emitter
	State TopKState
	index map[string]int32 // Key → position in Counters (rebuilt from State on restore)
	kbuf  []byte
	order []int32
}

// NewTopK returns the operator feeding out.
func NewTopK(cfg TopKConfig, out operators.Operator) *TopK {
	if cfg.Capacity < cfg.K {
		cfg.Capacity = DefaultCapacity(cfg.K)
	}
	return &TopK{cfg: cfg, out: operators.NewEmitter(out, 2), index: map[string]int32{},
		State: TopKState{Window: Tumble{SizeMs: cfg.WindowMs}}}
}

func (o *TopK) Push(b *operators.Batch) {
	s := &o.State
	col, w := o.cfg.Column, b.Width
	for i, n := 0, b.Len(); i < n; i++ {
		t := b.Times[i]
		if !s.Window.Open || t >= s.Window.end() {
			if s.Window.Open {
				o.emit()
			}
			s.Window.Start, s.Window.Open = s.Window.startOf(t), true
		}
		v := b.Vals[i*w+col]
		if v.K == value.KNull {
			continue
		}
		o.add(v)
	}
	o.out.Flush()
}

func (o *TopK) add(v value.Value) {
	s := &o.State
	s.Rows++
	s.Seq++
	o.kbuf = value.AppendKey(o.kbuf[:0], v)
	if j, ok := o.index[string(o.kbuf)]; ok {
		c := &s.Counters[j]
		c.Count++
		if len(s.Heap) > 0 {
			o.down(int(c.Pos))
		}
		return
	}
	if len(s.Counters) < o.cfg.Capacity {
		key := string(o.kbuf)
		o.index[key] = int32(len(s.Counters))
		s.Counters = append(s.Counters, Counter{Key: key, Item: v, Count: 1, First: s.Seq})
		return
	}
	if len(s.Heap) == 0 {
		for j := range s.Counters {
			s.Counters[j].Pos = int32(j)
			s.Heap = append(s.Heap, int32(j))
		}
		for j := len(s.Heap)/2 - 1; j >= 0; j-- {
			o.down(j)
		}
	}
	// Replace the least counted item: the newcomer inherits its count as error.
	slot := s.Heap[0]
	c := &s.Counters[slot]
	delete(o.index, c.Key)
	key := string(o.kbuf)
	*c = Counter{Key: key, Item: v, Count: c.Count + 1, Err: c.Count, First: s.Seq, Pos: 0}
	o.index[key] = slot
	o.down(0)
}

// less orders the heap: fewer counts first; on equal counts the later
// arrival goes first, so older items survive.
func (o *TopK) less(a, b int32) bool {
	ca, cb := &o.State.Counters[a], &o.State.Counters[b]
	if ca.Count != cb.Count {
		return ca.Count < cb.Count
	}
	return ca.First > cb.First
}

func (o *TopK) down(j int) {
	h := o.State.Heap
	cs := o.State.Counters
	n := len(h)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && o.less(h[r], h[l]) {
			m = r
		}
		if !o.less(h[m], h[j]) {
			return
		}
		h[j], h[m] = h[m], h[j]
		cs[h[j]].Pos = int32(j)
		cs[h[m]].Pos = int32(m)
		j = m
	}
}

// Top returns the counters of the open window's top K, most frequent first
// (ties: first occurrence first).
func (o *TopK) Top() []Counter {
	cs := o.State.Counters
	o.order = o.order[:0]
	for j := range cs {
		o.order = append(o.order, int32(j))
	}
	sort.Slice(o.order, func(a, b int) bool {
		x, y := &cs[o.order[a]], &cs[o.order[b]]
		if x.Count != y.Count {
			return x.Count > y.Count
		}
		return x.First < y.First
	})
	k := min(o.cfg.K, len(o.order))
	top := make([]Counter, k)
	for i := range top {
		top[i] = cs[o.order[i]]
	}
	return top
}

func (o *TopK) emit() {
	s := &o.State
	end := s.Window.end()
	for _, c := range o.Top() {
		row := o.out.Grow(end)
		row[0], row[1] = c.Item, value.NewInt(c.Count)
	}
	s.Window.Open, s.Rows, s.Seq = false, 0, 0
	s.Counters, s.Heap = s.Counters[:0], s.Heap[:0]
	clear(o.index)
}

// rebuild makes the derived index after State was loaded from a checkpoint.
func (o *TopK) rebuild() {
	clear(o.index)
	for j, c := range o.State.Counters {
		o.index[c.Key] = int32(j)
	}
}

func (o *TopK) Advance(t int64) {
	if o.State.Window.Open && t >= o.State.Window.end() {
		o.emit()
	}
	o.out.Advance(t)
}
