package plan

import (
	"sync/atomic"

	"github.com/streamsql/streamsql/operators"
)

// Concurrent parts. A part is a set of pumps that share state: pumps
// reading or writing the same in-application stream (other than a source
// stream) are in one part, with that stream's fan-in and fan-out. Two parts
// share only what nobody writes while rows flow: the source batch, the
// reference tables, the evaluation context. So when a source stream hands
// a batch (or a bound) to its readers, the readers of different parts can
// take it on separate goroutines.
//
// What a part does that anyone can see is the calls it makes into the
// run's outputs (the operators bound to its streams) and into the error
// sink. While parts run at once, each records those calls, per reader of
// the source stream, instead of making them; once every part is done, the
// calls are made on the caller's goroutine in the order of the source
// stream's readers, which is the order in which the sequential fan-out
// makes them (each reader, its whole cascade included, before the next).
// Every output, and the error sink, sees the same calls with the same rows
// in the same order at any number of lanes: a replay writes the same
// bytes (TestConcurrentPumpsIdentical).

// partition gives each pump its part, numbered from 0 in the order of the
// pumps, and each stream that a pump reads or writes (source streams
// excepted) the part of those pumps; n is the number of parts.
func (g *Graph) partition() (pumpPart []int, streamPart map[string]int, n int) {
	parts := sets[int]{}
	owner := map[string]int{} // a pump of each shared stream
	join := func(stream string, p int) {
		if s := g.Catalog.Stream(stream); s == nil || s.Source {
			return
		}
		if q, ok := owner[stream]; ok {
			if a, b := parts.find(p), parts.find(q); a != b {
				parts.link(max(a, b), min(a, b))
			}
			return
		}
		owner[stream] = p
	}
	for i, p := range g.Pumps {
		join(p.Target.Name, i)
		for _, r := range p.Reads {
			join(r, i)
		}
	}
	pumpPart = make([]int, len(g.Pumps))
	number := map[int]int{}
	for i := range g.Pumps {
		root := parts.find(i)
		k, ok := number[root]
		if !ok {
			k = len(number)
			number[root] = k
		}
		pumpPart[i] = k
	}
	streamPart = map[string]int{}
	for s, p := range owner {
		streamPart[s] = pumpPart[p]
	}
	return pumpPart, streamPart, len(number)
}

// part is one part of a running graph; cur is where its outputs' calls
// go while the part runs beside others (nil: straight to the outputs).
type part struct {
	cur *recorder
}

// capture is an output bound to a stream of part pt.
type capture struct {
	pt *part
	op operators.Operator
}

func (c *capture) Push(b *operators.Batch) {
	if rec := c.pt.cur; rec != nil {
		rec.push(c.op, b)
		return
	}
	c.op.Push(b)
}

func (c *capture) Advance(t int64) {
	if rec := c.pt.cur; rec != nil {
		rec.advance(c.op, t)
		return
	}
	c.op.Advance(t)
}

// partErrors is the error sink of part pt's operators.
type partErrors struct {
	pt   *part
	sink operators.ErrorSink
}

func (e *partErrors) Error(r operators.ErrorRecord) {
	if rec := e.pt.cur; rec != nil {
		rec.errs = append(rec.errs, r)
		rec.calls = append(rec.calls, call{sink: e.sink, err: len(rec.errs) - 1})
		return
	}
	e.sink.Error(r)
}

// recorder holds the calls one reader's cascade made into outputs and the
// error sink, to be made later in the same order (replay).
type recorder struct {
	calls []call
	errs  []operators.ErrorRecord
	spare []*operators.Batch // copies of pushed batches, reused
	used  int                // spare[:used] hold rows not yet replayed
}

// call is one recorded call: Push(b), Error(errs[err]) when sink is set,
// else Advance(t).
type call struct {
	op   operators.Operator
	sink operators.ErrorSink
	b    *operators.Batch
	t    int64
	err  int
}

func (r *recorder) push(op operators.Operator, b *operators.Batch) {
	if r.used == len(r.spare) {
		r.spare = append(r.spare, &operators.Batch{})
	}
	c := r.spare[r.used]
	r.used++
	c.Width = b.Width
	c.Vals = append(c.Vals, b.Vals...)
	c.Times = append(c.Times, b.Times...)
	r.calls = append(r.calls, call{op: op, b: c})
}

func (r *recorder) advance(op operators.Operator, t int64) {
	r.calls = append(r.calls, call{op: op, t: t})
}

