package e2e

import (
	"encoding/json"
	"fmt"
	"os"
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
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 1)
	out := createStream(t, kc, 1)
	bucket := awstest.Bucket(t)
	users, _ := os.ReadFile("../examples/news/users.csv")
	awstest.PutObject(t, bucket, "reference/users.csv", users)
	refusing := awstest.NewProxy(t, awstest.Kinesalite, func(target string, _ int, body []byte) (int, string, bool) {
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
	})
	putAll(t, kc, in, recording(t, "../examples/news/clicks.jsonl")[:40])
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + refusing.URL}, newsToStream(t, in, out, bucket),
		"--start-position", "TRIM_HORIZON", "--checkpoint-dir", t.TempDir(), "--progress-every", "1ns", "--delivery-attempts", "3")
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
