package e2e

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/streamsql/streamsql/internal/awstest"
)

// Records a Firehose delivery stream wrote into S3 (JSON documents
// concatenated without newlines, as producers often send them) are
// replayed from the synced folder: the news totals come out whole.
func TestReplayFirehoseObjects(t *testing.T) {
	awstest.Need(t)
	bucket := awstest.Bucket(t)
	delivery := awstest.DeliveryStream(t, bucket, "clicks/")
	fh := fhsdk.NewFromConfig(awstest.Config(t, awstest.Moto))
	clicks := recording(t, "../examples/news/clicks.jsonl")
	for i := 0; i < len(clicks); i += 100 {
		var recs []types.Record
		for _, c := range clicks[i:min(i+100, len(clicks))] {
			recs = append(recs, types.Record{Data: c.Data})
		}
		if _, err := fh.PutRecordBatch(context.Background(), &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String(delivery), Records: recs}); err != nil {
			t.Fatal(err)
		}
	}
	keys, bodies := awstest.Objects(t, bucket, "clicks/")
	if len(keys) != 5 {
		t.Fatalf("%d objects", len(keys))
	}
	dir := t.TempDir()
	for i, k := range keys {
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, bodies[i], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(string(bodies[0]), "\n") {
		t.Fatal("the objects should hold concatenated documents without newlines")
	}
	code, stdout, errOut := streamsql(t, nil, "run", "../examples/news/app.yaml", "--replay", dir, "--rate", "10",
		"--start", "2026-01-05T10:00:00Z", "--format", "ndjson")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	got := totals(t, strings.Split(strings.TrimSpace(stdout), "\n"))
	if want := totals(t, expectedRows(t, "../examples/news/expected.ndjson")); !reflect.DeepEqual(got, want) {
		t.Fatalf("totals\ngot  %v\nwant %v", got, want)
	}
}
