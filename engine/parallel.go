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

// Parallel replay: per recording, one goroutine reads it (lines, envelopes,
// base64) into numbered chunks, workers decode the chunks' payloads into
// rows, and the run loop takes the chunks back in their order. Everything
// that depends on order stays in the run loop, untouched: the reorder
// buffer, ROWTIME (the arrival time, never below the last), the shard's
// stream, the batch boundaries and error_stream. A worker decodes with the
// arrival time as ROWTIME; the loop gives each row and error its final
// ROWTIME when the record goes in. So a replay writes the same bytes at any
// GOMAXPROCS (TestParallelReplayIdentical).

// chunkRecords is how many records a chunk carries.
const chunkRecords = 1024

// prefetchAlways runs the parallel path even on one core (tests).
var prefetchAlways = false

// replayRecord is a record on its way from a replay to the pipeline; chunk
// is set when a worker has already decoded it (row and error ranges).
type replayRecord struct {
	input.Record
	chunk *chunk
	index int32
}

// chunk is a run of records in file order, with what the workers made of
// them.
type chunk struct {
	recs     []input.Record
	readErrs []readErr // errors between records, in order
	end      bool      // the recording ends after this chunk
	arena    []byte    // the bytes its records own (input.UseArena), reused with the chunk
	rows     *operators.Batch
	rowEnd   []int32 // per record: end of its rows in rows
	errs     []operators.ErrorRecord
	errEnd   []int32 // per record: end of its errors in errs
	done     chan struct{}
	taken    int // records handed to the run loop
	pushed   int // records pushed into the pipeline
}

type readErr struct {
	at  int // records before it in the chunk
	err error
}

func (c *chunk) Error(e operators.ErrorRecord) { c.errs = append(c.errs, e) }

// prefetcher runs the reader and the workers of one replay.
type prefetcher struct {
	order chan *chunk // chunks in file order, for the run loop
	free  chan *chunk // pushed chunks, for the reader to fill again
	quit  chan struct{}
	wg    sync.WaitGroup
	cur   *chunk
	rec   int // next record of cur
	err   int // next read error of cur
	width int
}

// prefetch starts the parallel path for every replay it applies to: one
// that feeds one in-application stream, with ROWTIME from the recording,
// on more than one core. It returns the function that stops them.
func (p *Pipeline) prefetch(sources []*source) func() {
	procs := runtime.GOMAXPROCS(0)
	sequential := func(s *source, why string) {
		p.note(slog.LevelDebug, event.Decoding, []any{"replay", s.name, "parallel", false, "reason", why},
			"replay %s: records are read and decoded on the run loop's goroutine: %s", s.name, why)
	}
	if p.o.InsertionTime || (procs < 2 && !prefetchAlways) {
		why := "one core (GOMAXPROCS 1)"
		if p.o.InsertionTime {
			why = "--insertion-time stamps each record when the run loop takes it"
		}
		for _, s := range sources {
			sequential(s, why)
		}
		return func() {}
	}
	var started []*prefetcher
	for _, s := range sources {
		if s.stream < 0 && len(p.targets[s.input]) != 1 {
			sequential(s, "records go to the input's streams by shard, in order of first sight")
			continue
		}
		workers := max((procs-1)/len(sources), 1)
		pf, err := p.startPrefetch(s, workers)
		if err != nil {
			// Cannot happen after validate built the same decoder; if it
			// does, the replay is still right, only slower: say why.
			p.note(slog.LevelWarn, event.Decoding, []any{"replay", s.name, "parallel", false, "error", err.Error()},
				"replay %s: parallel decoding did not start (%v); decoding on one goroutine", s.name, err)
			continue
		}
		p.note(slog.LevelDebug, event.Decoding, []any{"replay", s.name, "parallel", true, "workers", workers},
			"replay %s: records are decoded by %d workers", s.name, workers)
		started = append(started, pf)
	}
	return func() {
		for _, pf := range started {
			close(pf.quit)
			pf.wg.Wait()
		}
	}
}

// startPrefetch starts a reader and decoding workers for one replay.
func (p *Pipeline) startPrefetch(s *source, workers int) (*prefetcher, error) {
	schema := p.l.inputs[s.input].schema
	decs := make([]*decode.Decoder, workers)
	for i := range decs {
		d, err := decode.New(schema)
		if err != nil {
			return nil, err
		}
		d.Reused = true // the chunks' arenas
		decs[i] = d
	}
	pf := &prefetcher{order: make(chan *chunk, 2*len(decs)+2), free: make(chan *chunk, 4*len(decs)+16),
		quit: make(chan struct{}), width: p.decoders[s.input].Width()}
	work := make(chan *chunk, 2*len(decs)+2)
	pf.wg.Add(1 + len(decs))
	go pf.read(s.rd, work)
	for _, d := range decs {
		go pf.decode(d, work)
	}
	s.ahead = pf
	return pf, nil
}

// read fills chunks from the recording, in file order.
func (pf *prefetcher) read(rd input.Reader, work chan<- *chunk) {
	defer pf.wg.Done()
	defer close(work)
	defer close(pf.order)
	defer input.UseArena(rd, nil)
	for {
		var c *chunk
		select {
		case c = <-pf.free:
		default:
			c = &chunk{rows: operators.NewBatch(pf.width, chunkRecords)}
		}
		c.done = make(chan struct{})
		input.UseArena(rd, &c.arena)
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
		select {
		case work <- c:
		case <-pf.quit:
			return
		}
		select {
		case pf.order <- c:
		case <-pf.quit:
			return
		}
		if c.end {
			return
		}
	}
}

// decode turns a chunk's payloads into rows, each record's rows and
// errors in its own range.
func (pf *prefetcher) decode(d *decode.Decoder, work <-chan *chunk) {
	defer pf.wg.Done()
	for c := range work {
		for _, rec := range c.recs {
			d.Decode(rec.Arrival, rec.Data, decode.Meta{Arrival: rec.Arrival, PartitionKey: rec.PartitionKey,
				SequenceNumber: rec.SequenceNumber, ShardID: rec.ShardID}, c.rows, c)
			c.rowEnd = append(c.rowEnd, int32(c.rows.Len()))
			c.errEnd = append(c.errEnd, int32(len(c.errs)))
		}
		close(c.done)
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

// release hands a chunk back to the reader once the run loop is done
// with all of it.
func (pf *prefetcher) release(c *chunk) {
	if pf.cur == c || c.pushed < c.taken || c.taken < len(c.recs) {
		return
	}
	clear(c.recs)
	c.recs, c.readErrs, c.rowEnd, c.errEnd, c.arena = c.recs[:0], c.readErrs[:0], c.rowEnd[:0], c.errEnd[:0], c.arena[:0]
	clear(c.errs)
	c.errs = c.errs[:0]
	c.rows.Reset()
	c.taken, c.pushed, c.end = 0, 0, false
	select {
	case pf.free <- c:
	default:
	}
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
	rowtime, tg := p.place(s.input, s.stream, r.Record)
	r0, e0 := int32(0), int32(0)
	if r.index > 0 {
		r0, e0 = c.rowEnd[r.index-1], c.errEnd[r.index-1]
	}
	r1, e1 := c.rowEnd[r.index], c.errEnd[r.index]
	for i := r0; i < r1; i++ {
		copy(tg.batch.Grow(rowtime), c.rows.Row(int(i)))
	}
	for _, e := range c.errs[e0:e1] {
		e.Time, e.DataRowtime = rowtime, rowtime
		p.errs.Error(e)
	}
	c.pushed++
	s.ahead.release(c)
	return p.pushed(s.input, r.Record, r1 == r0 && e1 > e0)
}
