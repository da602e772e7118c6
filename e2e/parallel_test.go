package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/awstest"
	"github.com/streamsql/streamsql/internal/textdiff"
)

const parallelSQL = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, COUNT(*), SUM(VOLUME) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
CREATE OR REPLACE STREAM "EACH" (TICKER VARCHAR(8), PRICE DOUBLE, AVG_PRICE DOUBLE, SHARD VARCHAR(32), SEQ VARCHAR(64));
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "EACH"
  SELECT STREAM TICKER, PRICE, AVG(PRICE) OVER W, SHARD_ID, SEQUENCE_NUMBER FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TICKER RANGE INTERVAL '2' SECOND PRECEDING);
`

// A live run from a two-shard kinesalite stream writes the same bytes at
// GOMAXPROCS 1 (the run loop decodes every payload) and 2 and 4 (workers
// decode the shards' reads while the loop runs the windows): a tumbling
// GROUP BY, a row per record over a sliding window, and error_stream with
// payloads that do not parse or convert. The records go in with a few
// milliseconds between puts to alternate shards, so no two shards share
// an arrival time and the feed's order is the same in every run.
func TestLiveParallelIdentical(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	const puts, per = 24, 100
	for k := range puts {
		entries := make([]types.PutRecordsRequestEntry, per)
		for j := range entries {
			i := k*per + j
			data := fmt.Sprintf(`{"TICKER":"T%d","PRICE":%d.25,"VOLUME":%d}`, i%7, 10+i%13, 100+i)
			switch {
			case i%97 == 5:
				data = `{"TICKER":`
			case i%89 == 7:
				data = `{"TICKER":"T1","PRICE":"cheap","VOLUME":1}`
			}
			// Shard 0 and shard 1 of two take turns, one put each.
			entries[j] = types.PutRecordsRequestEntry{Data: []byte(data), PartitionKey: aws.String(strconv.Itoa(i)), ExplicitHashKey: aws.String(hashKey(2 * (k % 2)))}
		}
		res, err := kc.PutRecords(context.Background(), &kinsdk.PutRecordsInput{StreamName: aws.String(in), Records: entries})
		if err != nil || aws.ToInt32(res.FailedRecordCount) != 0 {
			t.Fatalf("put: %v (%d failed)", err, aws.ToInt32(res.FailedRecordCount))
		}
		time.Sleep(40 * time.Millisecond)
	}
	a := &app.Application{ApplicationName: "parallel", ApplicationCode: parallelSQL, Inputs: []app.Input{{
		NamePrefix:          "SOURCE_SQL_STREAM",
		KinesisStreamsInput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + in},
		InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"}, RecordColumns: []app.RecordColumn{
			{Name: "TICKER", Mapping: "$.TICKER", SqlType: "VARCHAR(8)"}, {Name: "PRICE", Mapping: "$.PRICE", SqlType: "DOUBLE"},
			{Name: "VOLUME", Mapping: "$.VOLUME", SqlType: "BIGINT"}}},
	}}}
	cfg := awstest.Config(t, awstest.Kinesalite)
	run := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var dest, each, errs bytes.Buffer
		o := engine.Options{App: a, Format: "ndjson", Rowtime: true,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &dest, "EACH": &each, "error_stream": &errs}}
		st, _, stderr := runLiveUntil(t, o, &live.Options{Config: &cfg, Position: "TRIM_HORIZON", CloseWindowsOnStop: true, CheckpointDir: t.TempDir(), PollInterval: 100 * time.Millisecond}, puts*per)
		if st.RecordsIn != puts*per {
			t.Fatalf("GOMAXPROCS %d: %d records in, want %d\n%s", procs, st.RecordsIn, puts*per, stderr)
		}
		return fmt.Sprintf("%s-- each\n%s-- errors\n%s-- stats %d %v", dest.String(), each.String(), errs.String(), st.ErrorRows, st.Errors)
	}
	want := run(1)
	shards := map[string]int{}
	for _, line := range strings.Split(want[strings.Index(want, "-- each\n")+8:strings.Index(want, "-- errors\n")], "\n") {
		var row struct{ SHARD string }
		if json.Unmarshal([]byte(line), &row) == nil {
			shards[row.SHARD]++
		}
	}
	if len(shards) != 2 || shards["shardId-000000000000"] < 1000 || shards["shardId-000000000001"] < 1000 || !strings.Contains(want, `"N":`) || !strings.Contains(want, "Type conversion error") || !strings.Contains(want, "Parse error") {
		t.Fatalf("GOMAXPROCS 1: rows per shard %v, or windows or errors missing:\n%.3000s", shards, want)
	}
	for _, procs := range []int{2, 4} {
		if got := run(procs); got != want {
			t.Errorf("GOMAXPROCS %d: the live run differs from the one at GOMAXPROCS 1\n%s", procs, textdiff.At(got, want))
		}
	}
}
