package engine

import (
	"errors"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"unsafe"

	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/operators"
)

// Parallel decoding: records go to the workers of a decodePool in
// numbered chunks; the workers decode the chunks' payloads into rows, and
// the run loop takes the chunks back in their order. Everything that
// depends on order stays in the run loop, untouched: the reorder buffer,
// ROWTIME (the arrival time, never below the last), the shard's stream,
// the batch boundaries and error_stream. A worker decodes with the arrival
// time as ROWTIME; the loop gives each row and error its final ROWTIME
// when the record goes in (pushDecoded). So a run writes the same bytes at
// any GOMAXPROCS.
//
// A replay fills the chunks from one goroutine per recording, which reads
// the lines, envelopes and base64 (prefetcher; TestParallelReplayIdentical).
// A live run hands each read of a shard to the pool as it comes from the
// shard readers (Ahead) and the feed pushes the decoded records in its
// merge order (TestFeedDecodedAheadIdentical).

// chunkRecords is how many records a chunk carries.
const chunkRecords = 1024

// prefetchAlways runs the parallel path even on one core (tests);
// prefetchNever keeps it off on any number (benchmarks of the path
// before).
var prefetchAlways, prefetchNever = false, false

// sequential says why the run decodes on the run loop's goroutine ("":
// it decodes in workers, on more than one core with ROWTIME from the
// records).
func (p *Pipeline) sequential() string {
	switch {
	case p.o.InsertionTime:
		return "--insertion-time stamps each record when the run loop takes it"
	case prefetchNever:
		return "parallel decoding turned off (benchmark)"
	case runtime.GOMAXPROCS(0) < 2 && !prefetchAlways:
		return "one core (GOMAXPROCS 1)"
	}
	return ""
}

// chunk is a run of records of one input, in order, with what the workers
// made of them.
type chunk struct {
	in       int
	pool     *decodePool
	recs     []input.Record
	readErrs []readErr // a replay's errors between records, in order
	end      bool      // the recording ends after this chunk
	arena    []byte    // the bytes its records own (input.UseArena), reused with the chunk
	reused   bool      // its records are in arena: decode with Decoder.Reused
	rows     *operators.Batch
	rowEnd   []int32 // per record: end of its rows in rows
	errs     []operators.ErrorRecord
	errEnd   []int32 // per record: end of its errors in errs
	done     chan struct{}
	taken    int // a replay's records handed to the run loop
	pushed   int // records pushed into the pipeline
}

type readErr struct {
	at  int // records before it in the chunk
	err error
}

func (c *chunk) Error(e operators.ErrorRecord) { c.errs = append(c.errs, e) }

// decodePool is the workers of a run, with a decoder per worker and
// input, and per input the chunks done with, to fill again.
type decodePool struct {
	size      int // workers
	work      chan *chunk
	free      []chan *chunk
	widths    []int
	quit      chan struct{} // closed when the run stops: producers give up
	producers sync.WaitGroup
	workers   sync.WaitGroup
}

// startDecoding starts the workers of a run (an error: a decoder could
// not be made; records are then decoded on the run loop).
func (p *Pipeline) startDecoding() (*decodePool, error) {
	workers := max(runtime.GOMAXPROCS(0)-1, 1)
	decs := make([][]*decode.Decoder, workers)
	for w := range decs {
		decs[w] = make([]*decode.Decoder, len(p.l.inputs))
		for i, in := range p.l.inputs {
			d, err := decode.New(in.schema)
			if err != nil {
				return nil, err
			}
			// A replay's payloads and a live read's are allocations of
			// their own, never written again (input.Reader, kinesis.Batch;
			// a replay's arena is copied out of with Decoder.Reused).
			d.Stable = true
			decs[w][i] = d
		}
	}
	dp := &decodePool{size: workers, work: make(chan *chunk, 2*workers+2), free: make([]chan *chunk, len(p.l.inputs)),
		widths: make([]int, len(p.l.inputs)), quit: make(chan struct{})}
	for i := range dp.free {
		dp.free[i] = make(chan *chunk, 4*workers+16)
		dp.widths[i] = p.decoders[i].Width()
	}
	dp.workers.Add(workers)
	for _, d := range decs {
		go dp.decode(d)
	}
	return dp, nil
}

// chunk is an empty chunk for input in, room for n records made when new.
func (dp *decodePool) chunk(in, n int) *chunk {
	var c *chunk
	select {
	case c = <-dp.free[in]:
	default:
		c = &chunk{in: in, pool: dp, rows: operators.NewBatch(dp.widths[in], n)}
	}
	c.done = make(chan struct{})
	return c
}

// submit queues a filled chunk for the workers; false when the run is
// stopping.
func (dp *decodePool) submit(c *chunk) bool {
	select {
	case dp.work <- c:
		return true
	case <-dp.quit:
		return false
	}
}

