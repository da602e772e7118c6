package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/sink"
	"github.com/streamsql/streamsql/value"
)

// ErrDelivery is the error_stream ERROR_NAME of a row no destination can take.
const ErrDelivery = "Delivery error"

// batcher is what every destination connector offers.
type batcher interface {
	Add(context.Context, deliver.Entry) error
	Flush(context.Context) error
	Stats() deliver.Stats
	Pending() int
}

// destination delivers an in-application stream (or error_stream) to a
// Kinesis stream, a Firehose delivery stream or a Lambda function: each row
// one record, formatted as the output's DestinationSchema says. Records go
// out at every time bound (a window's rows together) and at the end.
type destination struct {
	output  string
	what    string
	format  sink.Format
	cols    []sink.Column
	b       batcher
	newline bool // end JSON records with a newline (Firehose)
	keys    bool // random partition keys (Kinesis)
	errs    operators.ErrorSink
	err     error
	buf     []byte
}

func (d *destination) delivered() int64 { return d.b.Stats().Records }

func (d *destination) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		d.add(b.Times[i], b.Row(i), d.cols)
	}
}

func (d *destination) add(t int64, row []value.Value, cols []sink.Column) {
	buf := sink.AppendRow(d.buf[:0], d.format, row, cols)
	if d.newline || d.format == sink.CSV {
		buf = append(buf, '\n')
	}
	d.buf = buf
	e := deliver.Entry{Data: append([]byte(nil), buf...)}
	if d.keys {
		e.Key = strconv.FormatUint(rand.Uint64(), 16)
	}
	if err := d.b.Add(context.Background(), e); err != nil {
		if errors.Is(err, deliver.ErrTooLarge) {
			d.errs.Error(operators.ErrorRecord{Time: t, Level: "ERROR", Name: ErrDelivery, Message: err.Error(), DataRowtime: t, DataRow: e.Data})
			return
		}
		if d.err == nil {
			d.err = err
		}
	}
}

// Advance delivers what is queued. A destination that fails for good
// keeps its first error for the run to report.
func (d *destination) Advance(int64) {
	if d.b.Pending() == 0 {
		return
	}
	if err := d.b.Flush(context.Background()); err != nil && d.err == nil {
		d.err = err
	}
}

// Error takes error_stream rows when error_stream is an output.
func (d *destination) Error(r operators.ErrorRecord) {
	text := func(s string) value.Value {
		if s == "" {
			return value.Null
		}
		return value.NewString(s)
	}
	row := []value.Value{value.NewTimestamp(r.Time), text(r.Level), text(r.Name), text(r.Message),
		value.NewTimestamp(r.DataRowtime), text(hex.EncodeToString(r.DataRow)), text(r.Pump)}
	d.add(r.Time, row, sink.ErrorStreamColumns) // delivered at the next bound
}

// Close reports the destination's error; what was left was delivered (or
// failed) at the final bound.
func (d *destination) Close() error { return d.err }

// hasDestination reports an output bound to an AWS resource.
func hasDestination(out app.Output) bool {
	return out.KinesisStreamsOutput != nil || out.KinesisFirehoseOutput != nil || out.LambdaOutput != nil
}

