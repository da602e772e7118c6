// Package deliver batches records for a put-many API (Kinesis PutRecords,
// Firehose PutRecordBatch, a Lambda invocation) within its limits and
// retries what fails, entry by entry, with backoff, until it succeeds or a
// limit of attempts is reached. Nothing is dropped silently: a record too
// large for the API is refused when added, and records still failing at
// the limit are returned as an error.
package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/internal/latency"
)

// Entry is one record to deliver.
type Entry struct {
	Data []byte
	Key  string // partition key (Kinesis); unused elsewhere
}

// Limits of one put call.
type Limits struct {
	Records     int // records per call
	Bytes       int // bytes per call (data, plus keys when KeysCount)
	RecordBytes int // bytes per record (data, plus key when KeysCount)
	KeysCount   bool
}

// Result of one put call: the indexes of the entries that failed (to be
// sent again) and, for messages, the first failure's code and text.
type Result struct {
	Failed  []int
	Code    string
	Message string
}

// PutFunc sends entries in one call. An error is a failure of the whole
// call; Transient says whether it is worth retrying.
type PutFunc func(ctx context.Context, entries []Entry) (Result, error)

// Options configure a Batcher.
type Options struct {
	Limits Limits
	Put    PutFunc
	// Transient classifies a whole-call error (nil: none is retried).
	Transient func(error) bool
	// MaxAttempts is how many times one record is sent before giving up
	// (0: no limit, retry until it succeeds or the context ends).
	MaxAttempts int
	BackoffBase time.Duration // default 100 ms
	BackoffMax  time.Duration // default 5 s
	// Name is the destination, for messages.
	Name string
	// Backlog is how many queued records make Add wait until the
	// destination has taken them all (default 4 calls' worth).
	Backlog int
	// Logf, if set, hears about deliveries that keep failing: once a
	// flush has retried for ReportEvery (default 5 s), and every
	// ReportEvery after, what is still waiting, for how long, and why.
	Logf        func(format string, args ...any)
	ReportEvery time.Duration
	// Log, when set, reports instead of Logf as structured lines.
	Log *slog.Logger
}

// ErrTooLarge is returned by Add for a record over the per-record limit.
var ErrTooLarge = errors.New("record too large")

// Stats count what a Batcher did.
type Stats struct {
	Records   int64 // records delivered
	Calls     int64 // put calls made
	Retried   int64 // records sent again after a failure
	Throttled int64 // calls or entries that failed and were retried
	Failed    int64 // calls that failed wholly or in part (retried or not)
	// Latency is the duration of every put call.
	Latency latency.Histogram
}

// Batcher accumulates entries and sends them in batches.
type Batcher struct {
	o        Options
	pending  []Entry
	attempts []int // sends so far of each pending entry
	bytes    int
	stats    Stats
	perCall  int       // records per call now (adaptive, at most Limits.Records)
	stalls   int       // calls in a row that delivered nothing
	retryAt  time.Time // no call before this (backoff)
	rep      reporter
}

// New makes a Batcher.
func New(o Options) *Batcher {
	if o.BackoffBase <= 0 {
		o.BackoffBase = 100 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Second
	}
	if o.ReportEvery <= 0 {
		o.ReportEvery = 5 * time.Second
	}
	return &Batcher{o: o, perCall: max(1, o.Limits.Records)}
}

// Stats returns the counts so far.
func (b *Batcher) Stats() Stats { return b.stats }

// Pending is the number of records not yet delivered.
func (b *Batcher) Pending() int { return len(b.pending) }

func (b *Batcher) size(e Entry) int {
	n := len(e.Data)
	if b.o.Limits.KeysCount {
		n += len(e.Key)
	}
	return n
}

// Add queues one record; once a call's worth is queued it sends (Send).
// When the destination falls far behind (Backlog records queued) Add waits
// for it (Flush): the back-pressure that bounds what a run holds. A record
// over the per-record limit is refused (ErrTooLarge).
func (b *Batcher) Add(ctx context.Context, e Entry) error {
	n := b.size(e)
	if b.o.Limits.RecordBytes > 0 && n > b.o.Limits.RecordBytes {
		return fmt.Errorf("%w for %s: %d bytes, the limit is %d", ErrTooLarge, b.o.Name, n, b.o.Limits.RecordBytes)
	}
	b.pending = append(b.pending, e)
	b.attempts = append(b.attempts, 0)
	b.bytes += n
	switch {
	case len(b.pending) >= b.backlog():
		return b.Flush(ctx)
	case len(b.pending) >= b.o.Limits.Records || b.bytes >= b.o.Limits.Bytes:
		return b.Send(ctx)
	}
	return nil
}