// decode turns chunks' payloads into rows, each record's rows and errors
// in its own range.
func (dp *decodePool) decode(decs []*decode.Decoder) {
	defer dp.workers.Done()
	for c := range dp.work {
		d := decs[c.in]
		d.Reused = c.reused
		for _, rec := range c.recs {
			d.Decode(rec.Arrival, rec.Data, decode.Meta{Arrival: rec.Arrival, PartitionKey: rec.PartitionKey,
				SequenceNumber: rec.SequenceNumber, ShardID: rec.ShardID}, c.rows, c)
			c.rowEnd = append(c.rowEnd, int32(c.rows.Len()))
			c.errEnd = append(c.errEnd, int32(len(c.errs)))
		}
		close(c.done)
	}
}

// recycle takes back a chunk every record of which was pushed.
func (dp *decodePool) recycle(c *chunk) {
	clear(c.recs)
	c.recs, c.readErrs, c.rowEnd, c.errEnd, c.arena = c.recs[:0], c.readErrs[:0], c.rowEnd[:0], c.errEnd[:0], c.arena[:0]
	clear(c.errs)
	c.errs = c.errs[:0]
	c.rows.Reset()
	c.taken, c.pushed, c.end, c.reused = 0, 0, false, false
	select {
	case dp.free[c.in] <- c:
	default:
	}
}

// stop ends the producers, then the workers once they have decoded what
// was submitted.
func (dp *decodePool) stop() {
	close(dp.quit)
	dp.producers.Wait()
	close(dp.work)
	dp.workers.Wait()
}

// pushDecoded moves record i of chunk c, which a worker decoded, into the
// pipeline as Push would: its rows and errors get their ROWTIME now.
func (p *Pipeline) pushDecoded(in, stream int, rec input.Record, c *chunk, i int32) bool {
	rowtime, tg := p.place(in, stream, rec)
	r0, e0 := int32(0), int32(0)
	if i > 0 {
		r0, e0 = c.rowEnd[i-1], c.errEnd[i-1]
	}
	r1, e1 := c.rowEnd[i], c.errEnd[i]
	for k := r0; k < r1; k++ {
		copy(tg.batch.Grow(rowtime), c.rows.Row(int(k)))
	}
	for _, e := range c.errs[e0:e1] {
		e.Time, e.DataRowtime = rowtime, rowtime
		p.errs.Error(e)
	}
	c.pushed++
	return p.pushed(in, rec, r1 == r0 && e1 > e0)
}

// replayRecord is a record on its way from a replay to the pipeline; chunk
// is set when a worker has already decoded it (row and error ranges).
type replayRecord struct {
	input.Record
	chunk *chunk
	index int32
}

// prefetcher reads one recording into chunks for the pool.
type prefetcher struct {
	pool  *decodePool
	order chan *chunk // chunks in file order, for the run loop
	cur   *chunk
	rec   int // next record of cur
	err   int // next read error of cur
}

// prefetch starts the parallel path for every replay it applies to: one
// that feeds one in-application stream, with ROWTIME from the recording,
// on more than one core. It returns the function that stops them.
func (p *Pipeline) prefetch(sources []*source) func() {
	sequential := func(s *source, why string) {
		p.note(slog.LevelDebug, event.Decoding, []any{"replay", s.name, "parallel", false, "reason", why},
			"replay %s: records are read and decoded on the run loop's goroutine: %s", s.name, why)
	}
	if why := p.sequential(); why != "" {
		for _, s := range sources {
			sequential(s, why)
		}
		return func() {}
	}
	var dp *decodePool
	for _, s := range sources {
		if s.stream < 0 && len(p.targets[s.input]) != 1 {
			sequential(s, "records go to the input's streams by shard, in order of first sight")
			continue
		}
		if dp == nil {
			var err error
			if dp, err = p.startDecoding(); err != nil {
				// Cannot happen after validate built the same decoder; if it
				// does, the replay is still right, only slower: say why.
				p.note(slog.LevelWarn, event.Decoding, []any{"replay", s.name, "parallel", false, "error", err.Error()},
					"replay %s: parallel decoding did not start (%v); decoding on one goroutine", s.name, err)
				return func() {}
			}
		}
		pf := &prefetcher{pool: dp, order: make(chan *chunk, cap(dp.work))}
		dp.producers.Add(1)
		go pf.read(s.input, s.rd)
		s.ahead = pf
		p.note(slog.LevelDebug, event.Decoding, []any{"replay", s.name, "parallel", true, "workers", dp.size},
			"replay %s: records are decoded by %d workers", s.name, dp.size)
	}
	if dp == nil {
		return func() {}
	}
	return dp.stop
}

// read fills chunks from the recording, in file order.
func (pf *prefetcher) read(in int, rd input.Reader) {
	defer pf.pool.producers.Done()
	defer close(pf.order)
	defer input.UseArena(rd, nil)
	for {
		c := pf.pool.chunk(in, chunkRecords)
		c.reused = input.UseArena(rd, &c.arena)
		for len(c.recs) < chunkRecords && !c.end {
			rec, err := rd.Next()
			switch {
			case err == nil:
				c.recs = append(c.recs, rec)
			case errors.Is(err, io.EOF):
				c.end = true
			default:
				c.readErrs = append(c.readErrs, readErr{len(c.recs), err})
				var le *input.LineError
				c.end = !errors.As(err, &le) // a recording that cannot be read on
			}
		}
		if !pf.pool.submit(c) {
			return
		}
		select {
		case pf.order <- c:
		case <-pf.pool.quit:
			return
		}
		if c.end {
			return
		}
	}
}

