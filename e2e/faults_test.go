package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
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
