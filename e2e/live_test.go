package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/awstest"
)

// bin is the streamsql binary built for the tests that run it as a process.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "streamsql-e2e")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "streamsql")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/streamsql")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building streamsql:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	awstest.Main(m)
}

// runLiveUntil runs an application live until it has read n records, then
// stops it as SIGTERM does and returns what it printed.
func runLiveUntil(t *testing.T, o engine.Options, lo *live.Options, n int64) (engine.Stats, live.Progress, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last atomic.Value
	var stderr bytes.Buffer
	o.Stderr = &stderr
	if o.Stdout == nil {
		o.Stdout = &bytes.Buffer{}
	}
	lo.Progress = func(p live.Progress) {
		last.Store(p)
		if p.RecordsIn >= n {
			cancel()
		}
	}
	type result struct {
		st  engine.Stats
		err error
	}
	done := make(chan result, 1)
	go func() { st, err := live.Run(ctx, o, lo); done <- result{st, err} }()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("live run: %v\n%s", r.err, stderr.String())
		}
		p, _ := last.Load().(live.Progress)
		return r.st, p, stderr.String()
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("live run did not read %d records within 60 s\n%s", n, stderr.String())
	}
	return engine.Stats{}, live.Progress{}, ""
}

// The news example end to end: clicks on a Kinesis stream, the users
// table from S3, rows to an output stream and a Firehose delivery stream.
func TestNewsLive(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Moto)
	in := createStream(t, kc, 1)
	out := createStream(t, kc, 2)
	bucket := awstest.Bucket(t)
	users, err := os.ReadFile("../examples/news/users.csv")
	if err != nil {
		t.Fatal(err)
	}
	awstest.PutObject(t, bucket, "reference/users.csv", users)
	delivery := awstest.DeliveryStream(t, bucket, "rows/")
	clicks := recording(t, "../examples/news/clicks.jsonl")
	putAll(t, kc, in, clicks)

	a := newsApp(t, in, out, delivery, bucket)
	st, prog, stderr := runLiveUntil(t, engine.Options{App: a}, &live.Options{Position: "TRIM_HORIZON", CloseWindowsOnStop: true, CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond}, int64(len(clicks)))
	if st.RecordsIn != int64(len(clicks)) || st.ErrorRows != 0 {
		t.Fatalf("stats %+v\n%s", st, stderr)
	}
	rows := st.RowsOut["DESTINATION_SQL_STREAM"]
	if rows == 0 || prog.Delivered["DESTINATION_SQL_STREAM"] != 2*rows {
		t.Fatalf("rows %d, delivered %v", rows, prog.Delivered)
	}
	t.Logf("%d records in, %d rows out to each destination, lag %d ms", st.RecordsIn, rows, prog.LagMillis)
	fromStream := payloadLines(readStream(t, kc, out, int(rows)))
	_, bodies := awstest.Objects(t, bucket, "rows/")
	fromFirehose := objectLines(bodies)
	if !reflect.DeepEqual(sorted(fromStream), sorted(fromFirehose)) {
		t.Fatalf("the stream and Firehose got different rows:\n%v\n%v", sorted(fromStream), sorted(fromFirehose))
	}
	want := totals(t, expectedRows(t, "../examples/news/expected.ndjson"))
	if got := totals(t, fromStream); !reflect.DeepEqual(got, want) {
		t.Fatalf("per-group totals differ from examples/news/expected.ndjson:\ngot  %v\nwant %v", got, want)
	}
}
