package awstest

import (
	"bytes"
	"context"
	"io"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Stream creates a Kinesis stream of the given shards through c (on
// kinesalite or moto) and returns its name once it is ACTIVE.
func Stream(t testing.TB, c *kinesis.Client, shards int32) string {
	t.Helper()
	name := Name("stream")
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == kintypes.StreamStatusActive {
			return name
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stream %s never became ACTIVE", name)
	return ""
}

// Bucket creates an S3 bucket on moto and returns its name.
func Bucket(t testing.TB) string {
	Need(t)
	t.Helper()
	name := Name("bucket")
	c := s3.NewFromConfig(Config(t, Moto))
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return name
}

// PutObject writes an object to moto's S3 and returns its ETag.
func PutObject(t testing.TB, bucket, key string, body []byte) string {
	Need(t)
	t.Helper()
	c := s3.NewFromConfig(Config(t, Moto))
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ETag)
}

// DeliveryStream creates a Firehose delivery stream on moto that delivers
// into bucket under prefix, and returns its name.
func DeliveryStream(t testing.TB, bucket, prefix string) string {
	Need(t)
	t.Helper()
	name := Name("delivery")
	c := firehose.NewFromConfig(Config(t, Moto))
	_, err := c.CreateDeliveryStream(context.Background(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::" + bucket),
			RoleARN:   aws.String("arn:aws:iam::123456789012:role/firehose"),
			Prefix:    aws.String(prefix),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// Objects returns the objects under prefix in key order, as Firehose
// delivered them.
func Objects(t testing.TB, bucket, prefix string) (keys []string, bodies [][]byte) {
	Need(t)
	t.Helper()
	c := s3.NewFromConfig(Config(t, Moto), func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	ctx := context.Background()
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	return keys, bodies
}
