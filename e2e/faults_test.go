package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/awstest"
)

// A live run delivering through issue 14's fault mix (30% of PutRecords
// calls throttled whole, 10% of answers lost after the write, 40% of
// entries failed): every record read is passed through to the output
// stream; SIGTERM once all are read. Nothing is lost, a row arrives twice
// only when a call carrying it lost its answer, the run exits 0, and the
// figures (time to read and deliver, the drain after SIGTERM) are logged.
// STREAMSQL_FAULT_RECORDS sets how many records (default 2,000) for a
// longer measurement.
func TestLiveDeliveryUnderFaultMix(t *testing.T) {
	awstest.Need(t)
	n := 2000
	if s := os.Getenv("STREAMSQL_FAULT_RECORDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("STREAMSQL_FAULT_RECORDS: %v", err)
		}
	}
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	out := createStream(t, kc, 2)
	putAll(t, kc, in, spendRecords(n))
	fk := awstest.NewFaultyKinesis(t, awstest.Kinesalite, awstest.FaultMix{Throttle: 0.3, LostAnswer: 0.1, EntryFail: 0.4, Seed: 14})

	a := spendApp(t, in)
	a.ApplicationCodeFile, a.Dir = "", ""
	a.ApplicationCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("Block" VARCHAR(8), "Amount" DECIMAL(8,2), "Customer" VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "Block", "Amount", "Customer" FROM "SOURCE_SQL_STREAM_001";`
	a.Outputs = []app.Output{{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
		KinesisStreamsOutput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + out}}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	appFile := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(appFile, data, 0o644); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + fk.URL}, appFile,
		"--start-position", "TRIM_HORIZON", "--checkpoint-dir", t.TempDir(), "--progress-every", "1ns")
	p.waitRead(t, int64(n))
	read := time.Since(start)
	stop := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
	drain := time.Since(stop)
	total := time.Since(start)

	got := map[string]int{}
	for _, r := range readStream(t, kc, out, n) {
		got[string(r.Data)]++
	}
	var sent []string
	for _, r := range spendRecords(n) {
		var in struct {
			Block    string
			Amount   json.Number
			Customer string
		}
		json.Unmarshal(r.Data, &in)
		sent = append(sent, fmt.Sprintf(`{"Block":%q,"Amount":%s,"Customer":%q}`, in.Block, in.Amount, in.Customer))
	}
	dups := fk.Delivered(t, got, sent)
	st := fk.Counts()
	t.Logf("%d records read in %v, delivered with the drain after SIGTERM taking %v: %v in all (%.0f records/s); "+
		"%d PutRecords calls, %d throttled whole, %d answers lost, %d of %d entries failed; %d duplicates",
		n, read.Round(time.Millisecond), drain.Round(time.Millisecond), total.Round(time.Millisecond), float64(n)/total.Seconds(),
		st.Calls, st.Throttled, st.Lost, st.EntryFailed, st.Entries, dups)
	if st.Throttled == 0 || st.EntryFailed == 0 {
		t.Fatalf("the fault mix was not applied: %+v", st)
	}
}

// A live run rides out a Kinesis outage (the server drops every connection
// for 6 s mid-run): it says so while it lasts and when it ends, then reads
// what was written meanwhile and stops cleanly. With MaxOutage 2s the same
// outage ends the run with an error naming the limit.
func TestLiveOutage(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 1)
	recs := spendRecords(40)
	putAll(t, kc, in, recs[:20])
	proxy := awstest.NewProxy(t, awstest.Kinesalite, nil)
	cfg := awstest.Config(t, proxy.URL)
	run := func(maxOutage time.Duration) (*atomic.Int64, *lockedBuffer, context.CancelFunc, chan error) {
		var read atomic.Int64
		stderr := &lockedBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := live.Run(ctx, engine.Options{App: spendApp(t, in), Stdout: io.Discard, Stderr: stderr},
				&live.Options{Position: "TRIM_HORIZON", CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond, Config: &cfg,
					MaxOutage: maxOutage, Progress: func(p live.Progress) { read.Store(p.RecordsIn) }})
			done <- err
		}()
		return &read, stderr, cancel, done
	}
	waitRead := func(read *atomic.Int64, n int64, stderr *lockedBuffer) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); read.Load() < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("read %d records, want %d\n%s", read.Load(), n, stderr.String())
			}
		}
	}

	read, stderr, cancel, done := run(0)
	waitRead(read, 20, stderr)
	proxy.SetDown(true)
	putAll(t, kc, in, recs[20:])
	time.Sleep(6 * time.Second)
	proxy.SetDown(false)
	waitRead(read, 40, stderr)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the run did not survive the outage: %v\n%s", err, stderr.String())
	}
	for _, w := range []string{"; retrying", "working again after"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("no %q on stderr:\n%s", w, stderr.String())
		}
	}

	read, stderr, cancel, done = run(2 * time.Second)
	defer cancel()
	waitRead(read, 40, stderr)
	proxy.SetDown(true)
	defer proxy.SetDown(false)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "over the limit of 2s") {
			t.Fatalf("MaxOutage 2s: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("MaxOutage 2s: still running 20 s into the outage\n%s", stderr.String())
	}
}
