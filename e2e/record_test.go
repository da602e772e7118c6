package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/awstest"
)

// streamsql runs the binary and returns its exit code, stdout and stderr.
func streamsql(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// The news input, run live, recorded with `streamsql record` and replayed
// with `streamsql run --replay`: the replay gives the rows the live run
// delivered, row for row.
func TestRecordReplayEqualsLive(t *testing.T) {
	awstest.Need(t)
	kc, in, out, bucket := newsResources(t, awstest.Moto, 1)
	delivery := awstest.DeliveryStream(t, bucket, "rows/")
	clicks := recording(t, "../examples/news/clicks.jsonl")
	// Two bursts a moment apart, so the arrival times differ.
	putAll(t, kc, in, clicks[:250])
	time.Sleep(1200 * time.Millisecond)
	putAll(t, kc, in, clicks[250:])

	a := newsApp(t, in, out, delivery, bucket)
	st, _, stderr := runLiveUntil(t, engine.Options{App: a}, &live.Options{Position: "TRIM_HORIZON", CloseWindowsOnStop: true, CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond}, int64(len(clicks)))
	rows := int(st.RowsOut["DESTINATION_SQL_STREAM"])
	if rows == 0 {
		t.Fatalf("no rows\n%s", stderr)
	}
	live := sorted(payloadLines(readStream(t, kc, out, rows)))

	rec := filepath.Join(t.TempDir(), "clicks.jsonl")
	code, _, errOut := streamsql(t, nil, "record", "--stream", "arn:aws:kinesis:us-east-1:123456789012:stream/"+in, "--out", rec, "--until", "NOW")
	if code != 0 || !strings.Contains(errOut, "recorded 500 records from 1 shard(s)") {
		t.Fatalf("record: exit %d\n%s", code, errOut)
	}
	appFile := writeApp(t, a)
	code, stdout, errOut := streamsql(t, nil, "run", appFile, "--replay", rec, "--reference", "users=../examples/news/users.csv", "--format", "ndjson")
	if code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, errOut)
	}
	replayed := sorted(strings.Split(strings.TrimSpace(stdout), "\n"))
	if !reflect.DeepEqual(replayed, live) {
		t.Fatalf("replay differs from the live run:\nreplay %d rows: %v\nlive   %d rows: %v", len(replayed), replayed, len(live), live)
	}
	// And the recording holds the input as sent.
	got := recording(t, rec)
	if len(got) != len(clicks) || string(got[17].Data) != string(clicks[17].Data) || got[17].PartitionKey != clicks[17].PartitionKey || got[17].Arrival == 0 {
		t.Fatalf("recording: %d records; record 17 %+v", len(got), got[17])
	}
}

// record stops at --until TIME, leaving out what arrived from then on, and
// reads from kinesalite through AWS_ENDPOINT_URL_KINESIS.
func TestRecordUntilTime(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	clicks := recording(t, "../examples/news/clicks.jsonl")
	putAll(t, kc, in, clicks[:100])
	time.Sleep(1100 * time.Millisecond)
	cut := time.Now().UTC()
	time.Sleep(100 * time.Millisecond)
	putAll(t, kc, in, clicks[100:160])
	rec := filepath.Join(t.TempDir(), "r.jsonl.gz")
	code, _, errOut := streamsql(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite}, "record", "--stream", in, "--out", rec, "--until", cut.Format(time.RFC3339Nano))
	if code != 0 || !strings.Contains(errOut, "recorded 100 records from 2 shard(s)") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if got := recording(t, rec); len(got) != 100 {
		t.Fatalf("%d records in the gzip recording", len(got))
	}
}