// replay makes the recorded calls and forgets them.
func (r *recorder) replay() {
	for _, c := range r.calls {
		switch {
		case c.b != nil:
			c.op.Push(c.b)
		case c.sink != nil:
			c.sink.Error(r.errs[c.err])
		default:
			c.op.Advance(c.t)
		}
	}
	clear(r.calls)
	r.calls = r.calls[:0]
	clear(r.errs)
	r.errs = r.errs[:0]
	for _, b := range r.spare[:r.used] {
		b.Reset()
	}
	r.used = 0
}

// lanes is how a running graph runs its parts at once (Bindings.Lanes and
// LaneRows); forks counts the batches and bounds that went to parts on
// separate goroutines.
type lanes struct {
	n     int
	rows  int
	forks atomic.Int64
}

// fanout is the fan-out of a source stream when parts may run at once:
// the outputs bound to the stream first, on the caller's goroutine, then
// the readers, grouped by part.
type fanout struct {
	l      *lanes
	outs   []operators.Operator
	subs   []reader
	groups [][]int // the readers of each part (indexes into subs), by first reader
	parts  []*part // the part of each group
	rows   int     // rows pushed since the last bound
}

type reader struct {
	op  operators.Operator
	rec recorder
}

func (f *fanout) add(op operators.Operator, pt *part) {
	f.subs = append(f.subs, reader{op: op})
	for g, q := range f.parts {
		if q == pt {
			f.groups[g] = append(f.groups[g], len(f.subs)-1)
			return
		}
	}
	f.parts = append(f.parts, pt)
	f.groups = append(f.groups, []int{len(f.subs) - 1})
}

func (f *fanout) Push(b *operators.Batch) {
	for _, o := range f.outs {
		o.Push(b)
	}
	f.rows += b.Len()
	if f.worth(b.Len()) {
		f.fork(func(op operators.Operator) { op.Push(b) })
		return
	}
	for i := range f.subs {
		f.subs[i].op.Push(b)
	}
}

func (f *fanout) Advance(t int64) {
	for _, o := range f.outs {
		o.Advance(t)
	}
	rows := f.rows
	f.rows = 0
	if t == operators.EndOfTime {
		rows = max(rows, f.l.rows) // every window closes: the most work a bound can bring
	}
	if f.worth(rows) {
		f.fork(func(op operators.Operator) { op.Advance(t) })
		return
	}
	for i := range f.subs {
		f.subs[i].op.Advance(t)
	}
}

// worth tells whether the readers should take a batch of `rows` rows (or
// the bound after them) on separate goroutines: when they are of several
// parts, and rows enough that the hand-off costs less than it saves.
func (f *fanout) worth(rows int) bool {
	return len(f.groups) > 1 && rows >= f.l.rows
}

// fork runs do on every reader, each part's readers in order on one
// goroutine, up to l.n parts at once (the caller's goroutine is one of
// them); then it makes the calls the readers recorded, in the readers'
// order. A panic in a part is raised again on the caller's goroutine.
//
// The caller waits for the parts, not for the goroutines: a goroutine
// takes the next part not yet taken, so on a busy machine, where a
// goroutine started for the fork may get no core for a while, the caller
// runs the parts itself and goes on; the goroutine, when it runs, finds
// nothing left and ends.
func (f *fanout) fork(do func(op operators.Operator)) {
	f.l.forks.Add(1)
	n := len(f.groups)
	st := &forkState{done: make(chan struct{})}
	st.left.Store(int32(n))
	work := func() {
		for {
			g := int(st.next.Add(1)) - 1
			if g >= n {
				return
			}
			f.run(g, do, st)
			if st.left.Add(-1) == 0 {
				close(st.done)
			}
		}
	}
	for range min(f.l.n, n) - 1 {
		go work()
	}
	work()
	<-st.done
	if p := st.failed.Load(); p != nil {
		panic(*p)
	}
	for i := range f.subs {
		f.subs[i].rec.replay()
	}
}

// forkState is one fork's: the next part to take, the parts not done, and
// the first panic.
type forkState struct {
	next, left atomic.Int32
	done       chan struct{} // closed when left reaches 0
	failed     atomic.Pointer[any]
}

// run runs do on the readers of part g, recording their calls.
func (f *fanout) run(g int, do func(op operators.Operator), st *forkState) {
	pt := f.parts[g]
	defer func() {
		pt.cur = nil
		if p := recover(); p != nil {
			st.failed.CompareAndSwap(nil, &p)
		}
	}()
	for _, i := range f.groups[g] {
		pt.cur = &f.subs[i].rec
		do(f.subs[i].op)
	}
}
