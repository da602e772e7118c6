// Package firehose delivers records to an Amazon Data Firehose delivery
// stream with PutRecordBatch (AWS SDK for Go v2), retrying failed entries.
// It knows nothing of SQL: callers give it whole records (for JSON rows,
// each ending in a newline so the delivered objects are newline-delimited).
package firehose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"

	"github.com/streamsql/streamsql/connectors/deliver"
)

// API is the part of the Firehose client the sink uses.
type API interface {
	PutRecordBatch(context.Context, *firehose.PutRecordBatchInput, ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// PutRecordBatchLimits: 500 records and 4 MiB per call, 1,000 KiB per record.
var PutRecordBatchLimits = deliver.Limits{Records: 500, Bytes: 4 << 20, RecordBytes: 1000 << 10}

// Options configure a Sink.
type Options struct {
	// DeliveryStream is a name or an ARN
	// (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME).
	DeliveryStream string
	MaxAttempts    int // per record; 0: retry until delivered
	deliver.Options
}

// ParseDeliveryStream returns the name and region ("" for a plain name).
func ParseDeliveryStream(s string) (name, region string, err error) {
	if !strings.HasPrefix(s, "arn:") {
		if s == "" {
			return "", "", errors.New("empty delivery stream name")
		}
		return s, "", nil
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "firehose" || !strings.HasPrefix(parts[5], "deliverystream/") || len(parts[5]) == len("deliverystream/") {
		return "", "", fmt.Errorf("%q is not a Firehose delivery stream ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)", s)
	}
	return strings.TrimPrefix(parts[5], "deliverystream/"), parts[3], nil
}

// Sink writes records with PutRecordBatch.
type Sink struct {
	*deliver.Batcher
}

// NewSink makes a sink for a delivery stream; Add queues, Flush delivers.
func NewSink(api API, o Options) (*Sink, error) {
	name, region, err := ParseDeliveryStream(o.DeliveryStream)
	if err != nil {
		return nil, err
	}
	var opts []func(*firehose.Options)
	if region != "" {
		opts = append(opts, func(fo *firehose.Options) { fo.Region = region })
	}
	put := func(ctx context.Context, es []deliver.Entry) (deliver.Result, error) {
		in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: make([]types.Record, len(es))}
		for i, e := range es {
			in.Records[i] = types.Record{Data: e.Data}
		}
		out, err := api.PutRecordBatch(ctx, in, opts...)
		if err != nil {
			return deliver.Result{}, err
		}
		var r deliver.Result
		if len(out.RequestResponses) != len(es) {
			return deliver.Result{}, &deliver.IncompleteAnswer{Sent: len(es), Answered: len(out.RequestResponses)}
		}
		if aws.ToInt32(out.FailedPutCount) == 0 {
			return r, nil
		}
		for i, e := range out.RequestResponses {
			if e.ErrorCode != nil && *e.ErrorCode != "" {
				if r.Failed == nil {
					r.Code, r.Message = *e.ErrorCode, aws.ToString(e.ErrorMessage)
				}
				r.Failed = append(r.Failed, i)
			}
		}
		return r, nil
	}
	do := o.Options
	do.Limits, do.Put, do.Transient, do.MaxAttempts = PutRecordBatchLimits, put, transient, o.MaxAttempts
	do.Name = "Firehose delivery stream " + name
	return &Sink{deliver.New(do)}, nil
}

func transient(err error) bool {
	var ia *deliver.IncompleteAnswer
	if errors.As(err, &ia) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ServiceUnavailableException", "ThrottlingException", "LimitExceededException", "InternalFailure":
			return true
		}
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}
