package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// error_stream as an Output with a Kinesis destination: records that do
// not decode are delivered there while the run goes on, with their bytes.
func TestErrorStreamDestination(t *testing.T) {
	awstest.Need(t)
	kc, in, errs, bucket := newsResources(t, awstest.Moto, 1)
	a := newsApp(t, in, "unused", "unused", bucket)
	a.Outputs = []app.Output{
		{Name: "error_stream", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
			KinesisStreamsOutput: &app.ResourceRef{ResourceARN: errs}},
	}
	recs := recording(t, "../examples/news/clicks.jsonl")[:5]
	bad := []input.Record{{Data: []byte(`{"USER_ID": oops}`), PartitionKey: "b1"}, {Data: []byte("not json"), PartitionKey: "b2"}}
	putAll(t, kc, in, append(recs, bad...))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var delivered int64
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		_, err := live.Run(ctx, engine.Options{App: a, Stdout: &stdout, Stderr: &stderr}, &live.Options{Position: "TRIM_HORIZON", CheckpointDir: t.TempDir(),
			PollInterval: 200 * time.Millisecond, Progress: func(p live.Progress) { mu.Lock(); delivered = p.Delivered["error_stream"]; mu.Unlock() }})
		done <- err
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		d := delivered
		mu.Unlock()
		if d >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("error rows not delivered while running (delivered %d)\n%s", d, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := readStream(t, kc, errs, 2)
	if len(got) != 2 {
		t.Fatalf("%d error rows", len(got))
	}
	for i, r := range got {
		var row struct{ ERROR_NAME, DATA_ROW string }
		if err := json.Unmarshal(r.Data, &row); err != nil {
			t.Fatalf("%s: %v", r.Data, err)
		}
		if row.ERROR_NAME == "" || row.DATA_ROW != hex.EncodeToString(bad[i].Data) {
			t.Errorf("error row %s; want DATA_ROW %x", r.Data, bad[i].Data)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
