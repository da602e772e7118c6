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
//
// Each shard queues its items in its own FIFO (records of a shard mostly
// arrive in order; one that comes earlier than its shard's last goes to
// the shard's heap), and a small heap of the shards by their first item
// picks the next: a record costs a copy in and out and a step of that
// heap, whatever the number queued.
type Merger[T any] struct {
	Idle time.Duration
	Now  func() time.Time

	shards map[string]*shard[T]
	ready  shardHeap[T] // the shards with items, by their first
	n      int          // items queued
	seq    uint64
	bound  int64
}

type shard[T any] struct {
	progress int64
	activity time.Time
	closed   bool
	q        queue[T]
	at       int // index in ready, -1 when empty
}

// NewMerger returns a merger with the given idle interval and clock (nil:
// time.Now).
func NewMerger[T any](idle time.Duration, now func() time.Time) *Merger[T] {
	if now == nil {
		now = time.Now
	}
	return &Merger[T]{Idle: idle, Now: now, shards: map[string]*shard[T]{}, bound: -1 << 62}
}

func (m *Merger[T]) shard(id string) *shard[T] {
	s, ok := m.shards[id]
	if !ok {
		s = &shard[T]{progress: -1 << 62, activity: m.Now(), at: -1}
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
	m.add(s, arrival, v)
}

// AddEach queues n items of shard id, item i being at(i), as n calls of
// Add would (one look-up of the shard and one reading of the clock).
func (m *Merger[T]) AddEach(id string, n int, at func(i int) (int64, T)) {
	if n == 0 {
		return
	}
	s := m.shard(id)
	s.activity = m.Now()
	for i := range n {
		arrival, v := at(i)
		m.add(s, arrival, v)
	}
}

func (m *Merger[T]) add(s *shard[T], arrival int64, v T) {
	if arrival > s.progress {
		s.progress = arrival
	}
	m.seq++
	m.n++
	first := s.q.first()
	empty := first == nil
	earlier := !empty && arrival < first.Arrival // it becomes the shard's first
	s.q.push(Item[T]{Arrival: arrival, Value: v, seq: m.seq})
	if empty {
		heap.Push(&m.ready, s)
	} else if earlier {
		heap.Fix(&m.ready, s.at)
	}
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
	m.release(b, emit)
	return b
}

// Flush releases everything queued (the end of the input).
func (m *Merger[T]) Flush(emit func(arrival int64, v T)) { m.release(1<<63-1, emit) }

// release emits the items that arrived at or before b, in order.
func (m *Merger[T]) release(b int64, emit func(arrival int64, v T)) {
	for len(m.ready) > 0 {
		s := m.ready[0]
		if s.q.first().Arrival > b {
			return
		}
		it := s.q.pop()
		m.n--
		if s.q.len() == 0 {
			heap.Pop(&m.ready)
		} else {
			heap.Fix(&m.ready, 0)
		}
		emit(it.Arrival, it.Value)
	}
}

// Len is the number of queued items.
func (m *Merger[T]) Len() int { return m.n }

// Queued returns a copy of the queued items in the order Release would
// give them (a checkpoint writes them; adding them back in that order to a
// new merger queues them in the same order).
func (m *Merger[T]) Queued() []Item[T] {
	out := make([]Item[T], 0, m.n)
	for _, s := range m.shards {
		out = s.q.appendTo(out)
	}
	sort.Slice(out, func(i, j int) bool { return itemHeap[T](out).Less(i, j) })
	return out
}

// shardHeap orders the shards with queued items by their first item.
type shardHeap[T any] []*shard[T]

func (h shardHeap[T]) Len() int { return len(h) }
func (h shardHeap[T]) Less(i, j int) bool {
	a, b := h[i].q.first(), h[j].q.first()
	return a.Arrival < b.Arrival || a.Arrival == b.Arrival && a.seq < b.seq
}
func (h shardHeap[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].at, h[j].at = i, j
}
func (h *shardHeap[T]) Push(x any) {
	s := x.(*shard[T])
	s.at = len(*h)
	*h = append(*h, s)
}
func (h *shardHeap[T]) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	s.at = -1
	return s
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
	n   int
	q   queue[T]
	seq uint64
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
	r.q.push(Item[T]{Arrival: arrival, Value: v, seq: r.seq})
	if r.q.len() > r.n {
		return r.q.pop(), true
	}
	return Item[T]{}, false
}

// Next returns the earliest queued item (draining at the end of input).
func (r *Reorder[T]) Next() (Item[T], bool) {
	if r.q.len() == 0 {
		return Item[T]{}, false
	}
	return r.q.pop(), true
}

// Peek is the earliest queued arrival.
func (r *Reorder[T]) Peek() (int64, bool) {
	if it := r.q.first(); it != nil {
		return it.Arrival, true
	}
	return 0, false
}

// queue holds items in (arrival, insertion) order: in a FIFO while they
// come in order, at no cost beyond a copy; an item earlier than the
// FIFO's last goes into a heap. Both give their items in (arrival,
// insertion) order, so the queue gives the order one heap would.
type queue[T any] struct {
	fifo []Item[T] // from head: non-decreasing arrivals, in insertion order
	head int
	heap itemHeap[T]
}

// push queues an item; its seq is above every queued item's.
func (q *queue[T]) push(it Item[T]) {
	if q.head == len(q.fifo) || q.fifo[len(q.fifo)-1].Arrival <= it.Arrival {
		q.fifo = append(q.fifo, it)
	} else {
		heap.Push(&q.heap, it)
	}
}

func (q *queue[T]) len() int { return len(q.fifo) - q.head + len(q.heap) }

// first is the earliest item (nil: none), valid until the next change.
func (q *queue[T]) first() *Item[T] {
	if q.fromHeap() {
		return &q.heap[0]
	}
	if q.head < len(q.fifo) {
		return &q.fifo[q.head]
	}
	return nil
}

// fromHeap says whether the earliest item is the heap's.
func (q *queue[T]) fromHeap() bool {
	if len(q.heap) == 0 {
		return false
	}
	if q.head == len(q.fifo) {
		return true
	}
	h, f := q.heap[0], q.fifo[q.head]
	return h.Arrival < f.Arrival || h.Arrival == f.Arrival && h.seq < f.seq
}

// pop takes the earliest item out; the queue must not be empty.
func (q *queue[T]) pop() Item[T] {
	if q.fromHeap() {
		return heap.Pop(&q.heap).(Item[T])
	}
	it := q.fifo[q.head]
	q.fifo[q.head] = Item[T]{} // let the value go
	q.head++
	switch {
	case q.head == len(q.fifo):
		q.fifo, q.head = q.fifo[:0], 0
	case q.head >= 1024 && 2*q.head >= len(q.fifo):
		n := copy(q.fifo, q.fifo[q.head:])
		clear(q.fifo[n:])
		q.fifo, q.head = q.fifo[:n], 0
	}
	return it
}

// appendTo appends the queued items to out, in no particular order.
func (q *queue[T]) appendTo(out []Item[T]) []Item[T] {
	return append(append(out, q.fifo[q.head:]...), q.heap...)
}
