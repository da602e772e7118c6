package engine

import (
	"io"
	"time"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/progress"
)

// feedRecord is a live record waiting for the other shards; c is set when
// a worker decoded it (Ahead), as record i of c.
type feedRecord struct {
	in    int
	shard string
	rec   input.Record
	c     *chunk
	i     int32
}

// Feed orders the records of a live run's shards by arrival time before
// they enter the pipeline, with per-shard progress and an idle interval
// (docs/semantics.md, "Time progress in live runs"): a record enters once
// every active shard has delivered, or promised, nothing earlier; a shard
// silent for IdleTimeout stops holding time back; with every shard silent,
// time follows the wall clock IdleTimeout behind, so windows still close.
type Feed struct {
	p   *Pipeline
	m   *progress.Merger[feedRecord]
	now func() time.Time
	// Skew is how far behind the wall clock a caught-up shard's next record
	// may still have arrived (the server stamps arrival on write).
	Skew time.Duration
}

// NewFeed returns a feed into p; idle 0 means DefaultIdleTimeout; now nil
// means time.Now.
func NewFeed(p *Pipeline, idle time.Duration, now func() time.Time) *Feed {
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if now == nil {
		now = time.Now
	}
	return &Feed{p: p, m: progress.NewMerger[feedRecord](idle, now), now: now, Skew: time.Second}
}

// Open registers a shard before its first read, so it holds time back.
func (f *Feed) Open(shard string) { f.m.Open(shard) }

// Close ends a shard that will deliver nothing (more): it no longer holds
// time back.
func (f *Feed) Close(shard string) { f.m.Close(shard) }

// ShardRead is one read of a shard of a live run's input.
type ShardRead struct {
	Input   int
	Shard   string // the feed's name of the shard
	Records []input.Record
	// Decoded, if set, is Ahead.Decode of Records: the workers' rows.
	Decoded *Decoded
	// MillisBehind is how far the read is behind the shard's tip.
	MillisBehind int64
	// End: the shard has ended (read to its end after a reshard).
	End bool
}

// Batch takes one read of a shard. A shard that is caught up promises
// nothing older than now - Skew. Records that can go are pushed at once.
func (f *Feed) Batch(r ShardRead) {
	d := r.Decoded
	if d != nil {
		d.wait()
	}
	f.m.AddEach(r.Shard, len(r.Records), func(i int) (int64, feedRecord) {
		fr := feedRecord{in: r.Input, shard: r.Shard, rec: r.Records[i]}
		if d != nil {
			fr.c, fr.i = d.at(i)
		}
		return fr.rec.Arrival, fr
	})
	if r.MillisBehind == 0 && !r.End {
		f.m.Progress(r.Shard, f.now().Add(-f.Skew).UnixMilli())
	}
	if r.End {
		f.m.Close(r.Shard)
	}
	f.Tick()
}

// push moves a released record into the pipeline.
func (f *Feed) push(_ int64, r feedRecord) {
	if r.c == nil {
		f.p.Push(r.in, -1, r.rec)
		return
	}
	f.p.pushDecoded(r.in, -1, r.rec, r.c, r.i)
	if r.c.pushed == len(r.c.recs) {
		r.c.pool.recycle(r.c)
	}
}

// Tick releases what the shards' progress allows and moves time to the
// bound; call it periodically (a live run does every poll interval), so
// that idle shards and idle streams let windows close.
func (f *Feed) Tick() {
	b := f.m.Release(f.push)
	if b > f.p.last {
		f.p.last = b
	}
	f.p.advance(f.p.last)
}

// Drain pushes everything still queued (the end of a live run).
func (f *Feed) Drain() {
	f.m.Flush(f.push)
	f.p.advance(f.p.last)
}

// Queued is the number of records waiting for slower shards.
func (f *Feed) Queued() int { return f.m.Len() }

// Snapshot writes the records waiting for slower shards, in release order,
// with the shard each came from. Written with the pipeline's state and the
// positions of the records received, they make a consistent checkpoint:
// what was read is either in the graph, in this queue, or after the
// positions.
func (f *Feed) Snapshot(w io.Writer) error {
	return operators.WriteState(w, func(sw *operators.StateWriter) {
		items := f.m.Queued()
		sw.Uvarint(uint64(len(items)))
		for _, it := range items {
			r := it.Value
			sw.Int(r.in)
			sw.String(r.shard)
			sw.Varint(r.rec.Arrival)
			sw.Bytes(r.rec.Data)
			sw.String(r.rec.PartitionKey)
			sw.String(r.rec.SequenceNumber)
			sw.String(r.rec.ShardID)
		}
		// Shards read to their end with records still queued: they must not
		// hold time back after a restore (no reader will report for them).
		var closed []string
		seen := map[string]bool{}
		for _, it := range items {
			if s := it.Value.shard; !seen[s] && f.m.Closed(s) {
				seen[s] = true
				closed = append(closed, s)
			}
		}
		sw.Uvarint(uint64(len(closed)))
		for _, s := range closed {
			sw.String(s)
		}
	})
}

// Restore queues again what Snapshot wrote (into a feed of a pipeline just
// started from the same application).
func (f *Feed) Restore(r io.Reader) error {
	sr := operators.NewStateReader(r)
	n := sr.Len()
	for i := 0; i < n && sr.Err() == nil; i++ {
		in, shard := sr.Int(), sr.String()
		rec := input.Record{Arrival: sr.Varint(), Data: sr.Bytes(), PartitionKey: sr.String(), SequenceNumber: sr.String(), ShardID: sr.String()}
		if sr.Err() == nil && (in < 0 || in >= len(f.p.targets)) {
			sr.Failf("queued record of input %d; the application has %d", in, len(f.p.targets))
		}
		f.m.Add(shard, rec.Arrival, feedRecord{in: in, shard: shard, rec: rec})
	}
	for i, n := 0, sr.Len(); i < n && sr.Err() == nil; i++ {
		f.m.Close(sr.String())
	}
	return sr.End()
}
