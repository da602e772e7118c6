package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// spendApp is the spend example reading the given stream, its rows to stdout.
func spendApp(t testing.TB, stream string) *app.Application {
	t.Helper()
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a.Inputs[0].KinesisStreamsInput = &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + stream}
	a.Outputs = nil
	return a
}

func spendRecords(n int) []input.Record {
	recs := make([]input.Record, n)
	for i := range recs {
		recs[i] = input.Record{Data: []byte(fmt.Sprintf(`{"Block":"B%d","Amount":1.00,"Customer":"c%d"}`, i%3, i)), PartitionKey: fmt.Sprintf("k%d", i)}
	}
	return recs
}

// A source error the reader cannot mend (access denied mid-run) ends the
// run with that error, every time: the error is never lost to the race
// with the closing of the source's channel (four runs, as the race lost
// one in two). The checkpoint written at that error exit holds exactly
// what was processed: a run resumed from it reads the rest, none again.
func TestSourceErrorFailsTheRun(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 1)
	putAll(t, kc, in, spendRecords(50))
	denying := awstest.NewProxy(t, awstest.Kinesalite, func(target string, n int, _ []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".GetRecords") && n%2 == 0 {
			return 400, `{"__type":"AccessDeniedException","message":"User is not authorized to perform kinesis:GetRecords"}`, true
		}
		return 0, "", false
	})
	cfg := awstest.Config(t, denying.URL)
	for i := range 4 {
		cp := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var stderr bytes.Buffer
		st, err := live.Run(ctx, engine.Options{App: spendApp(t, in), Stdout: &bytes.Buffer{}, Stderr: &stderr},
			&live.Options{Position: "TRIM_HORIZON", CheckpointDir: cp, PollInterval: 200 * time.Millisecond, Config: &cfg,
				// A slow consumer of progress keeps the main loop busy, so the
				// error and the end of the records are both waiting when it
				// next looks.
				Progress: func(live.Progress) { time.Sleep(300 * time.Millisecond) }})
		cancel()
		if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
			t.Fatalf("run %d: error %v; want the source's AccessDeniedException\n%s", i, err, stderr.String())
		}
		rest := 50 - st.RecordsIn
		direct := awstest.Config(t, awstest.Kinesalite)
		st2, _, log := runLiveUntil(t, engine.Options{App: spendApp(t, in)}, &live.Options{Position: "LAST_STOPPED_POINT", CheckpointDir: cp, PollInterval: 200 * time.Millisecond, Config: &direct}, rest)
		if rest > 0 && st2.RecordsIn != rest {
			t.Fatalf("run %d: %d records before the error, %d after resuming; want %d\n%s", i, st.RecordsIn, st2.RecordsIn, rest, log)
		}
	}
}

// Writes that fail (a full disk: /dev/full) fail the run with exit 1 and a
// message naming the output, for --out files and for stdout alike.
func TestWriteErrorsFailTheRun(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	dir := t.TempDir()
	rec := filepath.Join(dir, "spend.jsonl")
	f, err := os.Create(rec)
	if err != nil {
		t.Fatal(err)
	}
	w := newRecWriter(f)
	for i, r := range spendRecords(20000) {
		r.Arrival = 1767607200000 + int64(i)*10
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"out file", []string{"--out", "DESTINATION_SQL_STREAM=/dev/full"}, "writing to /dev/full"},
		{"stdout", nil, "writing to stdout"},
	} {
		args := append([]string{"run", "../examples/spend/app.yaml", "--replay", rec, "--format", "ndjson"}, tc.args...)
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() == 0 {
			t.Fatalf("%s: exit %v, want non-zero\n%s", tc.name, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "no space left on device") {
			t.Fatalf("%s: stderr does not say %q: no space left on device:\n%s", tc.name, tc.want, stderr.String())
		}
	}
}
