package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
	"github.com/streamsql/streamsql/operators"
)

// startTrades starts an application of sql over one JSON input of trades
// (TRADER, PRICE, VOLUME), its output discarded.
func startTrades(tb testing.TB, sql string) *engine.Pipeline {
	tb.Helper()
	a := &app.Application{ApplicationName: "bench", ApplicationCode: sql, Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM",
		InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"}, RecordColumns: []app.RecordColumn{
			{Name: "TRADER", Mapping: "$.TRADER", SqlType: "VARCHAR(16)"}, {Name: "PRICE", Mapping: "$.PRICE", SqlType: "DOUBLE"},
			{Name: "VOLUME", Mapping: "$.VOLUME", SqlType: "BIGINT"}}}}}}
	p, err := engine.Start(engine.Options{App: a, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Format: "ndjson", Stderr: io.Discard})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// A checkpoint is encoded in place into the buffer of the one before
// (whatever it held): the bytes are those of the state snapshotted on its
// own, encoded afresh, and they restore.
func TestCheckpointInPlace(t *testing.T) {
	const sql = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, COUNT(*), SUM(VOLUME) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TRADER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`
	p := startTrades(t, sql)
	feed := engine.NewFeed(p, time.Hour, nil)
	inputs := []*liveInput{{pos: &kinesis.Checkpoint{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{}}}}
	store := NewDirStore(t.TempDir(), "bench")
	cps := &checkpointer{lo: &Options{}, store: store, next: 1, p: p, feed: feed, app: "bench", inputs: inputs}
	cps.spare = bytes.Repeat([]byte{0xa5}, 1<<20)[:0]
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).UnixMilli()
	n := 0
	// Shard A runs ahead of shard B: what B has not caught up with waits
	// in the feed, the rest is in the windows.
	feedTrades := func(shard string, count int, step int64) {
		recs := make([]input.Record, count)
		for i := range recs {
			n++
			recs[i] = input.Record{Data: fmt.Appendf(nil, `{"TRADER":"t%d","PRICE":1.5,"VOLUME":%d}`, n%50, n), Arrival: base + int64(i)*step,
				ShardID: shard, SequenceNumber: fmt.Sprint(n)}
		}
		take(inputs, feed, liveBatch{in: 0, b: kinesis.Batch{ShardID: shard, Records: recs, MillisBehindLatest: 1}})
	}
	take(inputs, feed, liveBatch{in: 0, b: kinesis.Batch{ShardID: "B", Start: true}})
	var first []byte
	for round := range 2 {
		feedTrades("A", 2000, 100)
		feedTrades("B", 10, 10_000*int64(round+1))
		var groups int64
		for _, op := range p.Running().Operators() {
			groups += op.StateSize().Groups
		}
		if feed.Queued() == 0 || groups == 0 {
			t.Fatalf("round %d: %d records wait in the feed, %d groups are open; want some of both", round, feed.Queued(), groups)
		}
		ck, err := cps.snapshot(true)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			first = ck.laid[:1]
		} else if &ck.laid[0] != &first[0] {
			t.Error("the second checkpoint did not reuse the first one's buffer")
		}
		if err := cps.save(context.Background(), ck); err != nil {
			t.Fatal(err)
		}
		var fb, pb bytes.Buffer
		if err := feed.Snapshot(&fb); err != nil {
			t.Fatal(err)
		}
		if err := p.Snapshot(&pb); err != nil {
			t.Fatal(err)
		}
		fresh := &checkpoint{Seq: ck.Seq, Time: ck.Time, Application: ck.Application, Fingerprint: ck.Fingerprint, Inputs: ck.Inputs,
			Feed: fb.Bytes(), Pipeline: pb.Bytes()}
		want := fresh.encode()
		got, err := store.Get(context.Background(), ck.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: the checkpoint written in place (%d bytes) differs from one encoded afresh (%d bytes)", round, len(got), len(want))
		}
		dec, err := decodeCheckpoint(got)
		if err != nil {
			t.Fatal(err)
		}
		p2 := startTrades(t, sql)
		feed2 := engine.NewFeed(p2, time.Hour, nil)
		if err := feed2.Restore(bytes.NewReader(dec.Feed)); err != nil {
			t.Fatal(err)
		}
		if err := p2.Restore(bytes.NewReader(dec.Pipeline)); err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		if err := p2.Snapshot(&again); err != nil || !bytes.Equal(again.Bytes(), pb.Bytes()) {
			t.Fatalf("round %d: restored state snapshots differently (%v)", round, err)
		}
	}
}

func testCheckpoint(seq int64) *checkpoint {
	return &checkpoint{Seq: seq, Time: time.Unix(1700000000, 0).UTC(), Application: "app", Fingerprint: "fp",
		Inputs: []*kinesis.Checkpoint{{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{"shardId-0": {SequenceNumber: "42"}},
			From: kinesis.AtTimestamp, Timestamp: time.UnixMilli(1700000000123).UTC()}},
		Feed: []byte{1, 2, 3}, Pipeline: []byte("state")}
}

// A checkpoint whose header cannot be encoded (a time JSON cannot hold)
// is an error, not an empty object in the store.
func TestCheckpointHeaderErrorIsReported(t *testing.T) {
	c := testCheckpoint(1)
	c.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewDirStore(t.TempDir(), "app")
	if _, err := save(context.Background(), s, c, 3); err == nil || !strings.Contains(err.Error(), "header cannot be encoded") {
		t.Fatalf("save: %v", err)
	}
	if seqs, _ := s.List(context.Background()); len(seqs) != 0 {
		t.Fatalf("stored %v", seqs)
	}
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
		if prune, err := save(ctx, s, testCheckpoint(seq), 3); err != nil || prune != nil {
			t.Fatal(err, prune)
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
	// A flipped bit inside the state, the length unchanged: only the
	// checksum tells it from a whole checkpoint.
	data[len(data)-len("state")-operators.SealSize] ^= 1
	os.WriteFile(s.Where(5), data, 0o644)
	warnings = nil
	if c, err := latest(ctx, s, logf); err != nil || c == nil || c.Seq != 4 || len(warnings) != 1 {
		t.Fatalf("latest after a flipped bit: %v %v %q; want checkpoint 4 and a warning", c, err, warnings)
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

// The S3 store (on moto) keeps the last N, writes each checkpoint only if
// it does not exist yet (a second writer of the same number is fenced
// off), and falls back from a damaged latest one like the local store.
func TestS3Store(t *testing.T) {
	ctx := context.Background()
	bucket := awstest.Bucket(t)
	cfg := awstest.Config(t, awstest.Moto)
	s, err := NewS3Store(cfg, "s3://"+bucket+"/checkpoints/", "my app")
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 4; seq++ {
		if prune, err := save(ctx, s, testCheckpoint(seq), 3); err != nil || prune != nil {
			t.Fatal(err, prune)
		}
	}
	if seqs, _ := s.List(ctx); !reflect.DeepEqual(seqs, []int64{2, 3, 4}) {
		t.Fatalf("kept %v, want the last 3", seqs)
	}
	if got := s.Where(4); got != "s3://"+bucket+"/checkpoints/my_app.checkpoint.000000000004" {
		t.Fatalf("where %s", got)
	}
	if err := s.Put(ctx, 4, testCheckpoint(4).encode()); !errors.Is(err, ErrFenced) {
		t.Fatalf("a second write of checkpoint 4: %v; want it fenced off", err)
	}
	c, err := latest(ctx, s, t.Logf)
	if err != nil || c.Seq != 4 || !reflect.DeepEqual(c, testCheckpoint(4)) {
		t.Fatalf("latest: %+v %v", c, err)
	}
	s.Delete(ctx, 4)
	data := testCheckpoint(4).encode()
	if err := s.Put(ctx, 4, data[:len(data)-1]); err != nil {
		t.Fatal(err)
	}
	var warned []string
	c, err = latest(ctx, s, func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) })
	if err != nil || c.Seq != 3 || len(warned) != 1 || !strings.Contains(warned[0], "my_app.checkpoint.000000000004") {
		t.Fatalf("latest after a damaged one: %+v %v %q", c, err, warned)
	}
	if _, err := NewS3Store(cfg, "s3:///x", "a"); err == nil {
		t.Fatal("no bucket accepted")
	}
}

// A checkpoint written whose old ones cannot be removed does not fail the
// run, but is reported: a warning (structured or plain) and the hook that
// counts it in the metrics.
func TestCheckpointPruneFailureIsReported(t *testing.T) {
	ctx := context.Background()
	for _, structured := range []bool{true, false} {
		dir := t.TempDir()
		s := NewDirStore(dir, "app")
		for seq := int64(1); seq <= 3; seq++ {
			if prune, err := save(ctx, s, testCheckpoint(seq), 3); err != nil || prune != nil {
				t.Fatal(err, prune)
			}
		}
		// Checkpoint 1 becomes a folder with a file in it: os.Remove fails
		// whoever runs the test.
		if err := os.Remove(s.Where(1)); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(s.Where(1), "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		var logs strings.Builder
		var failures []error
		lo := &Options{CheckpointKeep: 3, CheckpointPruneFailed: func(err error) { failures = append(failures, err) }}
		c := &checkpointer{lo: lo, store: s, logf: func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }}
		if structured {
			lo.Log = slog.New(slog.NewJSONHandler(&logs, nil))
		}
		if err := c.save(ctx, testCheckpoint(4)); err != nil {
			t.Fatalf("a failed prune failed the save: %v", err)
		}
		if seqs, _ := s.List(ctx); !reflect.DeepEqual(seqs, []int64{1, 2, 3, 4}) {
			t.Fatalf("stored %v", seqs)
		}
		out := logs.String()
		if !strings.Contains(out, "old checkpoints were not removed") || !strings.Contains(out, "app.checkpoint.000000000001") ||
			structured != strings.Contains(out, `"result":"prune_failed"`) {
			t.Errorf("structured %v: logs\n%s", structured, out)
		}
		if len(failures) != 1 {
			t.Errorf("the hook heard %v", failures)
		}
	}
}
