package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/internal/awstest"
)

// With --delivery-attempts, an output stream that keeps refusing records
// ends the run with exit 1 and a message counting them; nothing is
// dropped quietly.
func TestDeliveryAttemptsLimit(t *testing.T) {
	awstest.Need(t)
	kc, in, out, bucket := newsResources(t, awstest.Kinesalite, 1)
	refusing := awstest.NewProxy(t, awstest.Kinesalite, throttleEveryEntry)
	putAll(t, kc, in, recording(t, "../examples/news/clicks.jsonl")[:40])
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + refusing.URL}, newsToStream(t, in, out, bucket),
		"--start-position", "TRIM_HORIZON", "--checkpoint-dir", t.TempDir(), "--progress-every", "1ns", "--delivery-attempts", "3", "--close-windows-on-stop")
	p.waitRead(t, 40)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 30*time.Second); code != 1 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
	if !strings.Contains(p.log(), "not delivered after 3 attempts: ProvisionedThroughputExceededException") {
		t.Fatalf("no count of undelivered records:\n%s", p.log())
	}
	if n := len(refusing.Calls("Kinesis_20131202.PutRecords")); n != 3 {
		t.Errorf("%d PutRecords calls, want 3", n)
	}
}

// A destination that throttles every record: while the drain after
// SIGTERM retries, the run says every few seconds what is waiting and why;
// at --drain-timeout it stops, counts the rows left undelivered, writes no
// checkpoint past them and exits 1.
func TestThrottledDestinationDrainTimeout(t *testing.T) {
	awstest.Need(t)
	kc, in, out, bucket := newsResources(t, awstest.Kinesalite, 1)
	refusing := awstest.NewProxy(t, awstest.Kinesalite, throttleEveryEntry)
	putAll(t, kc, in, recording(t, "../examples/news/clicks.jsonl")[:40])
	cp := t.TempDir()
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + refusing.URL}, newsToStream(t, in, out, bucket),
		"--start-position", "TRIM_HORIZON", "--checkpoint-dir", cp, "--progress-every", "1ns", "--drain-timeout", "7s", "--close-windows-on-stop")
	p.waitRead(t, 40)
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 1 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
	if d := time.Since(start); d < 6*time.Second || d > 12*time.Second {
		t.Errorf("exited %v after SIGTERM, want about the 7 s drain timeout", d)
	}
	for _, w := range []string{"not yet delivered after", "ProvisionedThroughputExceededException", "row(s) not delivered (Kinesis stream " + out, "drain after the stop ran out of time (7s)"} {
		if !strings.Contains(p.log(), w) {
			t.Errorf("no %q in the log:\n%s", w, p.log())
		}
	}
	// The run writes its starting positions before it reads; any
	// checkpoint holding a shard's sequence number would be past rows
	// never delivered (every one was refused).
	files, _ := filepath.Glob(filepath.Join(cp, "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err != nil || bytes.Contains(b, []byte(`"SequenceNumber"`)) {
			t.Errorf("a checkpoint was saved past undelivered rows: %s (%v)", filepath.Base(f), err)
		}
	}
}

// throttleEveryEntry answers every PutRecords with every entry throttled.
func throttleEveryEntry(target string, _ int, body []byte) (int, string, bool) {
	if !strings.HasSuffix(target, ".PutRecords") {
		return 0, "", false
	}
	var req struct{ Records []json.RawMessage }
	json.Unmarshal(body, &req)
	entries := make([]string, len(req.Records))
	for i := range entries {
		entries[i] = `{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard"}`
	}
	return 200, fmt.Sprintf(`{"FailedRecordCount":%d,"Records":[%s]}`, len(entries), strings.Join(entries, ",")), true
}