// attachLive binds the application's Outputs to their destinations. With
// --out (or Writers) the run's output stays local, as in a replay; outputs
// without a destination print to stdout.
func (p *Pipeline) attachLive(f sink.Format) ([]io.Closer, map[string]*rowCounter, error) {
	o := p.o
	if len(o.Outs) > 0 || len(o.Writers) > 0 || len(o.App.Outputs) == 0 {
		return attachOutputs(p.l, o, f, p.errs)
	}
	if p.live == nil {
		p.live = &liveState{}
	}
	g := p.l.graph
	counters := map[string]*rowCounter{}
	var rest []Out
	var closers []io.Closer
	var clients liveClients
	for i, out := range o.App.Outputs {
		if !hasDestination(out) {
			rest = append(rest, Out{Stream: out.Name, Dest: "-"})
			continue
		}
		field := fmt.Sprintf("Outputs[%d]", i)
		d, err := p.newDestination(field, out, &clients)
		if err != nil {
			return closers, nil, err
		}
		p.live.dests = append(p.live.dests, d)
		closers = append(closers, d)
		if out.Name == "error_stream" {
			d.cols = sink.ErrorStreamColumns
			p.errs.sinks = append(p.errs.sinks, d)
			p.errs.routed = true
			continue
		}
		s, err := g.LookupStream(out.Name)
		if err != nil {
			return closers, nil, err
		}
		for _, c := range s.Visible() {
			d.cols = append(d.cols, sink.Column{Name: c.Name, Type: c.Type})
		}
		p.l.bind.Attach(out.Name, d)
		if counters[out.Name] == nil {
			c := &rowCounter{}
			counters[out.Name] = c
			p.l.bind.Attach(out.Name, c)
		}
	}
	if len(rest) > 0 {
		o2 := o
		o2.Outs = rest
		more, mc, err := attachOutputs(p.l, o2, f, p.errs)
		closers = append(closers, more...)
		if err != nil {
			return closers, nil, err
		}
		for k, v := range mc {
			counters[k] = v
		}
	}
	return closers, counters, nil
}

func (p *Pipeline) newDestination(field string, out app.Output, clients *liveClients) (*destination, error) {
	lo := p.o.Live
	d := &destination{output: out.Name, errs: p.errs}
	switch strings.ToUpper(out.DestinationSchema.RecordFormatType) {
	case "JSON":
		d.format = sink.NDJSON
	case "CSV":
		d.format = sink.CSV
	default:
		return nil, &ConfigError{Field: field + ".DestinationSchema.RecordFormatType", Msg: fmt.Sprintf("%q is not JSON or CSV", out.DestinationSchema.RecordFormatType)}
	}
	n := 0
	for _, r := range []*app.ResourceRef{out.KinesisStreamsOutput, out.KinesisFirehoseOutput, out.LambdaOutput} {
		if r != nil {
			n++
		}
	}
	if n > 1 {
		return nil, &ConfigError{Field: field, Msg: "one output has one destination: KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput"}
	}
	opts := deliver.Options{}
	switch {
	case out.KinesisStreamsOutput != nil:
		s, err := kinesis.ParseStream(out.KinesisStreamsOutput.ResourceARN)
		if err != nil {
			return nil, &ConfigError{Field: field + ".KinesisStreamsOutput.ResourceARN", Msg: err.Error()}
		}
		if clients.kinesis == nil {
			clients.kinesis = kinsdk.NewFromConfig(lo.cfg)
		}
		d.b = kinesis.NewSink(clients.kinesis, kinesis.SinkOptions{Stream: s, MaxAttempts: lo.MaxAttempts})
		d.what, d.keys = "Kinesis stream "+s.Name, true
	case out.KinesisFirehoseOutput != nil:
		if clients.firehose == nil {
			clients.firehose = fhsdk.NewFromConfig(lo.cfg)
		}
		s, err := firehose.NewSink(clients.firehose, firehose.Options{DeliveryStream: out.KinesisFirehoseOutput.ResourceARN, MaxAttempts: lo.MaxAttempts, Options: opts})
		if err != nil {
			return nil, &ConfigError{Field: field + ".KinesisFirehoseOutput.ResourceARN", Msg: err.Error()}
		}
		d.b, d.what, d.newline = s, "Firehose delivery stream "+out.KinesisFirehoseOutput.ResourceARN, true
	case out.LambdaOutput != nil:
		if clients.lambda == nil {
			clients.lambda = lambdasdk.NewFromConfig(lo.cfg)
		}
		appARN := "arn:aws:kinesisanalytics:" + lo.cfg.Region + ":000000000000:application/" + p.o.App.ApplicationName
		s, err := lambda.NewSink(clients.lambda, lambda.Options{Function: out.LambdaOutput.ResourceARN, ApplicationARN: appARN, MaxAttempts: lo.MaxAttempts, Options: opts})
		if err != nil {
			return nil, &ConfigError{Field: field + ".LambdaOutput.ResourceARN", Msg: err.Error()}
		}
		d.b, d.what = s, "Lambda function "+out.LambdaOutput.ResourceARN
	}
	return d, nil
}
