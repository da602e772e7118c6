package kinesis

import (
	"context"
	"sync"

	"github.com/streamsql/streamsql/input"
)

// ShardMap assigns the shards of a stream to the in-application streams
// of its input (InputParallelism.Count of them), the same way on every
// instance that lists the same shards: a shard follows its parent (the
// ParentShardId of a split or a merge), so resharding never moves records
// of one key to another in-application stream; a shard with no parent
// goes by its number modulo the count (input.ShardStream), which spreads
// the shards a stream was created with evenly. A parent no longer listed
// (trimmed after the stream's retention period) stands by its own number:
// the answer is the same as while it was listed when it had no parent
// itself.
type ShardMap struct {
	count  int
	mu     sync.Mutex
	parent map[string]string // every shard listed: its ParentShardId ("" none)
	memo   map[string]int
	// Settle, when set, makes the map durable and shared: it is given the
	// streams the rule proposes for shards listed but not settled yet
	// (parents before their children) and returns, for each, the stream
	// stored first (by this instance or another); a shard keeps that
	// stream for good, even once its ancestors are trimmed.
	Settle func(ctx context.Context, proposed map[string]int) (map[string]int, error)
}

// NewShardMap maps shards to count in-application streams.
func NewShardMap(count int) *ShardMap {
	return &ShardMap{count: max(count, 1), parent: map[string]string{}, memo: map[string]int{}}
}

// Count is the number of in-application streams.
func (m *ShardMap) Count() int { return m.count }

// learn records the parents of listed shards.
func (m *ShardMap) learn(shards []shardInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sh := range shards {
		p := ""
		if len(sh.parents) > 0 {
			p = sh.parents[0]
		}
		m.parent[sh.id] = p
	}
}

// Stream is the in-application stream (0 .. Count-1) shard id feeds.
func (m *ShardMap) Stream(id string) int {
	if m == nil || m.count <= 1 {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.memo[id]; ok {
		return k
	}
	cur := id
	for {
		if k, ok := m.memo[cur]; ok {
			return m.keep(id, k)
		}
		p, listed := m.parent[cur]
		if !listed || p == "" {
			return m.keep(id, input.ShardStream(cur, m.count))
		}
		cur = p
	}
}

// keep remembers the answer for a listed shard (an unlisted one may be
// listed later, with a parent); with Settle, only settle remembers.
func (m *ShardMap) keep(id string, k int) int {
	if _, listed := m.parent[id]; listed && m.Settle == nil {
		m.memo[id] = k
	}
	return k
}

// settle settles the streams of the shards listed and not settled yet,
// a generation at a time so that a child's proposal follows its parent's
// settled stream.
func (m *ShardMap) settle(ctx context.Context) error {
	if m == nil || m.Settle == nil || m.count <= 1 {
		return nil
	}
	for {
		m.mu.Lock()
		proposed := map[string]int{}
		for id, p := range m.parent {
			if _, done := m.memo[id]; done {
				continue
			}
			if _, parentListed := m.parent[p]; p != "" && parentListed {
				if _, parentDone := m.memo[p]; !parentDone {
					continue // next round
				}
			}
			proposed[id] = -1
		}
		m.mu.Unlock()
		if len(proposed) == 0 {
			return nil
		}
		for id := range proposed {
			proposed[id] = m.Stream(id)
		}
		got, err := m.Settle(ctx, proposed)
		if err != nil {
			return err
		}
		m.mu.Lock()
		for id := range proposed {
			k, ok := got[id]
			if !ok || k < 0 || k >= m.count {
				k = proposed[id]
			}
			m.memo[id] = k
		}
		m.mu.Unlock()
	}
}
