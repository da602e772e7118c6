package engine

import (
	"time"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/progress"
)

// feedRecord is a live record waiting for the other shards.
type feedRecord struct {
	in  int
	rec input.Record
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

// Batch takes one read of a shard of input in: its records, how far it is
// behind the tip, and whether the shard has ended (read to its end after a
// reshard). A shard that is caught up promises nothing older than now -
// Skew. Records that can go are pushed at once.
func (f *Feed) Batch(in int, shard string, recs []input.Record, millisBehind int64, end bool) {
	for _, r := range recs {
		f.m.Add(shard, r.Arrival, feedRecord{in, r})
	}
	if millisBehind == 0 && !end {
		f.m.Progress(shard, f.now().Add(-f.Skew).UnixMilli())
	}
	if end {
		f.m.Close(shard)
	}
	f.Tick()
}

// Tick releases what the shards' progress allows and moves time to the
// bound; call it periodically (a live run does every poll interval), so
// that idle shards and idle streams let windows close.
func (f *Feed) Tick() {
	b := f.m.Release(func(_ int64, r feedRecord) { f.p.Push(r.in, -1, r.rec) })
	if b > f.p.last {
		f.p.last = b
	}
	f.p.advance(f.p.last)
}

// Drain pushes everything still queued (the end of a live run).
func (f *Feed) Drain() {
	f.m.Flush(func(_ int64, r feedRecord) { f.p.Push(r.in, -1, r.rec) })
	f.p.advance(f.p.last)
}

// Queued is the number of records waiting for slower shards.
func (f *Feed) Queued() int { return f.m.Len() }
