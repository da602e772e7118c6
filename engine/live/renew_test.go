package live

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamsql/streamsql/internal/awstest"
)

// A renewal that does not answer is tried again (DynamoDB on moto behind
// a proxy): one UpdateItem held back for twice the lease does not lose
// the lease, and the owner goes on renewing; the lease is lost only when
// DynamoDB stays unreachable until the lease runs out, or when another
// instance holds it.
func TestLeaseRenewalRetried(t *testing.T) {
	var hang atomic.Int64 // the UpdateItem call to hold back
	const d = 800 * time.Millisecond
	proxy := awstest.NewProxy(t, awstest.Moto, func(target string, n int, body []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".UpdateItem") && int64(n) == hang.Load() {
			time.Sleep(2 * d)
		}
		return 0, "", false
	})
	cfg := awstest.Config(t, proxy.URL)
	table := awstest.Name("lease")
	mk := func(name string) *lease {
		l, err := newLease(&Options{Lease: "dynamodb://" + table, LeaseDuration: d, Instance: name, cfg: cfg}, "app", t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	ctx := context.Background()
	a := mk("a")
	if err := a.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	hang.Store(2) // a's second renewal
	lost := make(chan error, 1)
	holdCtx, stopHolding := context.WithCancel(ctx)
	held := make(chan struct{})
	go func() {
		defer close(held)
		a.hold(holdCtx, func(err error) { lost <- err }, nil)
	}()
	renewals := func() int { return len(proxy.Calls("DynamoDB_20120810.UpdateItem")) }
	deadline := time.Now().Add(10 * time.Second)
	for renewals() < 6 {
		select {
		case err := <-lost:
			t.Fatalf("one renewal held back for %v lost the lease: %v", 2*d, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d renewals in 10 s", renewals())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A standby sees the lease renewed: it does not take it over.
	b := mk("b")
	wctx, cancel := context.WithTimeout(ctx, 2*d)
	if err := b.acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b acquired while a renewed: %v", err)
	}
	cancel()
	select {
	case err := <-lost:
		t.Fatalf("lost: %v", err)
	default:
	}
	// Unreachable until the lease runs out: lost, within about a lease.
	proxy.SetDown(true)
	down := time.Now()
	select {
	case err := <-lost:
		if !errors.Is(err, ErrFenced) || !strings.Contains(err.Error(), "could not be renewed") {
			t.Fatalf("lost: %v", err)
		}
		if since := time.Since(down); since > 2*d {
			t.Fatalf("lost %v after DynamoDB went away; want at most a lease (%v)", since, d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DynamoDB unreachable for 10 s and the lease was not lost")
	}
	<-held
	stopHolding()
	proxy.SetDown(false)

	// Another instance holds the lease: the next renewal loses it.
	c := mk("c")
	if err := c.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	holdCtx, stopHolding = context.WithCancel(ctx)
	defer stopHolding()
	go c.hold(holdCtx, func(err error) { lost <- err }, nil)
	e := mk("e")
	if err := e.put(ctx, "attribute_exists(Application)", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-lost:
		if !errors.Is(err, ErrFenced) || !strings.Contains(err.Error(), "taken over") {
			t.Fatalf("lost: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("c never found its lease taken")
	}
}

// A lease released by the clean stop of a run an instance saw holding it
// is taken as a takeover (resumed from the stop's checkpoint); one
// released by a run the instance never saw (the whole fleet stopped
// before it started) is taken as a free lease (the instance's own start
// position).
func TestLeaseReleasedByASeenRun(t *testing.T) {
	mk := partLeases(t, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	x1 := mk("x", "1", &share{})
	if err := x1.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	y1 := mk("y", "1", &share{})
	wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	if err := y1.acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("y took a held part: %v", err)
	}
	wcancel()
	x1.let("", false) // x stops cleanly
	start := time.Now()
	if err := y1.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 250*time.Millisecond || !y1.tookOver {
		t.Fatalf("y took the released part after %v (takeover: %v)", d, y1.tookOver)
	}
	y1.let("", false)
	// A new instance never saw y's run: the part is free to it.
	z1 := mk("z", "1", &share{})
	if err := z1.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if z1.tookOver {
		t.Fatal("a part released before the instance started was taken as a takeover")
	}
	// Also when the instance's name is the same as the releasing one's:
	// runs are told apart, not names.
	z1.let("", false)
	z1again := mk("z", "1", &share{})
	if err := z1again.acquire(ctx); err != nil || z1again.tookOver {
		t.Fatalf("restarted z: %v, takeover %v", err, z1again.tookOver)
	}
}
