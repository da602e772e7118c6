package engine

import (
	"fmt"
	"time"

	"github.com/streamsql/streamsql/operators"
)

// DefaultMaxFutureSkew is how far ahead of its shard's previous record a
// replayed record's arrival time may jump before it is suspect (see
// arrivalGuard).
const DefaultMaxFutureSkew = time.Hour

// The range of arrival times a TIMESTAMP can hold: years 1 to 9999.
const (
	minArrival = -62135596800000
	maxArrival = 253402300799999
)

// errArrival is the ERROR_NAME of records whose arrival time is rejected.
const errArrival = "Arrival time error"

// arrivalGuard keeps a replayed record whose arrival time cannot be right
// from moving the clock: one outside the TIMESTAMP range (a garbled or
// 1e30 timestamp), or one that jumps more than skew ahead of its shard's
// previous record while the shard's next record comes back before it (a
// stray clock, not a gap in the recording). Such a record would otherwise
// carry every later record into its window. Arrival times within a shard
// follow its sequence numbers, so the check runs per shard in file order,
// before the reorder slack; a jump that the shard's next record confirms
// is a gap and passes, as does a shard's last record. Rejected records go
// to error_stream.
type arrivalGuard struct {
	skew   int64 // ms; <= 0: only the range is checked
	shards map[string]*shardArrivals
	ready  []replayRecord // records classified and accepted, in order
	last   *shardArrivals // the shard of the record before, lastID
	lastID string
}

type shardArrivals struct {
	last int64
	seen bool
	held *replayRecord // a jump ahead, waiting for the shard's next record
}

func newArrivalGuard(skew time.Duration) *arrivalGuard {
	return &arrivalGuard{skew: skew.Milliseconds(), shards: map[string]*shardArrivals{}}
}

// add classifies a record read in file order; accepted records are
// appended to g.ready.
func (g *arrivalGuard) add(rec replayRecord, s *source, errs *errorFanout) {
	if rec.Arrival < minArrival || rec.Arrival > maxArrival {
		g.reject(rec, s, errs, "its arrival time is outside the years 1 to 9999")
		return
	}
	sh := g.last
	if sh == nil || rec.ShardID != g.lastID { // most records follow one of the same shard
		if sh = g.shards[rec.ShardID]; sh == nil {
			sh = &shardArrivals{}
			g.shards[rec.ShardID] = sh
		}
		g.last, g.lastID = sh, rec.ShardID
	}
	if h := sh.held; h != nil {
		sh.held = nil
		if rec.Arrival >= h.Arrival-g.skew {
			// The shard went on from there: a gap in the recording.
			g.accept(sh, *h)
		} else {
			g.reject(*h, s, errs, fmt.Sprintf("its arrival time %s is %s ahead of the record before it in shard %q (%s), and the next one (%s) comes back before it (--max-future-skew %s)",
				fmtMillis(h.Arrival), (time.Duration(h.Arrival-sh.last)*time.Millisecond).Round(time.Second), rec.ShardID, fmtMillis(sh.last), fmtMillis(rec.Arrival), time.Duration(g.skew)*time.Millisecond))
		}
	}
	if g.skew > 0 && sh.seen && rec.Arrival > sh.last+g.skew {
		held := rec // a copy: rec itself stays off the heap
		sh.held = &held
		return
	}
	g.accept(sh, rec)
}

// flush accepts the records still held at the end of the recording:
// nothing came after them in their shard.
func (g *arrivalGuard) flush() {
	for _, sh := range g.shards {
		if sh.held != nil {
			g.accept(sh, *sh.held)
			sh.held = nil
		}
	}
}

func (g *arrivalGuard) accept(sh *shardArrivals, rec replayRecord) {
	if !sh.seen || rec.Arrival > sh.last {
		sh.last = rec.Arrival
	}
	sh.seen = true
	g.ready = append(g.ready, rec)
}

func (g *arrivalGuard) reject(rec replayRecord, s *source, errs *errorFanout, why string) {
	s.stats.Records++
	s.stats.Failed++
	errs.Error(operators.ErrorRecord{Level: "ERROR", Name: errArrival, DataRow: rec.Data,
		Message: fmt.Sprintf("%s: record %s of shard %q not read: %s", s.name, rec.SequenceNumber, rec.ShardID, why)})
}

func fmtMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
}
