package kinesis

import (
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
// listed later, with a parent).
func (m *ShardMap) keep(id string, k int) int {
	if _, listed := m.parent[id]; listed {
		m.memo[id] = k
	}
	return k
}
