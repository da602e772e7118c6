package kinesis

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// Two sources owning one in-application stream each read every record
// once between them, each only from the shards of its stream: shard 1,
// and shard 0 with its children after a split (they follow their parent).
func TestSourcesReadOnlyTheirStreams(t *testing.T) {
	ctx := context.Background()
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 2)
	want := put(t, c, name, "before", 60)
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, name)
	want = append(want, put(t, c, name, "after", 60)...)
	stream := map[string]int{"shardId-000000000000": 0, "shardId-000000000001": 1, "shardId-000000000002": 0, "shardId-000000000003": 0}
	cols := make([]*collector, 2)
	for k := range cols {
		cols[k] = startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon, Map: NewShardMap(2), Only: map[int]bool{k: true}})
	}
	var got []string
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < len(want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		got = got[:0]
		for k, col := range cols {
			col.mu.Lock()
			recs := append([]input.Record(nil), col.records...)
			col.mu.Unlock()
			for _, r := range recs {
				if s, ok := stream[r.ShardID]; !ok || s != k {
					t.Fatalf("the source of stream %d read shard %s", k, r.ShardID)
				}
			}
			got = append(got, payloads(recs)...)
		}
	}
	time.Sleep(300 * time.Millisecond) // nothing more may come
	got = got[:0]
	for k, col := range cols {
		col.mu.Lock()
		recs := payloads(col.records)
		col.mu.Unlock()
		if len(recs) == 0 {
			t.Errorf("the source of stream %d read nothing", k)
		}
		got = append(got, recs...)
	}
	sameSet(t, got, want)
}
