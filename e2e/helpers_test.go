package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

func kinesisClient(t testing.TB, endpoint string) *kinsdk.Client {
	return kinsdk.NewFromConfig(awstest.Config(t, endpoint))
}

// createStream creates a Kinesis stream and waits until it is ACTIVE.
var createStream = awstest.Stream

// recording reads the payloads and partition keys of a recording.
func recording(t testing.TB, path string) []input.Record {
	t.Helper()
	r, err := input.Open(path, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []input.Record
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		out = append(out, rec)
	}
	return out
}

// putAll writes records (payload and partition key) with PutRecords.
func putAll(t testing.TB, c *kinsdk.Client, stream string, recs []input.Record) {
	t.Helper()
	for len(recs) > 0 {
		k := min(len(recs), 500)
		var entries []types.PutRecordsRequestEntry
		for _, r := range recs[:k] {
			entries = append(entries, types.PutRecordsRequestEntry{Data: r.Data, PartitionKey: aws.String(r.PartitionKey)})
		}
		out, err := c.PutRecords(context.Background(), &kinsdk.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("%d records failed", aws.ToInt32(out.FailedRecordCount))
		}
		recs = recs[k:]
	}
}

// readStream reads a stream from TRIM_HORIZON until n records came.
func readStream(t testing.TB, c *kinsdk.Client, stream string, n int) []input.Record {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := kinesis.NewSource(c, kinesis.SourceOptions{Stream: kinesis.Stream{Name: stream}, Position: kinesis.TrimHorizon, PollInterval: 200 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	var out []input.Record
	deadline := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case b := <-src.Batches():
			out = append(out, b.Records...)
		case <-deadline:
			t.Fatalf("read %d records from %s, want %d", len(out), stream, n)
		}
	}
	time.Sleep(500 * time.Millisecond)
	for {
		select {
		case b := <-src.Batches():
			out = append(out, b.Records...)
			continue
		default:
		}
		break
	}
	cancel()
	for range src.Batches() {
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return out
}

// newsResources makes what the news application uses on a server: an
// input stream of inShards shards, an output stream, and a bucket holding
// the users table at reference/users.csv.
func newsResources(t testing.TB, server string, inShards int32) (kc *kinsdk.Client, in, out, bucket string) {
	t.Helper()
	kc = kinesisClient(t, server)
	in = createStream(t, kc, inShards)
	out = createStream(t, kc, 1)
	bucket = awstest.Bucket(t)
	users, err := os.ReadFile("../examples/news/users.csv")
	if err != nil {
		t.Fatal(err)
	}
	awstest.PutObject(t, bucket, "reference/users.csv", users)
	return kc, in, out, bucket
}

// newsApp loads examples/news/app.yaml bound to the given resources.
func newsApp(t testing.TB, input, output, delivery, bucket string) *app.Application {
	t.Helper()
	dir, err := filepath.Abs("../examples/news")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Load(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a.Inputs[0].KinesisStreamsInput.ResourceARN = "arn:aws:kinesis:us-east-1:123456789012:stream/" + input
	a.ReferenceDataSources[0].S3ReferenceDataSource.BucketARN = "arn:aws:s3:::" + bucket
	a.ReferenceDataSources[0].S3ReferenceDataSource.FileKey = "reference/users.csv"
	a.Outputs = []app.Output{
		{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
			KinesisStreamsOutput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + output}},
		{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
			KinesisFirehoseOutput: &app.ResourceRef{ResourceARN: "arn:aws:firehose:us-east-1:123456789012:deliverystream/" + delivery}},
	}
	return a
}

// writeApp writes an application as a YAML-compatible JSON file next to
// the news example's SQL.
func writeApp(t testing.TB, a *app.Application) string {
	t.Helper()
	dir := t.TempDir()
	sql, err := os.ReadFile(filepath.Join(a.Dir, a.ApplicationCodeFile))
	if err != nil {
		t.Fatal(err)
	}
	b := *a
	b.ApplicationCode, b.ApplicationCodeFile = string(sql), ""
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "app.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// totals sums IMPRESSIONS and CLICKS per (GENDER, SEGMENT_ID, ARTICLE_ID)
// over JSON rows: the same whatever minute the rows fell in.
func totals(t testing.TB, rows []string) map[string][2]int64 {
	t.Helper()
	out := map[string][2]int64{}
	for _, r := range rows {
		var row struct {
			GENDER      *string
			SEGMENT_ID  *int64
			ARTICLE_ID  string
			IMPRESSIONS int64
			CLICKS      int64
		}
		if err := json.Unmarshal([]byte(r), &row); err != nil {
			t.Fatalf("row %q: %v", r, err)
		}
		g, s := "NULL", "NULL"
		if row.GENDER != nil {
			g = *row.GENDER
		}
		if row.SEGMENT_ID != nil {
			s = fmt.Sprint(*row.SEGMENT_ID)
		}
		k := g + "/" + s + "/" + row.ARTICLE_ID
		v := out[k]
		v[0] += row.IMPRESSIONS
		v[1] += row.CLICKS
		out[k] = v
	}
	return out
}

// expectedRows reads expected.ndjson without its ROWTIME field.
func expectedRows(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, `"GENDER"`); i > 0 {
			line = "{" + line[i:]
		}
		out = append(out, line)
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func payloadLines(recs []input.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, strings.TrimSuffix(string(r.Data), "\n"))
	}
	return out
}

func objectLines(bodies [][]byte) []string {
	var out []string
	for _, b := range bodies {
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			out = append(out, l)
		}
	}
	return out
}

type inputRecord = input.Record

func newRecWriter(w io.Writer) *input.Writer { return input.NewWriter(w) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
