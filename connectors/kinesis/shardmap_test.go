package kinesis

import (
	"context"
	"sort"
	"testing"
)

// Shards follow their parent's in-application stream through splits and
// merges; shards without a parent go by their number.
func TestShardMapFollowsParents(t *testing.T) {
	sh := func(id string, parents ...string) shardInfo { return shardInfo{id: id, parents: parents} }
	listing := []shardInfo{
		sh("shardId-000000000000"), sh("shardId-000000000001"), sh("shardId-000000000002"),
		// 0 split into 3 and 4; 1 and 2 merged into 5 (1 is ParentShardId); 4 split into 6 and 7.
		sh("shardId-000000000003", "shardId-000000000000"), sh("shardId-000000000004", "shardId-000000000000"),
		sh("shardId-000000000005", "shardId-000000000001", "shardId-000000000002"),
		sh("shardId-000000000006", "shardId-000000000004"), sh("shardId-000000000007", "shardId-000000000004"),
	}
	want := map[string]int{"shardId-000000000000": 0, "shardId-000000000001": 1, "shardId-000000000002": 0,
		"shardId-000000000003": 0, "shardId-000000000004": 0, "shardId-000000000005": 1, "shardId-000000000006": 0, "shardId-000000000007": 0}
	// Two instances listing the same shards in another order agree.
	for _, order := range [][]shardInfo{listing, {listing[7], listing[6], listing[5], listing[4], listing[3], listing[2], listing[1], listing[0]}} {
		m := NewShardMap(2)
		m.learn(order)
		for id, k := range want {
			if got := m.Stream(id); got != k {
				t.Errorf("%s: stream %d, want %d", id, got, k)
			}
		}
	}
	// The roots trimmed (past retention): their children stand by the
	// parent's number, the stream they had.
	m := NewShardMap(2)
	m.learn(listing[3:])
	for _, id := range []string{"shardId-000000000003", "shardId-000000000005", "shardId-000000000007"} {
		if got := m.Stream(id); got != want[id] {
			t.Errorf("parent trimmed: %s: stream %d, want %d", id, got, want[id])
		}
	}
	// A shard not listed yet goes by its number, and is not remembered.
	m = NewShardMap(2)
	if got := m.Stream("shardId-000000000003"); got != 1 {
		t.Errorf("unlisted: %d", got)
	}
	m.learn(listing)
	if got := m.Stream("shardId-000000000003"); got != 0 {
		t.Errorf("listed later: %d", got)
	}
	var none *ShardMap
	if none.Stream("shardId-000000000001") != 0 {
		t.Error("nil map")
	}
}

// With Settle, the first stream stored for a shard stands: its children
// follow it, and a map that lists none of its ancestors any more (trimmed)
// still answers the same.
func TestShardMapSettled(t *testing.T) {
	sh := func(id string, parents ...string) shardInfo { return shardInfo{id: id, parents: parents} }
	stored := map[string]int{"shardId-000000000000": 1} // another instance stored 0 in stream 1
	var calls [][]string
	settle := func(_ context.Context, proposed map[string]int) (map[string]int, error) {
		var ids []string
		out := map[string]int{}
		for id, k := range proposed {
			ids = append(ids, id)
			if _, ok := stored[id]; !ok {
				stored[id] = k
			}
			out[id] = stored[id]
		}
		sort.Strings(ids)
		calls = append(calls, ids)
		return out, nil
	}
	m := NewShardMap(2)
	m.Settle = settle
	m.learn([]shardInfo{sh("shardId-000000000000"), sh("shardId-000000000001"),
		sh("shardId-000000000002", "shardId-000000000000"), sh("shardId-000000000004", "shardId-000000000002")})
	if err := m.settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"shardId-000000000000": 1, "shardId-000000000001": 1, "shardId-000000000002": 1, "shardId-000000000004": 1}
	for id, k := range want {
		if got := m.Stream(id); got != k {
			t.Errorf("%s: stream %d, want %d", id, got, k)
		}
	}
	if len(calls) != 3 || len(calls[0]) != 2 || calls[1][0] != "shardId-000000000002" || calls[2][0] != "shardId-000000000004" {
		t.Errorf("settled in rounds %v; want the roots, then each generation", calls)
	}
	// Later, on another instance: 0 and 2 trimmed, 4 split into 5 and 6.
	later := NewShardMap(2)
	later.Settle = settle
	later.learn([]shardInfo{sh("shardId-000000000001"), sh("shardId-000000000004", "shardId-000000000002"),
		sh("shardId-000000000005", "shardId-000000000004"), sh("shardId-000000000006", "shardId-000000000004")})
	if err := later.settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"shardId-000000000004", "shardId-000000000005", "shardId-000000000006"} {
		if got := later.Stream(id); got != 1 {
			t.Errorf("after trimming: %s: stream %d, want 1", id, got)
		}
	}
}