// backlog is how many queued records make Add wait for the destination.
func (b *Batcher) backlog() int {
	if b.o.Backlog > 0 {
		return b.o.Backlog
	}
	return 4 * max(1, b.o.Limits.Records)
}

// Flush sends every queued record, retrying failures, and returns when all
// are delivered or an error ends the attempt (the records not delivered
// stay queued and the error says how many).
func (b *Batcher) Flush(ctx context.Context) error {
	for len(b.pending) > 0 {
		if err := b.Send(ctx); err != nil {
			return err
		}
		if len(b.pending) == 0 {
			break
		}
		if err := b.wait(ctx); err != nil {
			return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(b.pending), context.Cause(ctx))
		}
	}
	return nil
}

// Send makes one pass over the queue without waiting: every queued record
// is sent once, in calls within the limits, unless the destination asked
// for a pause that has not ended yet. What fails stays queued for the next
// pass. It returns an error only for what no retry mends: an error that is
// not transient, the attempt limit, or ctx's end.
//
// Pacing follows the destination, not each record's misfortune: a pass in
// which some entries failed (a hot shard) is followed by the next after a
// short pause; a call that delivers nothing (the whole call throttled, the
// destination unreachable) ends the pass, backs off exponentially and
// halves the records per call, which grows again by a tenth of the limit
// with every call that delivers. Failed records wait in the queue with the
// new ones, so the run goes on reading while they are retried; a steady
// share of throttled entries costs a steady share of throughput.
func (b *Batcher) Send(ctx context.Context) error {
	b.rep.due(b)
	if len(b.pending) == 0 || time.Now().Before(b.retryAt) {
		return nil
	}
	var failed []Entry
	var fa []int
	var last Result
	worst := 0
	for todo := len(b.pending); todo > 0; {
		k := min(b.callSize(b.pending), todo)
		batch := b.pending[:k]
		began := time.Now()
		res, err := b.o.Put(ctx, batch)
		b.stats.Calls++
		b.stats.Latency.Observe(time.Since(began))
		if err != nil || len(res.Failed) > 0 {
			b.stats.Failed++
		}
		if err != nil {
			if ctx.Err() != nil {
				b.requeue(failed, fa)
				return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(b.pending), context.Cause(ctx))
			}
			if b.o.Transient == nil || !b.o.Transient(err) {
				b.requeue(failed, fa)
				return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(b.pending), err)
			}
			res = Result{Failed: make([]int, len(batch)), Code: "call failed", Message: err.Error()}
			for i := range batch {
				res.Failed[i] = i
			}
		}
		delivered := k - len(res.Failed)
		b.stats.Records += int64(delivered)
		for _, i := range res.Failed {
			failed = append(failed, batch[i])
			fa = append(fa, b.attempts[i]+1)
			worst = max(worst, b.attempts[i]+1)
		}
		b.pending, b.attempts = b.pending[k:], b.attempts[k:]
		todo -= k
		if len(res.Failed) > 0 {
			last = res
			b.stats.Throttled++
			b.stats.Retried += int64(len(res.Failed))
		}
		if b.o.MaxAttempts > 0 && worst >= b.o.MaxAttempts {
			b.requeue(failed, fa)
			return fmt.Errorf("%s: %d record(s) not delivered after %d attempts: %s: %s", b.o.Name, len(b.pending), worst, last.Code, last.Message)
		}
		if delivered == 0 {
			b.stalls++
			b.perCall = max(1, b.perCall/2)
			break
		}
		b.stalls = 0
		b.perCall = min(max(1, b.o.Limits.Records), b.perCall+max(1, b.o.Limits.Records/10))
	}
	b.requeue(failed, fa)
	switch {
	case len(failed) == 0:
		if len(b.pending) == 0 {
			b.rep = reporter{}
		}
		return nil
	case b.stalls > 0:
		b.retryAt = time.Now().Add(b.delay(b.stalls + 1))
	default:
		b.retryAt = time.Now().Add(b.delay(1)) // part went through: a short pause
	}
	b.rep.failed(len(failed), worst, last)
	b.rep.due(b)
	return nil
}

