package progress

import (
	"math/rand"
	"reflect"
	"sort"
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

// TestMergerMatchesOneHeap: the merger's per-shard queues release what one
// heap of (arrival, insertion) pairs over every shard would, at every
// bound: shards mostly in order with records now and then earlier than
// their shard's last, shards that go idle, close and come back; Queued
// and Len agree at every step.
func TestMergerMatchesOneHeap(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 300; trial++ {
		clk := &fakeClock{t: time.UnixMilli(1_000_000)}
		m := NewMerger[int](2*time.Second, clk.now)
		shards := []string{"A", "B", "C", "D", "E"}[:1+trial%5]
		last := map[string]int64{}
		for _, s := range shards {
			m.Open(s)
			last[s] = 900_000 + int64(rng.Intn(500))
		}
		var ref []Item[int] // what one heap holds, seq = insertion order
		var got, want []int
		for step := 0; step < 400; step++ {
			s := shards[rng.Intn(len(shards))]
			switch r := rng.Intn(100); {
			case r < 70:
				a := last[s] + int64(rng.Intn(30))
				if rng.Intn(10) == 0 {
					a -= int64(rng.Intn(200)) // earlier than the shard's last
				}
				last[s] = max(last[s], a)
				v := trial*1000 + step
				if step%2 == 0 {
					m.Add(s, a, v)
				} else {
					m.AddEach(s, 1, func(int) (int64, int) { return a, v })
				}
				ref = append(ref, Item[int]{Arrival: a, Value: v, seq: uint64(len(ref) + len(want))})
			case r < 80:
				m.Progress(s, last[s]+int64(rng.Intn(50)))
			case r < 83:
				m.Close(s)
			case r < 90:
				clk.advance(time.Duration(rng.Intn(1500)) * time.Millisecond)
			}
			b := m.Release(func(_ int64, v int) { got = append(got, v) })
			sort.Slice(ref, func(i, j int) bool { return itemHeap[int](ref).Less(i, j) })
			k := 0
			for k < len(ref) && ref[k].Arrival <= b {
				want = append(want, ref[k].Value)
				k++
			}
			ref = ref[k:]
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d step %d: released %v\nwant %v", trial, step, got, want)
			}
			q := m.Queued()
			if m.Len() != len(ref) || len(q) != len(ref) {
				t.Fatalf("trial %d step %d: Len %d, Queued %d, want %d", trial, step, m.Len(), len(q), len(ref))
			}
			for i := range q {
				if q[i].Value != ref[i].Value {
					t.Fatalf("trial %d step %d: Queued %v, want %v", trial, step, q, ref)
				}
			}
		}
		m.Flush(func(_ int64, v int) { got = append(got, v) })
		for _, it := range ref {
			want = append(want, it.Value)
		}
		if !reflect.DeepEqual(got, want) || m.Len() != 0 {
			t.Fatalf("trial %d: flushed %v\nwant %v", trial, got, want)
		}
	}
}
