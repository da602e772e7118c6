package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/internal/latency"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/sink"
)

// Output is where the rows of one in-application stream (or error_stream)
// go: stdout, a file, or a destination connector (a Kinesis stream, a
// Firehose delivery stream, a Lambda function: engine/live). Every output
// of a run is resolved before the graph is built and attached by one loop.
type Output interface {
	// Open gives the output the columns of the rows it will receive, once,
	// before the first row (error_stream: sink.ErrorStreamColumns).
	Open(cols []sink.Column)
	// Push takes rows; Advance writes or delivers what is queued up to a
	// time bound.
	operators.Operator
	// Error takes a rejected record, when the output is error_stream's.
	operators.ErrorSink
	// Status is what the output has delivered and holds so far, and the
	// error that stopped it, if any.
	Status() OutputStatus
	// Close writes or delivers what is left and returns the output's
	// error: a failed write or delivery fails the run.
	Close() error
}

// OutputStatus is an output's figures so far.
type OutputStatus struct {
	Delivered int64 // rows written, or acknowledged by the destination
	Pending   int64 // rows queued, not yet delivered
	Retried   int64 // rows sent again after a failure (throttling)
	Err       error // the first error that stopped delivery
	// Calls to the destination (delivery attempts: one per batch sent),
	// those that failed wholly or in part, and how long they took; zero
	// for stdout and files.
	Calls, Failed int64
	Latency       latency.Histogram
}

// Binding is one resolved output of a stream.
type Binding struct {
	Stream string
	Out    Output
}

// Connectors bind an application's AWS resources in a live run; engine/live
// provides them, a replay has none.
type Connectors interface {
	// Output returns the destination of an application output that names
	// one, or nil: the output prints to stdout. field is the output's place
	// in the application file, for messages; rows the destination refuses
	// (too large) go to errs.
	Output(field string, out app.Output, errs operators.ErrorSink) (Output, error)
	// Reference fetches a reference table's object from where the
	// application keeps it (S3); ok is false when it names no such place.
	Reference(table string) (data []byte, ok bool, err error)
}

// resolveOutputs decides which streams go where: Writers, else --out, else
// the application's Outputs (to their destinations when Connectors give
// them, else to stdout), else DESTINATION_SQL_STREAM and bare queries to
// stdout.
func (p *Pipeline) resolveOutputs(f sink.Format) ([]Binding, error) {
	o, g := p.o, p.l.graph
	local := func(stream string, w io.Writer, name string) Binding {
		return Binding{stream, newWriterOutput(name, w, nil, f, o.Rowtime)}
	}
	var bs []Binding
	switch {
	case len(o.Writers) > 0:
		names := make([]string, 0, len(o.Writers))
		for n := range o.Writers {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			bs = append(bs, local(n, o.Writers[n], "output "+n))
		}
	case len(o.Outs) > 0:
		for _, out := range o.Outs {
			if out.Dest == "-" || out.Dest == "" {
				bs = append(bs, local(out.Stream, o.Stdout, "stdout"))
				continue
			}
			file, err := os.Create(out.Dest)
			if err != nil {
				return bs, &ConfigError{Field: "--out " + out.Stream, Msg: err.Error()}
			}
			bs = append(bs, Binding{out.Stream, newWriterOutput(out.Dest, file, file, fileFormat(o.Format, out.Dest, f), o.Rowtime)})
		}
	default:
		printed := map[string]bool{}
		for i, out := range o.App.Outputs {
			if o.Connectors != nil {
				d, err := o.Connectors.Output(fmt.Sprintf("Outputs[%d]", i), out, p.errs)
				if err != nil {
					return bs, err
				}
				if d != nil {
					bs = append(bs, Binding{out.Name, d})
					continue
				}
			}
			if !printed[out.Name] {
				printed[out.Name] = true
				bs = append(bs, local(out.Name, o.Stdout, "stdout"))
			}
		}
		if len(o.App.Outputs) == 0 {
			if g.Catalog.Stream("DESTINATION_SQL_STREAM") != nil {
				bs = append(bs, local("DESTINATION_SQL_STREAM", o.Stdout, "stdout"))
			}
			for _, q := range g.Queries {
				bs = append(bs, local(q.Name, o.Stdout, "stdout"))
			}
		}
		if len(bs) == 0 {
			return bs, &ConfigError{Field: "Outputs", Msg: "nothing to print: the application has no Outputs and no DESTINATION_SQL_STREAM; name a stream with --out STREAM=-"}
		}
	}
	labelShared(bs, o.Stdout)
	return bs, nil
}

// fileFormat is a file's format: the one asked for with --format, else by
// its name (CSV for .csv, NDJSON otherwise); never the terminal's table.
func fileFormat(asked, path string, f sink.Format) sink.Format {
	if asked != "" {
		return f
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return sink.CSV
	}
	return sink.NDJSON
}

