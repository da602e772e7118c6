package deliver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A put function that records calls and fails chosen entries.
type fake struct {
	calls    [][]Entry
	fail     func(call int, e Entry) bool
	callErr  func(call int) error
	received map[string]int
}

func (f *fake) put(_ context.Context, es []Entry) (Result, error) {
	call := len(f.calls)
	f.calls = append(f.calls, append([]Entry(nil), es...))
	if f.callErr != nil {
		if err := f.callErr(call); err != nil {
			return Result{}, err
		}
	}
	var r Result
	for i, e := range es {
		if f.fail != nil && f.fail(call, e) {
			r.Failed = append(r.Failed, i)
			r.Code, r.Message = "ProvisionedThroughputExceededException", "slow down"
			continue
		}
		f.received[string(e.Data)]++
	}
	return r, nil
}

func newFake() *fake { return &fake{received: map[string]int{}} }

func TestBatchesWithinLimits(t *testing.T) {
	f := newFake()
	b := New(Options{Limits: Limits{Records: 5, Bytes: 100, RecordBytes: 40, KeysCount: true}, Put: f.put, BackoffBase: time.Millisecond})
	ctx := context.Background()
	for i := 0; i < 23; i++ {
		if err := b.Add(ctx, Entry{Data: []byte(fmt.Sprintf("record-%02d-%s", i, strings.Repeat("x", i%3*10))), Key: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add(ctx, Entry{Data: make([]byte, 40), Key: "k"}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("41 bytes with the key: %v", err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range f.calls {
		n := 0
		for _, e := range c {
			n += len(e.Data) + len(e.Key)
		}
		if len(c) > 5 || n > 100 {
			t.Fatalf("a call of %d records, %d bytes: over the limits", len(c), n)
		}
		total += len(c)
	}
	if total != 23 || len(f.received) != 23 || b.Stats().Records != 23 {
		t.Fatalf("delivered %d (%d distinct), stats %+v", total, len(f.received), b.Stats())
	}
}

// Failed entries are sent again, alone, until they succeed; order of the
// successful ones is kept within each call.
func TestPartialFailuresRetried(t *testing.T) {
	f := newFake()
	f.fail = func(call int, e Entry) bool { return call < 3 && strings.HasSuffix(string(e.Data), "3") }
	b := New(Options{Limits: Limits{Records: 500, Bytes: 1 << 20}, Put: f.put, BackoffBase: time.Millisecond})
	for i := 0; i < 40; i++ {
		b.Add(context.Background(), Entry{Data: []byte(fmt.Sprint(i))})
	}
	if err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 4 || len(f.calls[1]) != 4 {
		t.Fatalf("calls %d, second of %d records; want 4 calls, the retries holding only the 4 failed records", len(f.calls), len(f.calls[1]))
	}
	for i := 0; i < 40; i++ {
		if f.received[fmt.Sprint(i)] != 1 {
			t.Fatalf("record %d delivered %d times", i, f.received[fmt.Sprint(i)])
		}
	}
	if s := b.Stats(); s.Retried != 12 || s.Records != 40 {
		t.Fatalf("stats %+v", s)
	}
}

// At the attempt limit the error names the count; the records stay queued
// and a later Flush delivers them.
func TestAttemptLimitIsAnError(t *testing.T) {
	f := newFake()
	failing := true
	f.fail = func(int, Entry) bool { return failing }
	b := New(Options{Limits: Limits{Records: 10, Bytes: 1000}, Put: f.put, MaxAttempts: 3, BackoffBase: time.Millisecond, Name: "stream out"})
	for i := 0; i < 4; i++ {
		b.Add(context.Background(), Entry{Data: []byte{byte('a' + i)}})
	}
	err := b.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "4 record(s) not delivered after 3 attempts") || !strings.Contains(err.Error(), "ProvisionedThroughputExceeded") {
		t.Fatalf("err = %v", err)
	}
	if len(f.calls) != 3 || b.Pending() != 4 {
		t.Fatalf("%d calls, %d pending", len(f.calls), b.Pending())
	}
	failing = false
	if err := b.Flush(context.Background()); err != nil || len(f.received) != 4 {
		t.Fatalf("after recovery: %v, %d delivered", err, len(f.received))
	}
}

// Whole-call errors: transient ones are retried, others end the flush.
func TestCallErrors(t *testing.T) {
	f := newFake()
	transient := errors.New("503")
	f.callErr = func(call int) error {
		if call < 2 {
			return transient
		}
		return nil
	}
	b := New(Options{Limits: Limits{Records: 10, Bytes: 1000}, Put: f.put, Transient: func(err error) bool { return err == transient }, BackoffBase: time.Millisecond})
	b.Add(context.Background(), Entry{Data: []byte("x")})
	if err := b.Flush(context.Background()); err != nil || f.received["x"] != 1 {
		t.Fatalf("%v %v", err, f.received)
	}
	f2 := newFake()
	f2.callErr = func(int) error { return errors.New("AccessDenied") }
	b2 := New(Options{Limits: Limits{Records: 10, Bytes: 1000}, Put: f2.put, Transient: func(error) bool { return false }})
	b2.Add(context.Background(), Entry{Data: []byte("x")})
	if err := b2.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "AccessDenied") || b2.Pending() != 1 {
		t.Fatalf("%v pending %d", err, b2.Pending())
	}
}

// Send makes one pass and never waits: entries that fail stay queued (at
// the front) and go out with the next pass, after a short
// pause; a call that delivers nothing makes the next pass wait its backoff
// and halves the records per call, which grow back with calls that
// deliver. While records keep failing, Logf hears about them.
func TestSendPacesByWhatCallsDeliver(t *testing.T) {
	f := newFake()
	whole := errors.New("throttled")
	f.callErr = func(call int) error {
		if call == 1 {
			return whole
		}
		return nil
	}
	f.fail = func(call int, e Entry) bool { return call == 0 && strings.HasPrefix(string(e.Data), "a") }
	var logs []string
	b := New(Options{Limits: Limits{Records: 10, Bytes: 1 << 20}, Put: f.put, Transient: func(err error) bool { return err == whole },
		BackoffBase: 200 * time.Millisecond, ReportEvery: time.Nanosecond, Name: "out",
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }})
	ctx := context.Background()
	for _, d := range []string{"a1", "b1", "a2", "b2", "b3", "b4", "b5", "b6", "b7", "b8"} {
		if err := b.Add(ctx, Entry{Data: []byte(d), Key: "old"}); err != nil {
			t.Fatal(err)
		}
	}
	// The tenth Add sent a full call: the two "a" records failed.
	if len(f.calls) != 1 || b.Pending() != 2 || b.Stats().Records != 8 {
		t.Fatalf("%d calls, %d pending, %+v", len(f.calls), b.Pending(), b.Stats())
	}
	if err := b.Send(ctx); err != nil || len(f.calls) != 1 {
		t.Fatalf("a pass before the pause ended: %v, %d calls", err, len(f.calls))
	}
	time.Sleep(210 * time.Millisecond)
	if err := b.Send(ctx); err != nil || len(f.calls) != 2 || b.Pending() != 2 { // the whole call throttled
		t.Fatalf("%v, %d calls, %d pending", err, len(f.calls), b.Pending())
	}
	if got := f.calls[1]; len(got) != 2 || string(got[0].Data) != "a1" || string(got[1].Data) != "a2" {
		t.Fatalf("the retry sent %v; want the two failed records", got)
	}
	if b.perCall != 5 {
		t.Fatalf("records per call %d after a call that delivered nothing, want 5", b.perCall)
	}
	start := time.Now()
	if err := b.Flush(ctx); err != nil || b.Pending() != 0 || f.received["a1"] != 1 || f.received["a2"] != 1 {
		t.Fatalf("flush: %v, %d pending, %v", err, b.Pending(), f.received)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("the flush after a call that delivered nothing waited %v, want its backoff", d)
	}
	if b.perCall != 6 {
		t.Fatalf("records per call %d after a call that delivered, want 6", b.perCall)
	}
	if len(logs) == 0 || !strings.Contains(logs[0], "out: 2 record(s) not yet delivered") {
		t.Fatalf("reports: %q", logs)
	}
}
