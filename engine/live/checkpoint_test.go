package live

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/connectors/kinesis"
)

func testCheckpoint(seq int64) *checkpoint {
	return &checkpoint{Seq: seq, Time: time.Unix(1700000000, 0).UTC(), Application: "app", Fingerprint: "fp",
		Inputs: []*kinesis.Checkpoint{{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{"shardId-0": {SequenceNumber: "42"}},
			From: kinesis.AtTimestamp, Timestamp: time.UnixMilli(1700000000123).UTC()}},
		Feed: []byte{1, 2, 3}, Pipeline: []byte("state")}
}

func TestCheckpointEncoding(t *testing.T) {
	c := testCheckpoint(7)
	got, err := decodeCheckpoint(c.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("decoded %+v\nwant %+v", got, c)
	}
	data := c.encode()
	for i := range data {
		d := append([]byte(nil), data...)
		d[i] ^= 0x40
		if _, err := decodeCheckpoint(d); err == nil {
			t.Fatalf("a flipped byte at %d went unnoticed", i)
		}
	}
	for n := range len(data) {
		if _, err := decodeCheckpoint(data[:n]); err == nil {
			t.Fatalf("a checkpoint cut at %d bytes went unnoticed", n)
		}
	}
}

// The store keeps the last N; a damaged latest checkpoint falls back to
// the one before with a warning; with none whole left, the run is refused.
func TestCorruptLatestFallsBack(t *testing.T) {
	ctx := context.Background()
	s := NewDirStore(t.TempDir(), "my app")
	for seq := int64(1); seq <= 5; seq++ {
		if err := save(ctx, s, testCheckpoint(seq), 3); err != nil {
			t.Fatal(err)
		}
	}
	seqs, _ := s.List(ctx)
	if !reflect.DeepEqual(seqs, []int64{3, 4, 5}) {
		t.Fatalf("kept %v, want the last 3", seqs)
	}
	data, _ := os.ReadFile(s.Where(5))
	os.WriteFile(s.Where(5), data[:len(data)/2], 0o644) // torn
	var warnings []string
	logf := func(f string, a ...any) { warnings = append(warnings, f) }
	c, err := latest(ctx, s, logf)
	if err != nil || c == nil || c.Seq != 4 {
		t.Fatalf("latest: %v %v; want checkpoint 4", c, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "resuming from the one before") {
		t.Fatalf("warnings %q", warnings)
	}
	os.WriteFile(s.Where(4), []byte("streamsql checkpoint\n9\nnewer"), 0o644)
	os.WriteFile(s.Where(3), nil, 0o644)
	if c, err := latest(ctx, s, logf); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Fatalf("latest with none whole: %v %v", c, err)
	}
	empty := NewDirStore(t.TempDir(), "app")
	if c, err := latest(ctx, empty, logf); c != nil || err != nil {
		t.Fatalf("empty store: %v %v", c, err)
	}
}