// next is the recording's next record or read error, in file order, as
// input.Reader's Next gives them.
func (pf *prefetcher) next() (replayRecord, error) {
	for {
		if pf.cur == nil {
			c, ok := <-pf.order
			if !ok {
				return replayRecord{}, io.EOF
			}
			<-c.done
			pf.cur, pf.rec, pf.err = c, 0, 0
		}
		c := pf.cur
		if pf.err < len(c.readErrs) && c.readErrs[pf.err].at == pf.rec {
			pf.err++
			return replayRecord{}, c.readErrs[pf.err-1].err
		}
		if pf.rec < len(c.recs) {
			pf.rec++
			c.taken++
			return replayRecord{Record: c.recs[pf.rec-1], chunk: c, index: int32(pf.rec - 1)}, nil
		}
		if c.end {
			return replayRecord{}, io.EOF
		}
		pf.cur = nil
		pf.release(c)
	}
}

// release hands a chunk back to the pool once the run loop is done with
// all of it.
func (pf *prefetcher) release(c *chunk) {
	if pf.cur == c || c.pushed < c.taken || c.taken < len(c.recs) {
		return
	}
	pf.pool.recycle(c)
}

// pushReplay moves a replayed record into the pipeline: its decoded rows
// when a worker made them, else decoded now.
func (p *Pipeline) pushReplay(s *source, r replayRecord) bool {
	// Counted by shard: input.Reader gives every record of a shard the same
	// (interned) ID string, so the usual check is a length and a pointer.
	sh := p.shardAt[s.input]
	if sh == nil || len(r.ShardID) != len(sh.ID) || unsafe.StringData(r.ShardID) != unsafe.StringData(sh.ID) {
		sh = p.shardMiss(s.input, r.ShardID)
	}
	sh.Records++
	sh.Bytes += int64(len(r.Data))
	c := r.chunk
	if c == nil {
		return p.Push(s.input, s.stream, r.Record)
	}
	flowed := p.pushDecoded(s.input, s.stream, r.Record, c, r.index)
	s.ahead.release(c)
	return flowed
}

// Ahead decodes a live run's records in the pool's workers while the run
// loop goes on: Decode as the shards' reads come, the feed takes them back
// (Feed.Batch) in its own order.
type Ahead struct{ pool *decodePool }

// DecodeAhead starts the workers of a live run; nil on one core (the run
// loop decodes then, with nothing to hand over). It says which at debug
// level, as a replay does.
func (p *Pipeline) DecodeAhead() *Ahead {
	if why := p.sequential(); why != "" {
		p.note(slog.LevelDebug, event.Decoding, []any{"live", true, "parallel", false, "reason", why},
			"live: records are decoded on the run loop's goroutine: %s", why)
		return nil
	}
	dp, err := p.startDecoding()
	if err != nil {
		p.note(slog.LevelWarn, event.Decoding, []any{"live", true, "parallel", false, "error", err.Error()},
			"live: parallel decoding did not start (%v); decoding on one goroutine", err)
		return nil
	}
	p.note(slog.LevelDebug, event.Decoding, []any{"live", true, "parallel", true, "workers", dp.size},
		"live: records are decoded by %d workers", dp.size)
	return &Ahead{pool: dp}
}

// Decoded is a read of input records in the workers' hands.
type Decoded struct{ chunks []*chunk }

// Decode hands a read of input in to the workers; it waits only while
// they are several chunks behind (backpressure on the shard readers). Any
// goroutine may call it; a nil Ahead decodes nothing.
func (a *Ahead) Decode(in int, recs []input.Record) *Decoded {
	if a == nil || len(recs) == 0 {
		return nil
	}
	d := &Decoded{chunks: make([]*chunk, 0, (len(recs)+chunkRecords-1)/chunkRecords)}
	for len(recs) > 0 {
		n := min(len(recs), chunkRecords)
		c := a.pool.chunk(in, n)
		c.recs = append(c.recs, recs[:n]...)
		if !a.pool.submit(c) {
			return nil // stopped: the feed decodes them
		}
		d.chunks = append(d.chunks, c)
		recs = recs[n:]
	}
	return d
}

// Close stops the workers, once no Decode is running or will run.
func (a *Ahead) Close() {
	if a != nil {
		a.pool.stop()
	}
}

// wait returns once the workers have decoded every chunk of d.
func (d *Decoded) wait() {
	for _, c := range d.chunks {
		<-c.done
	}
}

// at is record i of the read: its chunk and index there.
func (d *Decoded) at(i int) (*chunk, int32) {
	return d.chunks[i/chunkRecords], int32(i % chunkRecords)
}
