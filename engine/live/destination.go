package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/deliver"
	"github.com/streamsql/streamsql/connectors/firehose"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/connectors/lambda"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/sink"
	"github.com/streamsql/streamsql/value"
)

// ErrDelivery is the error_stream ERROR_NAME of a row no destination can take.
const ErrDelivery = "Delivery error"

// batcher is what every destination connector offers.
type batcher interface {
	Add(context.Context, deliver.Entry) error
	Send(context.Context) error
	Flush(context.Context) error
	Stats() deliver.Stats
	Pending() int
}

// destination is the engine.Output of an application output bound to a
// Kinesis stream, a Firehose delivery stream or a Lambda function: each row
// one record, formatted as the output's DestinationSchema says. Records go
// out at every time bound (a window's rows together) and at the end.
type destination struct {
	ctx     context.Context // ends when the drain after a stop runs out of time
	output  string
	what    string
	format  sink.Format
	cols    []sink.Column
	b       batcher
	newline bool // end JSON records with a newline (Firehose)
	keys    bool // random partition keys (Kinesis)
	errs    operators.ErrorSink
	err     error
	unsent  int64 // rows that came after the destination failed
	buf     []byte
}

func (d *destination) Open(cols []sink.Column) { d.cols = cols }

func (d *destination) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		d.add(b.Times[i], b.Row(i))
	}
}

func (d *destination) add(t int64, row []value.Value) {
	if d.err != nil {
		d.unsent++
		return
	}
	buf := sink.AppendRow(d.buf[:0], d.format, row, d.cols)
	if d.newline || d.format == sink.CSV {
		buf = append(buf, '\n')
	}
	d.buf = buf
	e := deliver.Entry{Data: append([]byte(nil), buf...)}
	if d.keys {
		e.Key = strconv.FormatUint(rand.Uint64(), 16)
	}
	if err := d.b.Add(d.ctx, e); err != nil {
		if errors.Is(err, deliver.ErrTooLarge) {
			d.errs.Error(operators.ErrorRecord{Time: t, Level: "ERROR", Name: ErrDelivery, Message: err.Error(), DataRowtime: t, DataRow: e.Data})
			return
		}
		if d.err == nil {
			d.err = err
		}
	}
}

// Advance sends what is queued, once, without waiting out a throttled
// destination: what fails is sent again at the next bound (a live run has
// one every 250 ms at least) or by Close. A destination that fails for
// good keeps its first error for the run to report, and the rows it holds.
func (d *destination) Advance(int64) {
	if d.b.Pending() == 0 || d.err != nil {
		return
	}
	if err := d.b.Send(d.ctx); err != nil && d.err == nil {
		d.err = err
	}
}

// Error takes error_stream rows when error_stream is an output; they go
// out at the next bound.
func (d *destination) Error(r operators.ErrorRecord) { d.add(r.Time, sink.ErrorRow(r)) }

func (d *destination) Status() engine.OutputStatus {
	st := d.b.Stats()
	return engine.OutputStatus{Delivered: st.Records, Pending: int64(d.b.Pending()) + d.unsent, Retried: st.Retried, Err: d.err,
		Calls: st.Calls, Failed: st.Failed, Latency: st.Latency}
}

// Close delivers what is left, waiting out throttling until the drain
// timeout ends d.ctx, and reports the destination's error.
func (d *destination) Close() error {
	d.flush()
	return d.err
}

// flush waits until every queued row is delivered (or the destination
// fails, keeping its error).
func (d *destination) flush() {
	if d.b.Pending() > 0 && d.err == nil {
		d.err = d.b.Flush(d.ctx)
	}
}

// deliverAll waits until every destination of p has delivered what it holds.
func deliverAll(p *engine.Pipeline) {
	for _, b := range p.Outputs() {
		if d, ok := b.Out.(*destination); ok {
			d.flush()
		}
	}
}

// hasDestination reports an output bound to an AWS resource.
func hasDestination(out app.Output) bool {
	return out.KinesisStreamsOutput != nil || out.KinesisFirehoseOutput != nil || out.LambdaOutput != nil
}

// Output makes the destination of an application output (engine.Connectors).
func (c *connectors) Output(field string, out app.Output, errs operators.ErrorSink) (engine.Output, error) {
	if !hasDestination(out) {
		return nil, nil
	}
	lo := c.lo
	d := &destination{ctx: c.deliver, output: out.Name, errs: errs}
	switch strings.ToUpper(out.DestinationSchema.RecordFormatType) {
	case "JSON":
		d.format = sink.NDJSON
	case "CSV":
		d.format = sink.CSV
	default:
		return nil, &engine.ConfigError{Field: field + ".DestinationSchema.RecordFormatType", Msg: fmt.Sprintf("%q is not JSON or CSV", out.DestinationSchema.RecordFormatType)}
	}
	n := 0
	for _, r := range []*app.ResourceRef{out.KinesisStreamsOutput, out.KinesisFirehoseOutput, out.LambdaOutput} {
		if r != nil {
			n++
		}
	}
	if n > 1 {
		return nil, &engine.ConfigError{Field: field, Msg: "one output has one destination: KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput"}
	}
	opts := deliver.Options{Logf: c.logf, Log: lo.Log}
	switch {
	case out.KinesisStreamsOutput != nil:
		s, err := kinesis.ParseStream(out.KinesisStreamsOutput.ResourceARN)
		if err != nil {
			return nil, &engine.ConfigError{Field: field + ".KinesisStreamsOutput.ResourceARN", Msg: err.Error()}
		}
		if c.kinesis == nil {
			c.kinesis = kinsdk.NewFromConfig(lo.cfg)
		}
		d.b = kinesis.NewSink(c.kinesis, kinesis.SinkOptions{Stream: s, MaxAttempts: lo.MaxAttempts, Logf: c.logf, Log: lo.Log, RandomKeys: true})
		d.what, d.keys = "Kinesis stream "+s.Name, true
	case out.KinesisFirehoseOutput != nil:
		if c.firehose == nil {
			c.firehose = fhsdk.NewFromConfig(lo.cfg)
		}
		s, err := firehose.NewSink(c.firehose, firehose.Options{DeliveryStream: out.KinesisFirehoseOutput.ResourceARN, MaxAttempts: lo.MaxAttempts, Options: opts})
		if err != nil {
			return nil, &engine.ConfigError{Field: field + ".KinesisFirehoseOutput.ResourceARN", Msg: err.Error()}
		}
		d.b, d.what, d.newline = s, "Firehose delivery stream "+out.KinesisFirehoseOutput.ResourceARN, true
	case out.LambdaOutput != nil:
		if c.lambda == nil {
			c.lambda = lambdasdk.NewFromConfig(lo.cfg)
		}
		appARN := "arn:aws:kinesisanalytics:" + lo.cfg.Region + ":000000000000:application/" + c.app.ApplicationName
		s, err := lambda.NewSink(c.lambda, lambda.Options{Function: out.LambdaOutput.ResourceARN, ApplicationARN: appARN, MaxAttempts: lo.MaxAttempts, Options: opts})
		if err != nil {
			return nil, &engine.ConfigError{Field: field + ".LambdaOutput.ResourceARN", Msg: err.Error()}
		}
		d.b, d.what = s, "Lambda function "+out.LambdaOutput.ResourceARN
	}
	return d, nil
}

// Destination names the AWS resource (engine.Binding.Destination).
func (d *destination) Destination() string { return d.what }