// requeue puts records that failed in this pass back at the front of the
// queue and recounts its bytes.
func (b *Batcher) requeue(failed []Entry, attempts []int) {
	b.pending = append(append(make([]Entry, 0, len(failed)+len(b.pending)), failed...), b.pending...)
	b.attempts = append(append(make([]int, 0, len(attempts)+len(b.attempts)), attempts...), b.attempts...)
	b.bytes = 0
	for _, e := range b.pending {
		b.bytes += b.size(e)
	}
}

// wait sleeps until the pause the destination asked for ends, reporting
// when a report falls due.
func (b *Batcher) wait(ctx context.Context) error {
	for {
		d := time.Until(b.retryAt)
		if b.o.Logf != nil && !b.rep.start.IsZero() {
			if due := time.Until(b.rep.last.Add(b.o.ReportEvery)); due < d {
				if err := Sleep(ctx, due); err != nil {
					return err
				}
				b.rep.due(b)
				continue
			}
		}
		return Sleep(ctx, d)
	}
}

// callSize is how many of the queued entries the next call takes: at most
// the adaptive size, within the byte limit.
func (b *Batcher) callSize(queue []Entry) int {
	n, bytes := 0, 0
	for n < len(queue) && n < b.perCall {
		k := b.size(queue[n])
		if n > 0 && bytes+k > b.o.Limits.Bytes {
			break
		}
		bytes += k
		n++
	}
	return n
}

// reporter says, every ReportEvery while records keep failing, what is
// still not delivered: a destination that keeps refusing is never silent.
type reporter struct {
	start, last time.Time
	retried     int64 // sends failed since the last report
	attempts    int
	res         Result
}

func (r *reporter) failed(n, attempts int, res Result) {
	if r.start.IsZero() {
		r.start = time.Now()
		r.last = r.start
	}
	r.retried += int64(n)
	r.attempts = max(r.attempts, attempts)
	r.res = res
}

// due reports if a report is due.
func (r *reporter) due(b *Batcher) {
	if (b.o.Logf == nil && b.o.Log == nil) || r.start.IsZero() || time.Since(r.last) < b.o.ReportEvery {
		return
	}
	event.Note(b.o.Log, b.o.Logf, slog.LevelWarn, event.Delivery, []any{"destination", b.o.Name, "pending", len(b.pending),
		"failing_seconds", time.Since(r.start).Seconds(), "attempts", r.attempts, "failed_sends", r.retried, "code", r.res.Code},
		"%s: %d record(s) not yet delivered after %s, up to %d attempts (%d sends failed since the last report; the last: %s: %s); retrying",
		b.o.Name, len(b.pending), time.Since(r.start).Round(time.Second), r.attempts, r.retried, r.res.Code, r.res.Message)
	r.last, r.retried = time.Now(), 0
}

func (b *Batcher) delay(attempt int) time.Duration {
	return Jitter(b.o.BackoffBase, b.o.BackoffMax, attempt-1)
}

// Jitter is capped exponential backoff with jitter: the wait before retry
// attempt (from 0) is base doubled attempt times, at most max, and a random
// point in its upper half.
func Jitter(base, max time.Duration, attempt int) time.Duration {
	d := base << min(attempt, 20)
	if d <= 0 || d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// PendingData returns the queued records' bytes (for reporting what could
// not be delivered).
func (b *Batcher) PendingData() [][]byte {
	out := make([][]byte, len(b.pending))
	for i, e := range b.pending {
		out[i] = e.Data
	}
	return out
}

// IncompleteAnswer is a put call whose answer does not give a result for
// every entry sent: the whole call counts as failed (and is retried).
type IncompleteAnswer struct{ Sent, Answered int }

func (e *IncompleteAnswer) Error() string {
	return fmt.Sprintf("the answer covers %d of %d records sent", e.Answered, e.Sent)
}
