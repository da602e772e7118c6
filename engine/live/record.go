package live

import (
	"context"
	"fmt"
	"io"
	"time"

	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
)

// RecordOptions configure a capture of a Kinesis stream into a recording.
type RecordOptions struct {
	Stream string // name or ARN
	// From is TRIM_HORIZON (default), NOW, or AT_TIMESTAMP with FromTime.
	From     string
	FromTime time.Time
	// Until ends the capture: "" at the context's end, "NOW" once every
	// shard has been read to its tip, "TIME" at UntilTime (records that
	// arrived at or after it are left out), "DURATION" after UntilFor.
	Until     string
	UntilTime time.Time
	UntilFor  time.Duration
	// Live gives the AWS configuration (nil: the standard chain).
	Live *Options
	// Progress, if set, is called after each batch with the count so far.
	Progress func(records int64)
}

// RecordStats summarise a capture.
type RecordStats struct {
	Records int64
	Shards  int
}

// Record reads a stream and writes every record, in the order read, as a
// recording line (KPL-aggregated records as their user records, each
// with the Kinesis record's arrival time and sequence number). Replaying
// the recording feeds an application the records a live run read.
func Record(ctx context.Context, o RecordOptions, w io.Writer) (RecordStats, error) {
	var st RecordStats
	lo := o.Live
	if lo == nil {
		lo = &Options{}
	}
	if err := lo.load(ctx); err != nil {
		return st, err
	}
	stream, err := kinesis.ParseStream(o.Stream)
	if err != nil {
		return st, &engine.ConfigError{Field: "--stream", Msg: err.Error()}
	}
	if err := lo.check(ctx, &app.Application{Inputs: []app.Input{{KinesisStreamsInput: &app.ResourceRef{ResourceARN: o.Stream}}}},
		checkWords{field: "record --stream " + o.Stream, regionAlt: ", or give --stream the stream's ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), which carries the region"}); err != nil {
		return st, err
	}
	pos := o.From
	if pos == "" {
		pos = kinesis.TrimHorizon
	}
	src := kinesis.NewSource(kinsdk.NewFromConfig(lo.cfg), kinesis.SourceOptions{Stream: stream, Position: pos, Timestamp: o.FromTime,
		PollInterval: lo.PollInterval, MaxOutage: lo.MaxOutage, ConnectTimeout: lo.ConnectTimeout, Logf: lo.Logf, Log: lo.Log})
	rctx, stop := context.WithCancel(context.Background())
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- src.Run(rctx) }()
	wr := input.NewWriter(w)
	shards := map[string]bool{}
	var deadline <-chan time.Time
	switch o.Until {
	case "DURATION":
		deadline = time.After(o.UntilFor)
	case "TIME":
		if d := time.Until(o.UntilTime); d > 0 {
			deadline = time.After(d)
		} else {
			deadline = time.After(0)
		}
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	done := ctx.Done()
	reachedTime := false
	var runErr error
	batches := src.Batches()
	for batches != nil {
		select {
		case b, ok := <-batches:
			if !ok {
				batches = nil
				break
			}
			for _, r := range b.Records {
				if o.Until == "TIME" && r.Arrival >= o.UntilTime.UnixMilli() {
					continue
				}
				if err := wr.Write(r); err != nil && runErr == nil {
					runErr = err
					stop()
				}
				st.Records++
				shards[r.ShardID] = true
			}
			if o.Progress != nil {
				o.Progress(st.Records)
			}
		case <-tick.C:
			if (o.Until == "NOW" || reachedTime) && src.CaughtUp() {
				stop() // what is buffered still drains
			}
		case <-deadline:
			deadline = nil
			if o.Until == "TIME" {
				reachedTime = true // stop once everything before it is read
			} else {
				stop()
			}
		case <-done:
			done = nil
			stop()
		}
	}
	if err := <-errc; err != nil && runErr == nil {
		runErr = err
	}
	if err := wr.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	st.Shards = len(shards)
	if ok, err := src.Connected(); !ok && runErr == nil {
		// Stopped (--until, a signal) before the stream ever answered: an
		// empty recording would pass for an idle stream.
		runErr = fmt.Errorf("the stream never answered (last error: %v)", kinesis.Brief(err))
	}
	if runErr != nil {
		return st, fmt.Errorf("record %s: %w", stream.Name, runErr)
	}
	return st, nil
}
