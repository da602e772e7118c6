// Package kinesis reads and writes Amazon Kinesis data streams with the AWS
// SDK for Go v2: a source that reads every shard (respecting the per-shard
// read limits, resharding and KPL aggregation) and a sink that writes with
// PutRecords and retries failed entries. It knows nothing of SQL.
package kinesis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/streamsql/streamsql/connectors/deliver"
)

// API is the part of the Kinesis client the connectors use.
type API interface {
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
	PutRecords(context.Context, *kinesis.PutRecordsInput, ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// Stream is a stream named by name or ARN.
type Stream struct {
	Name   string
	Region string // from the ARN; "" means the client's region
}

// ParseStream reads "NAME" or "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME".
func ParseStream(s string) (Stream, error) {
	if !strings.HasPrefix(s, "arn:") {
		if s == "" {
			return Stream{}, errors.New("empty stream name")
		}
		return Stream{Name: s}, nil
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") || len(parts[5]) == len("stream/") {
		return Stream{}, fmt.Errorf("%q is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", s)
	}
	return Stream{Name: strings.TrimPrefix(parts[5], "stream/"), Region: parts[3]}, nil
}

// opts gives calls for a stream in another region that region.
func (s Stream) opts() []func(*kinesis.Options) {
	if s.Region == "" {
		return nil
	}
	return []func(*kinesis.Options){func(o *kinesis.Options) { o.Region = s.Region }}
}

// errorCode is the API error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isThrottle reports a throughput or rate limit error.
func isThrottle(err error) bool {
	switch errorCode(err) {
	case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException", "ThrottlingException":
		return true
	}
	return false
}

// isTransient reports an error worth retrying: throttling, a server error,
// or a network failure.
func isTransient(err error) bool {
	var ia *deliver.IncompleteAnswer
	if errors.As(err, &ia) {
		return true
	}
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if isThrottle(err) {
		return true
	}
	switch errorCode(err) {
	case "InternalFailure", "InternalFailureException", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException", "KMSInternalException":
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// Backoff is capped exponential backoff with full jitter.
type Backoff struct {
	Base, Max time.Duration
}

func (b Backoff) delay(attempt int) time.Duration {
	base := b.Base
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	return deliver.Jitter(base, b.max(), attempt)
}

// max is the longest wait between two tries.
func (b Backoff) max() time.Duration {
	if b.Max <= 0 {
		return 5 * time.Second
	}
	return b.Max
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error { return deliver.Sleep(ctx, d) }
