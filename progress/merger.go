// Package progress orders records from several shards (or several
// sources) by arrival time with per-shard progress, so that ROWTIME, taken
// from the arrival time, is non-decreasing without a slow shard's records
// being clamped into later windows, and so that an idle shard cannot hold
// every window open: after an idle interval it stops holding time back.
package progress

import (
	"container/heap"
	"sort"
	"time"
)

// Item is one record waiting to be released.
type Item[T any] struct {
	Arrival int64 // milliseconds since the epoch
	Value   T
	seq     uint64
}

// Merger releases items of all shards in arrival order once every active
// shard has progressed past them.
//
// A shard's progress is the latest arrival time it delivered, or a later
// watermark it reported (a Kinesis shard that is caught up, say, cannot
// deliver records older than the moment it was read). A shard that has
// delivered nothing and reported nothing for Idle (wall clock) is idle:
// it no longer holds the others back. When every shard is idle, time
// still moves: the bound becomes now - Idle, so windows close at most Idle
// after their end even with no input at all.
type Merger[T any] struct {
	Idle time.Duration
	Now  func() time.Time

	shards map[string]*shard
	heap   itemHeap[T]
	seq    uint64
	bound  int64
}

type shard struct {
	progress int64
	activity time.Time
	closed   bool
}

// NewMerger returns a merger with the given idle interval and clock (nil:
// time.Now).
func NewMerger[T any](idle time.Duration, now func() time.Time) *Merger[T] {
	if now == nil {
		now = time.Now
	}
	return &Merger[T]{Idle: idle, Now: now, shards: map[string]*shard{}, bound: -1 << 62}
}

func (m *Merger[T]) shard(id string) *shard {
	s, ok := m.shards[id]
	if !ok {
		s = &shard{progress: -1 << 62, activity: m.Now()}
		m.shards[id] = s
	}
	return s
}

// Open registers a shard before it delivers anything, so that it holds
// time back from the start (until it is idle).
func (m *Merger[T]) Open(id string) { m.shard(id) }

// Add queues an item of shard id.
func (m *Merger[T]) Add(id string, arrival int64, v T) {
	s := m.shard(id)
	s.activity = m.Now()
	if arrival > s.progress {
		s.progress = arrival
	}
	m.seq++
	heap.Push(&m.heap, Item[T]{Arrival: arrival, Value: v, seq: m.seq})
}

// Progress reports that shard id will deliver nothing that arrived before
// watermark.
func (m *Merger[T]) Progress(id string, watermark int64) {
	s := m.shard(id)
	s.activity = m.Now()
	if watermark > s.progress {
		s.progress = watermark
	}
}

// Close ends a shard (read to its end, or the end of a replay): it no
// longer holds time back.
func (m *Merger[T]) Close(id string) { m.shard(id).closed = true }

// Closed reports whether shard id was closed.
func (m *Merger[T]) Closed(id string) bool {
	s, ok := m.shards[id]
	return ok && s.closed
}

// Bound is the time up to which items can be released: the least progress
// of the active shards, or now - Idle when none is active. It never
// decreases.
func (m *Merger[T]) Bound() int64 {
	now := m.Now()
	b := int64(1<<63 - 1)
	active := false
	closedMax := int64(-1 << 62)
	for _, s := range m.shards {
		if s.closed {
			closedMax = max(closedMax, s.progress)
			continue
		}
		if now.Sub(s.activity) > m.Idle {
			continue
		}
		active = true
		if s.progress < b {
			b = s.progress
		}
	}
	if !active {
		// Nothing holds time back: it follows the wall clock, Idle behind,
		// and never stays before what closed shards delivered.
		b = max(now.Add(-m.Idle).UnixMilli(), closedMax)
	}
	if b > m.bound {
		m.bound = b
	}
	return m.bound
}

// Release calls emit for every queued item with arrival at or before the
// bound, in arrival order (ties in the order added), and returns the bound.
func (m *Merger[T]) Release(emit func(arrival int64, v T)) int64 {
	b := m.Bound()
	for len(m.heap) > 0 && m.heap[0].Arrival <= b {
		it := heap.Pop(&m.heap).(Item[T])
		emit(it.Arrival, it.Value)
	}
	return b
}

