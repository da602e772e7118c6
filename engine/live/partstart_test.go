package live

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/awstest"
)

// Every part of a split application writes its start checkpoint before it
// reads, as a whole application does (TestKill9BeforeFirstCheckpoint): the
// part taken at once, the part taken over from an owner that died before
// writing any checkpoint, and the free part taken later. Each holds the
// instance's reading start, so a kill -9 of this instance before any
// periodic checkpoint resumes each part from there, not from the restart
// (Kinesis and DynamoDB on moto; periodic checkpoints off).
func TestEveryPartWritesItsStartCheckpoint(t *testing.T) {
	cfg := awstest.Config(t, awstest.Moto)
	kc := kinsdk.NewFromConfig(cfg)
	name := awstest.Stream(t, kc, 3)
	a := &app.Application{ApplicationName: "split", ApplicationCode: `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8));
CREATE PUMP A AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K FROM SOURCE_SQL_STREAM_001;
CREATE PUMP B AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K FROM SOURCE_SQL_STREAM_002;
CREATE PUMP C AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K FROM SOURCE_SQL_STREAM_003;`,
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputParallelism: &app.InputParallelism{Count: 3},
			KinesisStreamsInput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + name},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}}}}}}
	table := awstest.Name("lease")
	// A second: a run loop starved for a third of the lease on a loaded
	// machine loses its lease (renewals are not counted once it has run
	// out), which is right but not what this test is about.
	leaseFor := time.Second
	// The owner of part 2 took its lease and died before its first
	// checkpoint: it never renews.
	dead, err := newLease(&Options{Lease: "dynamodb://" + table, LeaseDuration: leaseFor, Instance: "dead", cfg: cfg}, "split#SOURCE_SQL_STREAM_002", t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := dead.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	before := time.Now()
	var logs strings.Builder
	var mu sync.Mutex
	lo := &Options{Position: kinesis.Now, CheckpointDir: dir, CheckpointInterval: -1, PollInterval: 100 * time.Millisecond,
		Lease: "dynamodb://" + table, LeaseDuration: leaseFor, Instance: "live", Config: &cfg}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, engine.Options{App: a, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Format: "ndjson",
			Stderr: writerFunc(func(p []byte) { mu.Lock(); logs.Write(p); mu.Unlock() })}, lo)
		done <- err
	}()
	keys := []string{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002", "SOURCE_SQL_STREAM_003"}
	found := map[string]*checkpoint{}
	deadline := time.Now().Add(20 * time.Second)
	for len(found) < len(keys) && time.Now().Before(deadline) {
		for _, k := range keys {
			if found[k] != nil {
				continue
			}
			ck, err := latest(ctx, NewDirStore(dir, "split."+k), t.Logf)
			if err != nil {
				t.Fatal(err)
			}
			if ck != nil {
				found[k] = ck
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Checked while the run goes on: none of these is a stop's checkpoint.
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("live run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range keys {
		ck := found[k]
		if ck == nil {
			t.Errorf("part %s wrote no checkpoint while it ran (periodic checkpoints are off: none but the start one could come)\n%s", k, logs.String())
			continue
		}
		if len(ck.Inputs) != 1 || ck.Inputs[0].From != kinesis.AtTimestamp || ck.Inputs[0].Timestamp.Before(before.Truncate(time.Millisecond)) ||
			ck.Inputs[0].Timestamp.After(before.Add(time.Second)) {
			t.Errorf("part %s: start checkpoint %+v; want AT_TIMESTAMP the instance's start (%v)", k, ck.Inputs[0], before)
		}
	}
	// The pumps hold no state: the stop says nothing of open windows.
	if strings.Contains(logs.String(), "open windows are kept") {
		t.Errorf("a stop with no open window said it kept them:\n%s", logs.String())
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
