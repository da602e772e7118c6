package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/awstest"
)

// A run started at TRIM_HORIZON and checkpointed before it received its
// first batch (the first periodic checkpoint, a clean stop, or the one a
// run writes before it reads) holds no shard's sequence number: the run
// resumed from that checkpoint reads the shards from their start, as the
// checkpointed run would have, not from their tip (which lost every record
// that came before the restart).
func TestUnreadTrimHorizonShardsResumeFromTheirStart(t *testing.T) {
	cfg := awstest.Config(t, awstest.Kinesalite)
	kc := kinsdk.NewFromConfig(cfg)
	ctx := context.Background()
	name := awstest.Stream(t, kc, 2)
	const n = 12
	putIDs(t, kc, name, n)
	a := &app.Application{ApplicationName: "app", Dir: t.TempDir(), Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM",
		KinesisStreamsInput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + name}}}}
	first, err := openInputs(a, &Options{Position: kinesis.TrimHorizon, cfg: cfg}, t.Logf, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The checkpoint as the run loop writes it before its first batch,
	// through its encoding.
	ck, err := decodeCheckpoint((&checkpoint{Seq: 1, Inputs: positions(first)}).encode())
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := openInputs(a, &Options{Position: kinesis.LastStoppedPoint, PollInterval: 100 * time.Millisecond, cfg: cfg}, t.Logf, ck, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := resumed[0].src
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go src.Run(rctx)
	got := 0
	caughtUp := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for len(caughtUp) < 2 {
		select {
		case b := <-src.Batches():
			got += len(b.Records)
			if !b.Start && b.MillisBehindLatest == 0 && len(b.Records) == 0 {
				caughtUp[b.ShardID] = true
			}
		case <-deadline:
			t.Fatalf("the resumed run read %d records and had not caught up on both shards within 20 s", got)
		}
	}
	if got != n {
		t.Fatalf("the run resumed from a TRIM_HORIZON checkpoint taken before any read read %d records, want all %d", got, n)
	}
}

// putIDs writes n records {"ID":i}, each with its own partition key.
func putIDs(t *testing.T, kc *kinsdk.Client, stream string, n int) {
	t.Helper()
	for i := range n {
		if _, err := kc.PutRecord(context.Background(), &kinsdk.PutRecordInput{StreamName: aws.String(stream), Data: fmt.Appendf(nil, `{"ID":%d}`, i),
			PartitionKey: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
}

// Records read before every shard of the run is open keep their arrival
// times as ROWTIME. A run resumed after a downtime longer than the idle
// timeout (or started at TRIM_HORIZON on older records) whose shard list
// came late (a slow or briefly unreachable Kinesis) used to let time jump
// to the wall clock minus the idle timeout before any shard was known:
// every restored window closed early, and the backlog, read next, was
// clamped into later windows.
func TestBacklogKeepsItsTimesWhenShardsOpenLate(t *testing.T) {
	cfg := awstest.Config(t, awstest.Kinesalite)
	kc := kinsdk.NewFromConfig(cfg)
	name := awstest.Stream(t, kc, 1)
	const n = 20
	putIDs(t, kc, name, n)
	// The listing holds time back for idle: the late shard list (800 ms)
	// and the shard's opening must come within it. With 1 s the margin was
	// 200 ms, which a loaded machine can use up (kinesalite answering
	// slowly); 2 s leaves 1.2 s.
	idle := 2 * time.Second
	time.Sleep(idle + 500*time.Millisecond) // the backlog is older than now - idle
	// The shard list answers late: after several of the run loop's ticks.
	slow := awstest.NewProxy(t, awstest.Kinesalite, func(target string, k int, _ []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".ListShards") && k == 1 {
			time.Sleep(800 * time.Millisecond)
		}
		return 0, "", false
	})
	pcfg := cfg.Copy()
	pcfg.BaseEndpoint = aws.String(slow.URL)
	dir := t.TempDir()
	sql := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ID BIGINT, T TIMESTAMP, A TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ID, ROWTIME, APPROXIMATE_ARRIVAL_TIME FROM "SOURCE_SQL_STREAM_001";
`
	if err := os.WriteFile(filepath.Join(dir, "app.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `ApplicationName: backlog
ApplicationCodeFile: app.sql
Inputs:
  - NamePrefix: SOURCE_SQL_STREAM
    KinesisStreamsInput: {ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/` + name + `"}
    InputSchema:
      RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: "$"}}}
      RecordEncoding: UTF-8
      RecordColumns:
        - {Name: ID, Mapping: "$.ID", SqlType: BIGINT}
`
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Load(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lo := &Options{Position: kinesis.TrimHorizon, CheckpointDir: dir, PollInterval: 100 * time.Millisecond, Config: &pcfg,
		Progress: func(p Progress) {
			if p.RecordsIn >= n {
				cancel()
			}
		}}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, engine.Options{App: a, IdleTimeout: idle, Format: "ndjson", Stdout: &stdout, Stderr: &stderr}, lo)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("live run: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("the run did not read %d records within 30 s\n%s", n, stderr.String())
	}
	arrivalTimes(t, stdout.String(), n, stderr.String())
}

// arrivalTimes checks n NDJSON rows (ID, T the ROWTIME, A the
// APPROXIMATE_ARRIVAL_TIME): every record keeps its arrival time as
// ROWTIME. more is shown with the rows when the count is wrong.
func arrivalTimes(t *testing.T, out string, n int, more string) {
	t.Helper()
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != n {
		t.Fatalf("%d rows, want %d:\n%s\n%s", len(rows), n, out, more)
	}
	for _, l := range rows {
		var r struct {
			ID   int64
			T, A string
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if r.T != r.A {
			t.Errorf("record %d arrived at %s but has ROWTIME %s", r.ID, r.A, r.T)
		}
	}
}