// Flush releases everything queued (the end of the input).
func (m *Merger[T]) Flush(emit func(arrival int64, v T)) {
	for len(m.heap) > 0 {
		it := heap.Pop(&m.heap).(Item[T])
		emit(it.Arrival, it.Value)
	}
}

// Len is the number of queued items.
func (m *Merger[T]) Len() int { return len(m.heap) }

// Queued returns a copy of the queued items in the order Release would
// give them (a checkpoint writes them; adding them back in that order to a
// new merger queues them in the same order).
func (m *Merger[T]) Queued() []Item[T] {
	out := append([]Item[T](nil), m.heap...)
	sort.Slice(out, func(i, j int) bool { return itemHeap[T](out).Less(i, j) })
	return out
}

type itemHeap[T any] []Item[T]

func (h itemHeap[T]) Len() int { return len(h) }
func (h itemHeap[T]) Less(i, j int) bool {
	if h[i].Arrival != h[j].Arrival {
		return h[i].Arrival < h[j].Arrival
	}
	return h[i].seq < h[j].seq
}
func (h itemHeap[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap[T]) Push(x any)   { *h = append(*h, x.(Item[T])) }
func (h *itemHeap[T]) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// Reorder sorts a single sequence by arrival within a slack of n items: a
// replayed recording whose shards are interleaved a little out of arrival
// order comes out in arrival order, as a live run would merge it.
//
// Items that arrive in order (the usual recording) queue in a FIFO at no
// cost beyond a copy; only an item earlier than the FIFO's last goes into
// a heap. Both release in (arrival, insertion) order, so the output is
// the one a single heap gives.
type Reorder[T any] struct {
	n    int
	fifo []Item[T] // from head: non-decreasing arrivals, in insertion order
	head int
	heap itemHeap[T]
	seq  uint64
}

// NewReorder returns a reorder buffer holding up to n items (n < 1: 1).
func NewReorder[T any](n int) *Reorder[T] {
	if n < 1 {
		n = 1
	}
	return &Reorder[T]{n: n}
}

// Add queues v; when the buffer is full it returns the earliest item.
func (r *Reorder[T]) Add(arrival int64, v T) (Item[T], bool) {
	r.seq++
	it := Item[T]{Arrival: arrival, Value: v, seq: r.seq}
	if r.head == len(r.fifo) || r.fifo[len(r.fifo)-1].Arrival <= arrival {
		r.fifo = append(r.fifo, it)
	} else {
		heap.Push(&r.heap, it)
	}
	if len(r.fifo)-r.head+len(r.heap) > r.n {
		return r.pop(), true
	}
	return Item[T]{}, false
}

// Next returns the earliest queued item (draining at the end of input).
func (r *Reorder[T]) Next() (Item[T], bool) {
	if r.head == len(r.fifo) && len(r.heap) == 0 {
		return Item[T]{}, false
	}
	return r.pop(), true
}

// Peek is the earliest queued arrival.
func (r *Reorder[T]) Peek() (int64, bool) {
	switch {
	case r.head == len(r.fifo) && len(r.heap) == 0:
		return 0, false
	case r.fromHeap():
		return r.heap[0].Arrival, true
	}
	return r.fifo[r.head].Arrival, true
}

// fromHeap says whether the earliest item is the heap's.
func (r *Reorder[T]) fromHeap() bool {
	if len(r.heap) == 0 {
		return false
	}
	if r.head == len(r.fifo) {
		return true
	}
	h, f := r.heap[0], r.fifo[r.head]
	return h.Arrival < f.Arrival || h.Arrival == f.Arrival && h.seq < f.seq
}

func (r *Reorder[T]) pop() Item[T] {
	if r.fromHeap() {
		return heap.Pop(&r.heap).(Item[T])
	}
	it := r.fifo[r.head]
	r.fifo[r.head] = Item[T]{} // let the value go
	r.head++
	switch {
	case r.head == len(r.fifo):
		r.fifo, r.head = r.fifo[:0], 0
	case r.head >= 1024 && 2*r.head >= len(r.fifo):
		n := copy(r.fifo, r.fifo[r.head:])
		clear(r.fifo[n:])
		r.fifo, r.head = r.fifo[:n], 0
	}
	return it
}
