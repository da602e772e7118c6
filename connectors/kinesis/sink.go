package kinesis

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/connectors/deliver"
)

// PutRecords limits: 500 records and 5 MiB per call, 1 MiB per record
// (data and partition key both count).
var PutRecordsLimits = deliver.Limits{Records: 500, Bytes: 5 << 20, RecordBytes: 1 << 20, KeysCount: true}

// SinkOptions configure a Sink.
type SinkOptions struct {
	Stream      Stream
	MaxAttempts int // per record; 0: retry until delivered
	Backoff     Backoff
	// Logf hears about records that keep failing (deliver.Options.Logf).
	Logf func(format string, args ...any)
	Log  *slog.Logger // structured instead of Logf (deliver.Options.Log)
	// RandomKeys: the partition keys are random, so any shard may take any
	// record: each goes to an open shard by explicit hash key, and a shard
	// that refuses records is left out while it backs off (router.go).
	RandomKeys bool
}

// Sink writes records to a stream with PutRecords.
type Sink struct {
	*deliver.Batcher
}

// NewSink makes a sink; Add queues records, Flush delivers them.
func NewSink(api API, o SinkOptions) *Sink {
	// The batcher is the one retry layer: it paces by what each call
	// delivered, which the SDK's own retries of throttled calls would hide.
	callOpts := append(o.Stream.opts(), func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	var rt *router
	if o.RandomKeys {
		rt = &router{api: api, stream: o.Stream, backoff: Backoff{Base: o.Backoff.Base, Max: o.Backoff.Max}}
	}
	put := func(ctx context.Context, es []deliver.Entry) (deliver.Result, error) {
		in := &kinesis.PutRecordsInput{StreamName: aws.String(o.Stream.Name), Records: make([]types.PutRecordsRequestEntry, len(es))}
		var shards []*shardRange
		var keys []string
		if rt != nil {
			shards, keys = rt.route(ctx, len(es))
		}
		for i, e := range es {
			in.Records[i] = types.PutRecordsRequestEntry{Data: e.Data, PartitionKey: aws.String(e.Key)}
			if shards != nil {
				in.Records[i].ExplicitHashKey = aws.String(keys[i])
			}
		}
		out, err := api.PutRecords(ctx, in, callOpts...)
		if err != nil {
			return deliver.Result{}, err
		}
		var r deliver.Result
		if len(out.Records) != len(es) {
			// An answer that does not account for every entry: none is
			// taken as delivered.
			return deliver.Result{}, &deliver.IncompleteAnswer{Sent: len(es), Answered: len(out.Records)}
		}
		refused := map[*shardRange]bool{}
		for i, e := range out.Records {
			if e.ErrorCode != nil && *e.ErrorCode != "" {
				if r.Failed == nil {
					r.Code, r.Message = *e.ErrorCode, aws.ToString(e.ErrorMessage)
				}
				r.Failed = append(r.Failed, i)
				if shards != nil && *e.ErrorCode == "ProvisionedThroughputExceededException" {
					refused[shards[i]] = true
				}
			}
		}
		took := map[*shardRange]bool{}
		for i, s := range shards {
			if out.Records[i].ErrorCode == nil {
				took[s] = true
			}
		}
		for s := range refused {
			rt.refused(s)
		}
		for s := range took {
			if !refused[s] {
				rt.answered(s)
			}
		}
		return r, nil
	}
	return &Sink{deliver.New(deliver.Options{Limits: PutRecordsLimits, Put: put, Transient: isTransient, MaxAttempts: o.MaxAttempts,
		BackoffBase: o.Backoff.Base, BackoffMax: o.Backoff.Max, Name: "Kinesis stream " + o.Stream.Name, Logf: o.Logf, Log: o.Log})}
}