// labelShared labels the rows of every stream printed to stdout when
// several are, so that each row says which stream it belongs to.
func labelShared(bs []Binding, stdout io.Writer) {
	var shared []*writerOutput
	for _, b := range bs {
		if w, ok := b.Out.(*writerOutput); ok && w.w.w == stdout && w.file == nil {
			w.label = b.Stream
			shared = append(shared, w)
		}
	}
	if len(shared) < 2 {
		for _, w := range shared {
			w.label = ""
		}
	}
}

// attach binds each output to its stream (error_stream's to the error
// fan-out) and counts each stream's rows once.
func (p *Pipeline) attach(bs []Binding) error {
	g := p.l.graph
	p.counters = map[string]*rowCounter{}
	own := ownDestinations(bs)
	for _, b := range bs {
		if b.Stream == "error_stream" {
			b.Out.Open(sink.ErrorStreamColumns)
			p.errs.sinks = append(p.errs.sinks, b.Out)
			p.errs.routed = true
			p.errOuts = append(p.errOuts, b.Out)
			continue
		}
		s, err := g.LookupStream(b.Stream)
		if err != nil {
			return &ConfigError{Field: "--out " + b.Stream, Msg: err.Error()} // the application's Outputs were validated
		}
		var cols []sink.Column
		for _, c := range s.Visible() {
			cols = append(cols, sink.Column{Name: c.Name, Type: c.Type})
		}
		b.Out.Open(cols)
		if own[b.Out] {
			p.l.bind.AttachOwn(b.Stream, b.Out)
		} else {
			p.l.bind.Attach(b.Stream, b.Out)
		}
		if p.counters[b.Stream] == nil {
			c := &rowCounter{}
			p.counters[b.Stream] = c
			p.l.bind.AttachOwn(b.Stream, c) // read between batches only
		}
	}
	return nil
}

// ownDestinations finds the outputs that write to a destination no other
// output writes to (a file, a writer of their own): the order of their
// calls against other outputs' calls changes no byte anywhere, so pumps
// running at once may call them directly (plan.Bindings.Own). Stdout
// shared by several streams, two outputs to one path, error_stream's
// outputs and connectors' destinations are not.
func ownDestinations(bs []Binding) map[Output]bool {
	users := map[any]int{}
	key := func(w *writerOutput) any {
		if w.file != nil {
			return filepath.Clean(w.name) // the path given to --out
		}
		if reflect.TypeOf(w.w.w).Comparable() {
			return w.w.w
		}
		return nil
	}
	for _, b := range bs {
		if w, ok := b.Out.(*writerOutput); ok {
			if k := key(w); k != nil {
				users[k]++
			}
		}
	}
	own := map[Output]bool{}
	for _, b := range bs {
		if w, ok := b.Out.(*writerOutput); ok && b.Stream != "error_stream" {
			if k := key(w); k != nil && users[k] == 1 {
				own[b.Out] = true
			}
		}
	}
	return own
}

// Outputs are the run's resolved outputs.
func (p *Pipeline) Outputs() []Binding { return p.outs }

// OutputError is the first error of any output so far (nil: all well).
func (p *Pipeline) OutputError() error {
	var errs []error
	for _, b := range p.outs {
		if err := b.Out.Status().Err; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writerOutput writes rows to stdout, a file or a caller's writer in the
// run's format.
type writerOutput struct {
	name    string
	w       *errWriter
	file    io.Closer // nil: not ours to close
	format  sink.Format
	rowtime bool
	op      operators.Operator
	errRow  *operators.Batch
	rows    int64
	label   string // the stream, when several share stdout
}

func newWriterOutput(name string, w io.Writer, file io.Closer, f sink.Format, rowtime bool) *writerOutput {
	return &writerOutput{name: name, w: &errWriter{w: w}, file: file, format: f, rowtime: rowtime}
}

func (o *writerOutput) Open(cols []sink.Column) {
	o.op = sink.NewLabeled(o.format, o.w, cols, o.rowtime, o.label)
}

func (o *writerOutput) Push(b *operators.Batch) {
	o.rows += int64(b.Len())
	o.op.Push(b)
}

func (o *writerOutput) Advance(t int64) { o.op.Advance(t) }

// Error writes an error_stream row at once.
func (o *writerOutput) Error(r operators.ErrorRecord) {
	if o.errRow == nil {
		o.errRow = operators.NewBatch(len(sink.ErrorStreamColumns), 1)
	}
	o.errRow.Reset()
	o.errRow.Append(r.Time, sink.ErrorRow(r))
	o.Push(o.errRow)
	o.op.Advance(r.Time)
}

func (o *writerOutput) Status() OutputStatus {
	st := OutputStatus{Delivered: o.rows}
	if o.w.err != nil {
		st.Err = fmt.Errorf("writing to %s: %w", o.name, o.w.err)
	}
	return st
}

func (o *writerOutput) Close() error {
	if o.op != nil {
		o.op.Advance(operators.EndOfTime)
	}
	if o.file != nil {
		if err := o.file.Close(); err != nil && o.w.err == nil {
			o.w.err = err
		}
		o.file = nil
	}
	return o.Status().Err
}

// errWriter keeps the first write error: the sinks write through a buffer
// and would otherwise lose it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}
