package awstest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMain(m *testing.M) { Main(m) }

// Both servers answer real SDK calls made with the environment Main set.
func TestServersAnswer(t *testing.T) {
	ctx := context.Background()
	for _, ep := range []string{Moto, Kinesalite} {
		c := kinesis.NewFromConfig(Config(t, ep))
		name := Name("probe")
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatalf("%s: CreateStream: %v", ep, err)
		}
		out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
		if err != nil {
			t.Fatalf("%s: ListStreams: %v", ep, err)
		}
		found := false
		for _, n := range out.StreamNames {
			found = found || n == name
		}
		if !found {
			t.Fatalf("%s: stream %s not listed in %v", ep, name, out.StreamNames)
		}
	}
	// The default chain (AWS_ENDPOINT_URL) reaches moto's S3.
	s := s3.NewFromConfig(Config(t, ""))
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(Name("probe"))}); err != nil {
		t.Fatalf("S3 CreateBucket through AWS_ENDPOINT_URL: %v", err)
	}
}

// A machine without moto_server gets a message saying what to install.
func TestMissingServerMessage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := start()
	if err == nil || !strings.Contains(err.Error(), "moto_server is not on PATH") || !strings.Contains(err.Error(), "pip install") {
		t.Fatalf("err = %v", err)
	}
}
