package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// A live run closes its tumbling windows while it keeps running: after the
// records stop, time still moves (caught-up shards report progress, and
// silent ones stop holding it after the idle interval), so the window's
// rows reach the output stream without a later record or a shutdown.
func TestLiveWindowsCloseWithoutMoreInput(t *testing.T) {
	kc := kinesisClient(t, awstest.Moto)
	in := createStream(t, kc, 2)
	out := createStream(t, kc, 1)
	a := &app.Application{
		ApplicationName: "live-windows",
		ApplicationCode: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8), N BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM K, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY K, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);`,
		Inputs: []app.Input{{
			NamePrefix:          "SOURCE_SQL_STREAM",
			KinesisStreamsInput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + in},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}}},
		}},
		Outputs: []app.Output{{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
			KinesisStreamsOutput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + out}}},
	}
	var recs []input.Record
	for i := 0; i < 10; i++ {
		recs = append(recs, input.Record{Data: []byte(fmt.Sprintf(`{"K":"k%d"}`, i%2)), PartitionKey: fmt.Sprint("p", i)})
	}
	putAll(t, kc, in, recs)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := engine.Run(ctx, engine.Options{App: a, IdleTimeout: 2 * time.Second, Stdout: &bytes.Buffer{}, Stderr: &stderr,
			Live: &engine.LiveOptions{Position: "TRIM_HORIZON", CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond}})
		done <- err
	}()
	if total := countRows(t, kc, out, 10, done); total != 10 {
		t.Fatalf("counted %d records in the output rows, want 10\n%s", total, stderr.String())
	}
	select {
	case err := <-done:
		t.Fatalf("the run ended before it was stopped: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// countRows reads the output stream until the N of its rows add up to
// want (or 30 s pass) and returns the sum.
func countRows(t *testing.T, c *kinsdk.Client, stream string, want int64, runDone chan error) int64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := kinesis.NewSource(c, kinesis.SourceOptions{Stream: kinesis.Stream{Name: stream}, Position: kinesis.TrimHorizon, PollInterval: 200 * time.Millisecond})
	go src.Run(ctx)
	var sum int64
	deadline := time.After(30 * time.Second)
	for sum < want {
		select {
		case b := <-src.Batches():
			for _, r := range b.Records {
				var row struct{ N int64 }
				if err := json.Unmarshal(r.Data, &row); err != nil {
					t.Fatalf("output row %q: %v", r.Data, err)
				}
				sum += row.N
			}
		case err := <-runDone:
			t.Fatalf("the live run ended early: %v", err)
		case <-deadline:
			return sum
		}
	}
	return sum
}
