package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/internal/awstest"
)

// The fair share of KCL's lease taker: an instance below ceil(parts /
// instances) asks the most loaded instance for its last part when that
// one is above the share, or at it while the asker needs two or more;
// and only then.
func TestStealFairShare(t *testing.T) {
	held := func(holders ...string) []partLease {
		var out []partLease
		for i, h := range holders {
			out = append(out, partLease{key: string(rune('1' + i)), holder: h, live: true})
		}
		return out
	}
	for _, c := range []struct {
		name   string
		me     string
		leases []partLease
		want   stealing // zero: ask for nothing
	}{
		{"a newcomer asks the one running both parts", "b", held("a", "a"), stealing{key: "2", from: "a", held: 0, share: 1, their: 2}},
		{"shared already", "b", held("a", "b"), stealing{}},
		{"the one running both parts asks nobody", "a", held("a", "a"), stealing{}},
		{"a third instance with nothing to gain", "c", held("a", "b"), stealing{}},
		{"three parts: the share of two is two", "b", held("a", "a", "a"), stealing{key: "3", from: "a", held: 0, share: 2, their: 3}},
		{"three parts, one each: at the share", "b", held("a", "a", "b"), stealing{}},
		{"the most loaded, ties by name", "c", held("b", "a", "b", "a", "b", "a"), stealing{key: "6", from: "a", held: 0, share: 2, their: 3}},
		{"nobody above the share, ties by name", "c", held("b", "a", "b", "a", "d"), stealing{key: "4", from: "a", held: 0, share: 2, their: 2}},
		{"at the share, and two short of it", "c", held("a", "a", "b", "b"), stealing{key: "2", from: "a", held: 0, share: 2, their: 2}},
		{"at the share, and one short of it", "c", held("a", "a", "b", "b", "c"), stealing{}},
		{"three parts and three instances: one each", "c", held("a", "a", "b"), stealing{key: "2", from: "a", held: 0, share: 1, their: 2}},
		{"four parts, a newcomer among three", "c", held("a", "a", "a", "b"), stealing{key: "3", from: "a", held: 0, share: 2, their: 3}},
		{"a part free: left to the acquire loops", "b", append(held("a"), partLease{key: "2"}), stealing{}},
		{"a holder not live: taken over first", "b", []partLease{{key: "1", holder: "a", live: true}, {key: "2", holder: "a"}}, stealing{}},
		{"a request pending", "b", []partLease{{key: "1", holder: "a", live: true}, {key: "2", holder: "a", live: true, wanted: "b"}}, stealing{}},
		{"a part handed over counts as the receiver's", "c", []partLease{{key: "1", holder: "a", live: true}, {key: "2", holder: "b", live: true}}, stealing{}},
		{"a part wanted by another is not asked for", "c", []partLease{{key: "1", holder: "a", live: true}, {key: "2", holder: "a", live: true, wanted: "b"}, {key: "3", holder: "a", live: true}}, stealing{key: "3", from: "a", held: 0, share: 2, their: 3}},
	} {
		got, ok := steal(c.me, c.leases)
		if got != c.want || ok != (c.want.key != "") {
			t.Errorf("%s: got %+v (%v), want %+v", c.name, got, ok, c.want)
		}
	}
}

// An instance joining takes a part over from one running both (DynamoDB
// on moto): its balancer asks, the holder's next renewal hears of it,
// the holder hands the part over (after its last checkpoint, in a run),
// and the newcomer takes it at once, as a takeover (resuming the
// checkpoint); the other part stays where it was.
func TestLeaseHandOver(t *testing.T) {
	mk := partLeases(t, 600*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	x := &share{}
	x1, x2 := mk("x", "1", x), mk("x", "2", x)
	wanted := make(chan string, 2)
	holdCtx, stopHolding := context.WithCancel(ctx)
	defer stopHolding()
	var holding sync.WaitGroup
	for _, l := range []*lease{x1, x2} {
		// Held from when it is acquired, as runPart does.
		if err := l.acquire(ctx); err != nil {
			t.Fatal(err)
		}
		holding.Go(func() {
			l.hold(holdCtx, func(err error) { t.Errorf("%s lost: %v", l.app, err) }, func(to string) { wanted <- l.app + " to " + to })
		})
	}
	y := &share{}
	y2 := mk("y", "2", y)
	bal := &balancer{l: mk("y", "", y), keys: []string{"app#1", "app#2"}, logf: t.Logf}
	bal.l.app = "app"
	if err := bal.look(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-wanted:
		if got != "app#2 to y" {
			t.Fatalf("wanted: %s", got)
		}
	case <-ctx.Done():
		t.Fatal("x never heard that y asks for a part")
	}
	// Asked once: the pending request is not made again.
	if s, ok := steal("y", []partLease{{key: "app#1", holder: "x", live: true}, {key: "app#2", holder: "x", live: true, wanted: "y"}}); ok {
		t.Fatalf("asked again: %+v", s)
	}
	// While x still runs the part (its last checkpoint), y waits.
	wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	if err := y2.acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("y took the part before it was handed over: %v", err)
	}
	wcancel()
	stopHolding()
	holding.Wait() // as runPart does: the last version renewed is known
	x2.let("y", false)
	if !x2.handedOver || x.owned != 1 {
		t.Fatalf("handed over %v, x owns %d", x2.handedOver, x.owned)
	}
	// Another instance sees the part held (by y) and waits.
	z2 := mk("z", "2", &share{})
	zctx, zcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	if err := z2.acquire(zctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("z took a part handed to y: %v", err)
	}
	zcancel()
	start := time.Now()
	if err := y2.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 400*time.Millisecond || !y2.tookOver || y.owned != 1 {
		t.Fatalf("y took the part after %v (took over: %v, owns %d)", d, y2.tookOver, y.owned)
	}
	if err := y2.renew(ctx); err != nil {
		t.Fatal(err)
	}
	if err := x1.renew(ctx); err != nil || x1.wanted != "" {
		t.Fatalf("x's other part: %v, wanted by %q", err, x1.wanted)
	}
	// Balanced: nobody asks for anything.
	if err := bal.look(ctx); err != nil {
		t.Fatal(err)
	}
	if s, ok := steal("y", []partLease{{key: "app#1", holder: "x", live: true}, {key: "app#2", holder: "y", live: true}}); ok {
		t.Fatalf("asked once balanced: %+v", s)
	}
}

// A balancer that cannot read the lease table (here: none) says so once,
// not at every look, and goes on trying.
func TestBalancerSaysItFails(t *testing.T) {
	cfg := awstest.Config(t, awstest.Moto)
	l, err := newLease(&Options{Lease: "dynamodb://" + awstest.Name("missing"), LeaseDuration: 150 * time.Millisecond, Instance: "x", cfg: cfg}, "app", t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	b := &balancer{l: l, keys: []string{"app#1"}, logf: func(f string, args ...any) { lines = append(lines, fmt.Sprintf(f, args...)) }}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	b.run(ctx) // about 20 looks
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "warning: rebalancing the parts: lease ") {
		t.Fatalf("%q", lines)
	}
}
