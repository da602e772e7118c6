package input

import (
	"hash/fnv"
	"strconv"
)

// ShardStream is the in-application stream (0 .. count-1) that records of
// shard id feed when an input has count of them and nothing is known of
// the shard's parents: its number (the digits that end a Kinesis shard
// id, shardId-000000000007 is 7) modulo count, which spreads the shards a
// stream was created with evenly, as KDA does; an id without that number
// is hashed (FNV-1a). A live run makes a shard created by resharding
// follow its parent's stream instead (connectors/kinesis ShardMap).
func ShardStream(id string, count int) int {
	if count <= 1 {
		return 0
	}
	return int(shardNumber(id) % uint64(count))
}

// shardNumber is the number that ends a shard id, or a hash of the id when
// it does not end in digits.
func shardNumber(id string) uint64 {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	if i < len(id) && len(id)-i <= 18 {
		n, _ := strconv.ParseUint(id[i:], 10, 64)
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}
