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
	"math/rand/v2"
	"time"

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
	// Logf, if set, hears about deliveries that keep failing: once a
	// flush has retried for ReportEvery (default 5 s), and every
	// ReportEvery after, what is still waiting, for how long, and why.
	Logf        func(format string, args ...any)
	ReportEvery time.Duration
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
	o       Options
	pending []Entry
	bytes   int
	stats   Stats
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
	return &Batcher{o: o}
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

// Add queues one record, sending a batch first when the record would not
// fit in it. A record over the per-record limit is refused (ErrTooLarge).
func (b *Batcher) Add(ctx context.Context, e Entry) error {
	n := b.size(e)
	if b.o.Limits.RecordBytes > 0 && n > b.o.Limits.RecordBytes {
		return fmt.Errorf("%w for %s: %d bytes, the limit is %d", ErrTooLarge, b.o.Name, n, b.o.Limits.RecordBytes)
	}
	if len(b.pending) > 0 && (len(b.pending)+1 > b.o.Limits.Records || b.bytes+n > b.o.Limits.Bytes) {
		if err := b.Flush(ctx); err != nil {
			b.pending = append(b.pending, e) // still counted as not delivered
			b.bytes += n
			return err
		}
	}
	b.pending = append(b.pending, e)
	b.bytes += n
	if len(b.pending) >= b.o.Limits.Records {
		return b.Flush(ctx)
	}
	return nil
}

// Flush sends every queued record, retrying failures, and returns when all
// are delivered or an error ends the attempt (the records not delivered
// stay queued and the error says how many).
func (b *Batcher) Flush(ctx context.Context) error {
	attempts := make([]int, len(b.pending))
	batch := b.pending
	var r reporter
	for len(batch) > 0 {
		began := time.Now()
		res, err := b.o.Put(ctx, batch)
		b.stats.Calls++
		b.stats.Latency.Observe(time.Since(began))
		if err != nil || len(res.Failed) > 0 {
			b.stats.Failed++
		}
		if err != nil {
			if ctx.Err() != nil {
				b.keep(batch)
				return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(batch), context.Cause(ctx))
			}
			if b.o.Transient == nil || !b.o.Transient(err) {
				b.keep(batch)
				return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(batch), err)
			}
			res = Result{Failed: make([]int, len(batch)), Code: "call failed", Message: err.Error()}
			for i := range batch {
				res.Failed[i] = i
			}
		}
		b.stats.Records += int64(len(batch) - len(res.Failed))
		if len(res.Failed) == 0 {
			break
		}
		b.stats.Throttled++
		retry := make([]Entry, 0, len(res.Failed))
		ra := make([]int, 0, len(res.Failed))
		worst := 0
		for _, i := range res.Failed {
			retry = append(retry, batch[i])
			ra = append(ra, attempts[i]+1)
			worst = max(worst, attempts[i]+1)
		}
		batch, attempts = retry, ra
		b.stats.Retried += int64(len(batch))
		if b.o.MaxAttempts > 0 && worst >= b.o.MaxAttempts {
			b.keep(batch)
			return fmt.Errorf("%s: %d record(s) not delivered after %d attempts: %s: %s", b.o.Name, len(batch), worst, res.Code, res.Message)
		}
		r.failed(len(batch), worst, res)
		if err := r.sleep(ctx, b, b.delay(worst)); err != nil {
			b.keep(batch)
			return fmt.Errorf("%s: %d record(s) not delivered: %w", b.o.Name, len(batch), context.Cause(ctx))
		}
	}
	b.pending, b.bytes = b.pending[:0], 0
	return nil
}

// reporter says, every ReportEvery of one flush's retries, what is still
// not delivered: a destination that keeps refusing is never silent.
type reporter struct {
	start, last time.Time
	retried     int64 // sends failed since the last report
	waiting     int
	attempts    int
	res         Result
}

func (r *reporter) failed(waiting, attempts int, res Result) {
	if r.start.IsZero() {
		r.start = time.Now()
		r.last = r.start
	}
	r.retried += int64(len(res.Failed))
	r.waiting, r.attempts, r.res = waiting, attempts, res
}

// sleep waits d before the next try, reporting when a report falls due.
func (r *reporter) sleep(ctx context.Context, b *Batcher, d time.Duration) error {
	end := time.Now().Add(d)
	for b.o.Logf != nil {
		due := r.last.Add(b.o.ReportEvery)
		if due.After(end) {
			break
		}
		if err := Sleep(ctx, time.Until(due)); err != nil {
			return err
		}
		b.o.Logf("%s: %d record(s) not yet delivered after %s and %d attempts (%d sends failed since the last report; the last: %s: %s); retrying",
			b.o.Name, r.waiting, time.Since(r.start).Round(time.Second), r.attempts, r.retried, r.res.Code, r.res.Message)
		r.last, r.retried = time.Now(), 0
	}
	return Sleep(ctx, time.Until(end))
}

// keep leaves only the undelivered records queued.
func (b *Batcher) keep(batch []Entry) {
	b.pending = append(b.pending[:0:0], batch...)
	b.bytes = 0
	for _, e := range b.pending {
		b.bytes += b.size(e)
	}
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
