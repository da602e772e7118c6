package live

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamsql/streamsql/internal/awstest"
)

// One owner at a time (DynamoDB on moto): a second instance waits while
// the owner renews, takes over once it has not for a whole lease, and the
// old owner's next renewal finds the lease taken; a released lease is
// taken at once.
func TestLeaseOneOwner(t *testing.T) {
	cfg := awstest.Config(t, awstest.Moto)
	table := awstest.Name("lease")
	mk := func(name string) *lease {
		l, err := newLease(&Options{Lease: "dynamodb://" + table, LeaseDuration: 600 * time.Millisecond, Instance: name, cfg: cfg}, "app", t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	ctx := context.Background()
	a, b := mk("a"), mk("b")
	if err := a.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	holdCtx, stopHolding := context.WithCancel(ctx)
	var lostA atomic.Bool
	go a.hold(holdCtx, func(error) { lostA.Store(true) }, nil)
	// While a renews, b stays a standby.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if err := b.acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b acquired while a renewed: %v", err)
	}
	cancel()
	// a stops renewing (as if killed): b takes over within about a lease.
	stopHolding()
	start := time.Now()
	if err := b.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 500*time.Millisecond || d > 3*time.Second {
		t.Fatalf("took over after %v; want about the lease (600ms)", d)
	}
	if err := a.renew(ctx); !errors.Is(err, errLeaseTaken) {
		t.Fatalf("a's renewal after the takeover: %v", err)
	}
	if lostA.Load() {
		t.Fatal("a reported a loss while it renewed")
	}
	// b releases: a takes it at once.
	if err := b.release(ctx); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := a.acquire(ctx); err != nil || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("after a release: %v in %v", err, time.Since(start))
	}
	// Releasing a lease another owner holds changes nothing and is no
	// error; a release that cannot reach DynamoDB is one (the run warns).
	if err := b.release(ctx); err != nil {
		t.Fatalf("release of a lease held by another: %v", err)
	}
	gone, cancelGone := context.WithCancel(ctx)
	cancelGone()
	if err := a.release(gone); err == nil {
		t.Fatal("a release that was never sent reported no error")
	}
	if err := a.renew(ctx); err != nil {
		t.Fatalf("a lost its lease to a release that was never sent: %v", err)
	}
	if _, err := newLease(&Options{Lease: "dynamodb:/x"}, "app", t.Logf); err == nil {
		t.Fatal("a bad --lease accepted")
	}
}

// The part leases of one instance share out (DynamoDB on moto): an
// instance owning no part takes a free one at once, one owning a part
// takes another free part only after it stayed free for three leases.
func TestLeaseSharesParts(t *testing.T) {
	mk := partLeases(t, 300*time.Millisecond)
	ctx := context.Background()
	x, y := &share{}, &share{}
	timed := func(l *lease) time.Duration {
		start := time.Now()
		if err := l.acquire(ctx); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	if d := timed(mk("x", "1", x)); d > 800*time.Millisecond {
		t.Fatalf("x waited %v for its first part", d)
	}
	if d := timed(mk("y", "2", y)); d > 800*time.Millisecond {
		t.Fatalf("y waited %v for its first part", d)
	}
	if d := timed(mk("x", "3", x)); d < 850*time.Millisecond || d > 3*time.Second {
		t.Fatalf("x took a second free part after %v; want about three leases (900ms)", d)
	}
	if x.owned != 2 || y.owned != 1 {
		t.Fatalf("owned: x %d, y %d", x.owned, y.owned)
	}
}

// partLeases makes the part leases of instances in a new lease table
// (DynamoDB on moto): mk(instance, part key, the instance's share).
func partLeases(t *testing.T, d time.Duration) (mk func(name, key string, sh *share) *lease) {
	cfg := awstest.Config(t, awstest.Moto)
	table := awstest.Name("lease")
	return func(name, key string, sh *share) *lease {
		l, err := newLease(&Options{Lease: "dynamodb://" + table, LeaseDuration: d, Instance: name, cfg: cfg}, "app#"+key, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		l.share = sh
		return l
	}
}

// The shards' streams settle in the lease table (DynamoDB on moto): the
// first proposal stored stands for every instance.
func TestLeaseSettlesShardStreams(t *testing.T) {
	cfg := awstest.Config(t, awstest.Moto)
	table := awstest.Name("lease")
	mk := func(name string) *lease {
		l, err := newLease(&Options{Lease: "dynamodb://" + table, Instance: name, cfg: cfg}, "app", t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.ensureTable(context.Background()); err != nil {
			t.Fatal(err)
		}
		return l
	}
	ctx := context.Background()
	a, b := mk("a"), mk("b")
	got, err := a.settleShards("in", 3)(ctx, map[string]int{"shardId-000000000000": 0, "shardId-000000000001": 2})
	if err != nil || got["shardId-000000000000"] != 0 || got["shardId-000000000001"] != 2 {
		t.Fatalf("first: %v, %v", got, err)
	}
	got, err = b.settleShards("in", 3)(ctx, map[string]int{"shardId-000000000001": 1, "shardId-000000000002": 1})
	if err != nil || got["shardId-000000000001"] != 2 || got["shardId-000000000002"] != 1 {
		t.Fatalf("second: %v, %v; want 1 as first stored (2), 2 as proposed", got, err)
	}
	// Another count or stream is another map.
	if got, err = b.settleShards("in", 2)(ctx, map[string]int{"shardId-000000000001": 1}); err != nil || got["shardId-000000000001"] != 1 {
		t.Fatalf("count 2: %v, %v", got, err)
	}
}
