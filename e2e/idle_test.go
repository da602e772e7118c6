package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

const windowApp = `{
  "ApplicationName": "counts",
  "ApplicationCode": "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (KIND VARCHAR(8), N INTEGER);\nCREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"DESTINATION_SQL_STREAM\" SELECT STREAM KIND, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\" GROUP BY KIND, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '2' SECOND);\n",
  "Inputs": [{"NamePrefix": "SOURCE_SQL_STREAM",
    "KinesisStreamsInput": {"ResourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/%s"},
    "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
      "RecordColumns": [{"Name": "KIND", "Mapping": "$.kind", "SqlType": "VARCHAR(8)"}]}}],
  "Outputs": [{"Name": "DESTINATION_SQL_STREAM", "DestinationSchema": {"RecordFormatType": "JSON"},
    "KinesisStreamsOutput": {"ResourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/%s"}}]
}`

// With input stopped, a live run's open window still closes (after the
// idle interval) and its rows reach the destination while the process keeps
// running; a quiet second shard does not hold them back.
func TestWindowsCloseWhileIdle(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	out := createStream(t, kc, 1)
	appFile := filepath.Join(t.TempDir(), "app.json")
	os.WriteFile(appFile, []byte(fmt.Sprintf(windowApp, in, out)), 0o644)
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite}, appFile, "--start-position", "TRIM_HORIZON",
		"--checkpoint-dir", t.TempDir(), "--progress-every", "1ns", "--idle-timeout", "500ms")
	var recs []input.Record
	for i := 0; i < 30; i++ {
		// One partition key: every record goes to one shard, the other stays quiet.
		recs = append(recs, input.Record{Data: []byte(fmt.Sprintf(`{"kind":"k%d"}`, i%3)), PartitionKey: "same"})
	}
	putAll(t, kc, in, recs)
	p.waitRead(t, 30)
	start := time.Now()
	rows := readStream(t, kc, out, 3)
	waited := time.Since(start)
	select {
	case <-p.exited:
		t.Fatalf("the process exited:\n%s", p.log())
	default:
	}
	total := 0
	for _, r := range rows {
		var row struct {
			KIND string
			N    int
		}
		if err := json.Unmarshal(r.Data, &row); err != nil {
			t.Fatal(err)
		}
		total += row.N
	}
	if total != 30 {
		t.Fatalf("rows %v count %d records; want 30", rows, total)
	}
	t.Logf("the window's rows arrived %v after the last record was read", waited.Round(time.Millisecond))
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
}
