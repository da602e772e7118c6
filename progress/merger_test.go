package progress

import (
	"reflect"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func release(m *Merger[string]) (out []string) {
	m.Release(func(_ int64, v string) { out = append(out, v) })
	return
}

func TestMergerHoldsBackForTheSlowestActiveShard(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(1_000_000)}
	m := NewMerger[string](10*time.Second, clk.now)
	m.Open("A")
	m.Open("B")
	m.Add("A", 100, "a100")
	m.Add("A", 300, "a300")
	if got := release(m); len(got) != 0 {
		t.Fatalf("released %v before shard B progressed", got)
	}
	m.Add("B", 200, "b200")
	if got := release(m); !reflect.DeepEqual(got, []string{"a100", "b200"}) {
		t.Fatalf("released %v", got)
	}
	// B reports it is caught up to 350: a300 can go.
	m.Progress("B", 350)
	if got := release(m); !reflect.DeepEqual(got, []string{"a300"}) {
		t.Fatalf("released %v", got)
	}
}

func TestMergerIdleShardStopsHoldingTime(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(1_000_000)}
	m := NewMerger[string](10*time.Second, clk.now)
	m.Open("A")
	m.Open("B")
	m.Add("B", 50, "b50")
	clk.advance(6 * time.Second)
	m.Add("A", 100, "a100")
	if got := release(m); !reflect.DeepEqual(got, []string{"b50"}) {
		t.Fatalf("released %v", got)
	}
	// B stays silent past the idle interval: A's rows flow.
	clk.advance(5 * time.Second)
	if got := release(m); !reflect.DeepEqual(got, []string{"a100"}) {
		t.Fatalf("released %v after B went idle", got)
	}
	// B wakes up with an older record: it is released at once, not lost
	// (the engine clamps its ROWTIME), and the bound did not go back.
	m.Add("B", 60, "b60")
	before := m.Bound()
	if got := release(m); !reflect.DeepEqual(got, []string{"b60"}) {
		t.Fatalf("released %v", got)
	}
	if m.Bound() < before {
		t.Fatal("bound went backwards")
	}
}

func TestMergerFollowsWallClockWhenEverythingIsIdle(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(1_000_000)}
	m := NewMerger[string](10*time.Second, clk.now)
	m.Open("A")
	m.Add("A", 990_000, "a")
	release(m)
	clk.advance(30 * time.Second)
	if b := m.Bound(); b != 1_030_000-10_000 {
		t.Fatalf("bound %d, want now-idle %d", b, 1_020_000)
	}
	m.Close("A")
	if b := m.Bound(); b != 1_020_000 {
		t.Fatalf("bound %d after close", b)
	}
}

func TestReorderSortsWithinSlack(t *testing.T) {
	in := []int64{10, 30, 20, 40, 25, 50, 45, 60}
	r := NewReorder[int64](2)
	var out []int64
	for _, a := range in {
		if it, ok := r.Add(a, a); ok {
			out = append(out, it.Value)
		}
	}
	for {
		it, ok := r.Next()
		if !ok {
			break
		}
		out = append(out, it.Value)
	}
	want := []int64{10, 20, 25, 30, 40, 45, 50, 60}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("got %v, want %v", out, want)
	}
}
