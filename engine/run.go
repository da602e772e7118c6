package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
	"github.com/streamsql/streamsql/progress"
	"github.com/streamsql/streamsql/reference"
	"github.com/streamsql/streamsql/sink"
)

// batchRecords is how many source records are decoded before the batch is
// pushed through the graph and time advances, unless Options.BatchRecords
// says otherwise.
const batchRecords = 1024

// Run executes an application over its replays until they end (or ctx is
// cancelled) and delivers every in-application stream asked for.
func Run(ctx context.Context, o Options) (Stats, error) {
	p, err := Start(o)
	if err != nil {
		return Stats{RowsOut: map[string]int64{}}, err
	}
	rp, err := p.OpenReplays()
	if err != nil {
		st, _ := p.Finish()
		return st, err
	}
	defer rp.Close()
	for {
		flowed, ok := rp.PushNext(p)
		if !ok {
			break
		}
		if flowed && (ctx.Err() != nil || p.OutputError() != nil || p.StateError() != nil) {
			break // stopped, an output cannot take more, or state outgrew its bound
		}
	}
	if err := p.StateError(); err != nil {
		// Closing the windows now would emit rows that are not results.
		p.close()
		return p.stats, err
	}
	st, err := p.Finish()
	if err == nil {
		err = rp.Err()
	}
	return st, err
}

// Pipeline is a started application: records pushed in flow through the
// graph to the outputs.
type Pipeline struct {
	replays   *Replays // the recordings being read, for progress
	o         Options
	l         *loaded
	errs      *errorFanout
	counters  map[string]*rowCounter
	outs      []Binding
	errOuts   []Output // error_stream's outputs: they advance with the graph
	decoders  []*decode.Decoder
	targets   [][]*target
	shardSlot []map[string]int // per input: each shard's in-application stream
	// shardStream, when set, maps a shard to its input's in-application
	// stream (a live run's, which knows the shards' parents).
	shardStream func(in int, shard string) int
	shardAt     []*ShardStats // per input: the shard of its last replayed record (countShard)
	last        int64
	bound       int64 // last bound the sources were advanced to
	pending     int
	batch       int // records per batch
	start       time.Time
	clock       *eval.ReplayClock // nil in a live run
	stats       Stats
	run         *plan.Running
	state       *stateGuard
	probes      []*decode.Probe
}

// probeRecords is how many records of each JSON input are checked for
// column mappings that match nothing.
const probeRecords = 1000

type target struct {
	op    operators.Operator
	batch *operators.Batch
}

// Start loads and plans the application, binds references and outputs, and
// builds the operator graph.
func Start(o Options) (*Pipeline, error) {
	p := &Pipeline{o: o, start: time.Now(), errs: &errorFanout{byName: map[string]int64{}}, last: -1 << 62, bound: noBound}
	p.stats.RowsOut = map[string]int64{}
	if p.batch = o.BatchRecords; p.batch <= 0 {
		p.batch = batchRecords
	}
	if o.App == nil {
		return nil, errors.New("no application")
	}
	if p.o.Stdout == nil {
		p.o.Stdout = os.Stdout
	}
	if p.o.Stderr == nil {
		p.o.Stderr = os.Stderr
	}
	p.state = newStateGuard(o.MaxStateMemory, func(msg string) { p.note(slog.LevelWarn, event.State, nil, "%s", msg) })
	l, err := load(o.App)
	if err != nil {
		return nil, err
	}
	p.l = l
	g := l.graph
	decoders, err := validate(l) // the checks `check` runs too
	if err != nil {
		return nil, err
	}
	if err := loadReferences(l, o, p.errs); err != nil {
		return nil, err
	}
	format := o.Format
	if format == "" {
		format = "ndjson"
		if o.IsTerminal {
			format = "table"
		}
	}
	f, err := sink.ParseFormat(format)
	if err != nil {
		return nil, &ConfigError{Field: "--format", Msg: err.Error()}
	}
	p.outs, err = p.resolveOutputs(f)
	if err == nil {
		err = p.attach(p.outs)
	}
	if err != nil {
		p.close()
		return nil, err
	}
	l.bind.Errors = p.errs
	l.bind.Ctx = eval.Ctx{QueryStart: p.start.UnixMilli(), Now: func() int64 { return time.Now().UnixMilli() }}
	if o.Connectors == nil {
		// A replay's clock is its own time (docs/semantics.md R6); a live
		// run (with connectors) keeps the wall clock.
		p.clock = &eval.ReplayClock{}
		l.bind.Ctx.Replay = p.clock
	}
	p.tap() // observe.go
	switch procs := runtime.GOMAXPROCS(0); o.Pumps {
	case PumpsAuto:
		l.bind.Lanes, l.bind.LaneRows = procs, LaneRows
	case PumpsConcurrent:
		l.bind.Lanes, l.bind.LaneRows = max(procs, 2), 0
	}
	if p.run, err = plan.Start(g, l.bind); err != nil {
		p.close()
		return nil, err
	}
	p.notePumps()
	p.decoders = decoders
	p.targets = make([][]*target, len(l.inputs))
	p.probes = make([]*decode.Probe, len(l.inputs))
	p.stats.Inputs = make([]InputStats, len(l.inputs))
	p.shardAt = make([]*ShardStats, len(l.inputs))
	p.shardSlot = make([]map[string]int, len(l.inputs))
	for i, in := range l.inputs {
		p.stats.Inputs[i].Name = in.prefix
		d := decoders[i]
		p.probes[i] = decode.NewProbe(d)
		p.shardSlot[i] = map[string]int{}
		for _, name := range in.streams {
			p.targets[i] = append(p.targets[i], &target{op: p.run.Input(name), batch: operators.NewBatch(d.Width(), p.batch)})
		}
	}
	return p, nil
}

// close ends every output and returns their errors.
func (p *Pipeline) close() error {
	var errs []error
	for _, b := range p.outs {
		if err := b.Out.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Push decodes one record of input `in` into its in-application stream
// (stream -1: chosen by shard). Every batchRecords records the batch flows
// and time advances; Push reports when that happened.
func (p *Pipeline) Push(in, stream int, rec input.Record) bool {
	rowtime, tg := p.place(in, stream, rec)
	errsBefore := p.errs.count
	rows := p.decoders[in].Decode(rowtime, rec.Data, decode.Meta{Arrival: rec.Arrival, PartitionKey: rec.PartitionKey,
		SequenceNumber: rec.SequenceNumber, ShardID: rec.ShardID}, tg.batch, p.errs)
	return p.pushed(in, rec, rows == 0 && p.errs.count > errsBefore)
}

// place gives a record its ROWTIME and picks the in-application stream
// it feeds.
func (p *Pipeline) place(in, stream int, rec input.Record) (int64, *target) {
	rowtime := rec.Arrival
	if p.o.InsertionTime {
		rowtime = time.Now().UnixMilli()
	}
	if rowtime < p.last {
		rowtime = p.last
	}
	p.last = rowtime
	if p.clock != nil {
		p.clock.Observe(rowtime)
	}
	ts := p.targets[in]
	slot := stream
	if slot < 0 {
		k, ok := p.shardSlot[in][rec.ShardID]
		if !ok {
			if p.shardStream != nil {
				k = p.shardStream(in, rec.ShardID)
			} else {
				k = input.ShardStream(rec.ShardID, len(ts))
			}
			p.shardSlot[in][rec.ShardID] = k
		}
		slot = k % len(ts)
	}
	return rowtime, ts[slot]
}

// SetShardStreams makes f choose the in-application stream (0 .. the
// input's InputParallelism.Count-1) of the records of each shard, instead
// of the shard's number (input.ShardStream); a live run's f knows the
// shards' parents. Call it before the first record.
func (p *Pipeline) SetShardStreams(f func(in int, shard string) int) { p.shardStream = f }

// pushed counts a decoded record (failed: it gave no row, only errors);
// every batchRecords records the batches flow and time advances.
func (p *Pipeline) pushed(in int, rec input.Record, failed bool) bool {
	p.stats.RecordsIn++
	st := &p.stats.Inputs[in]
	st.Records++
	st.Bytes += int64(len(rec.Data))
	if failed {
		st.Failed++
	}
	if pr := p.probes[in]; pr != nil {
		pr.Observe(rec.Data)
		if pr.Records() >= probeRecords {
			p.reportProbe(in)
		}
	}
	p.pending++
	if p.pending >= p.batch {
		p.advance(p.last)
		return true
	}
	return false
}

// shardMiss finds shard id among the input's, adding it on first sight,
// and makes it the input's current shard (pushReplay counts records by
// shard; records of one shard mostly follow each other, so it looks here
// only when the shard changes). An input has a handful of shards: a
// linear search.
func (p *Pipeline) shardMiss(in int, id string) *ShardStats {
	st := &p.stats.Inputs[in]
	i := slices.IndexFunc(st.Shards, func(s ShardStats) bool { return s.ID == id })
	if i < 0 {
		i = len(st.Shards)
		st.Shards = append(st.Shards, ShardStats{ID: id})
	}
	p.shardAt[in] = &st.Shards[i]
	return p.shardAt[in]
}

// advance pushes the pending batches and moves every source to bound t.
func (p *Pipeline) advance(t int64) {
	p.pending = 0
	p.bound = t
	for _, ts := range p.targets {
		for _, tg := range ts {
			if tg.batch.Len() > 0 {
				tg.op.Push(tg.batch)
				tg.batch.Reset()
			}
			tg.op.Advance(t)
		}
	}
	p.run.Advance(t) // the streams no pump writes (the sources are there already)
	for _, o := range p.errOuts {
		o.Advance(t)
	}
	if t != operators.EndOfTime {
		p.state.check(p.run.Operators())
	}
	p.observe(false)
}

// StateError is the error that stopped the run when operator state grew
// past the hard bound of --max-state-memory, or nil.
func (p *Pipeline) StateError() error {
	if p.state == nil {
		return nil
	}
	return p.state.err
}

// Finish ends the input: every window closes, outputs flush, and the
// run's figures are returned, with the outputs' errors (a row that could
// not be written or delivered fails the run). The caller reports the
// figures (cmd/streamsql prints the end-of-run summary).
func (p *Pipeline) Finish() (Stats, error) { return p.end(true) }

func (p *Pipeline) end(endInput bool) (Stats, error) {
	if endInput {
		// The spaced checks may all have fallen before the state peaked
		// (one slow check on a busy machine spaces the next past a short
		// run): look once more before the last windows close.
		p.state.checkNow(p.run.Operators())
		p.advance(operators.EndOfTime)
	}
	err := p.close()
	for i := range p.probes {
		p.reportProbe(i)
	}
	for name, c := range p.counters {
		p.stats.RowsOut[name] = c.n
	}
	p.stats.ErrorRows = p.errs.count
	p.stats.Errors = p.errs.byName
	p.stats.FirstError = p.errs.first
	p.stats.ErrorsRouted = p.errs.routed
	p.stats.LateRows = p.run.Late()
	p.stats.LateEventRows = p.run.LateEvents()
	p.stats.ElapsedTime = time.Since(p.start)
	p.observe(true)
	return p.stats, err
}

// reportProbe warns, once per input, about column mappings that matched no
// field in the records seen so far.
func (p *Pipeline) reportProbe(in int) {
	pr := p.probes[in]
	if pr == nil {
		return
	}
	p.probes[in] = nil
	for _, w := range pr.Unmatched() {
		p.note(slog.LevelWarn, event.Mapping, []any{"input", p.l.inputs[in].prefix}, "%s: %s", p.l.inputs[in].prefix, w)
	}
}

// notePumps says, at debug level, whether the pumps that share no state
// run on separate goroutines, and why not.
func (p *Pipeline) notePumps() {
	parts, lanes := p.run.Parts(), p.l.bind.Lanes
	why := ""
	switch {
	case parts < 2:
		why = "no two pumps are independent (one part)"
	case p.o.Pumps == PumpsSequential:
		why = "Options.Pumps is PumpsSequential"
	case lanes < 2:
		why = "one core (GOMAXPROCS 1)"
	}
	if why != "" {
		p.note(slog.LevelDebug, event.Pumps, []any{"parts", parts, "concurrent", false, "reason", why},
			"pumps run on the run loop's goroutine: %s", why)
		return
	}
	p.note(slog.LevelDebug, event.Pumps, []any{"parts", parts, "concurrent", true, "goroutines", min(parts, lanes), "min_rows", p.l.bind.LaneRows},
		"pumps run in %d independent parts on up to %d goroutines, for batches of %d rows or more", parts, min(parts, lanes), p.l.bind.LaneRows)
}

// note reports what the run does that its user should know: through
// Options.Log when set, else warnings as plain lines on Stderr (the rest
// only with a logger).
func (p *Pipeline) note(level slog.Level, kind string, attrs []any, format string, args ...any) {
	var plain func(string, ...any)
	if level >= slog.LevelWarn {
		plain = func(f string, a ...any) { fmt.Fprintf(p.o.Stderr, "streamsql: warning: "+f+"\n", a...) }
	}
	event.Note(p.o.Log, plain, level, kind, attrs, format, args...)
}

func loadReferences(l *loaded, o Options, errs operators.ErrorSink) error {
	for name := range o.References {
		if _, ok := l.tables[name]; !ok {
			return &ConfigError{Field: "--reference " + name, Msg: "the application has no reference table of that name" + tableHint(l)}
		}
	}
	names := make([]string, 0, len(l.tables))
	for n := range l.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		path, ok := o.References[name]
		if !ok && o.Connectors != nil { // live: the application's S3 object
			data, found, err := o.Connectors.Reference(name)
			if err != nil {
				return err
			}
			if found {
				t, err := reference.Load(name, bytes.NewReader(data), l.tables[name], errs)
				if err != nil {
					return err
				}
				l.bind.SetTable(name, t.Rows)
				continue
			}
		}
		if !ok {
			path, ok = localReference(o.App, name)
		}
		if !ok {
			return &ConfigError{Field: "ReferenceDataSources " + name,
				Msg: fmt.Sprintf("bind the table to a local file with --reference %s=FILE (loading from S3 comes with the live connectors)", name)}
		}
		if !isAbs(path) && o.App.Dir != "" && !exists(path) {
			path = join(o.App.Dir, path)
		}
		t, err := reference.LoadFile(name, path, l.tables[name], errs)
		if err != nil {
			return fmt.Errorf("reference table %s: %w", name, err)
		}
		l.bind.SetTable(name, t.Rows)
	}
	return nil
}

// localReference finds a reference table's object next to the application
// file, by the base name of its S3 FileKey: the layout of a project that keeps
// its reference data beside its SQL.
func localReference(a *app.Application, table string) (string, bool) {
	for _, r := range a.ReferenceDataSources {
		if r.TableName != table || r.S3ReferenceDataSource == nil || r.S3ReferenceDataSource.FileKey == "" {
			continue
		}
		p := join(a.Dir, filepath.Base(r.S3ReferenceDataSource.FileKey))
		if exists(p) {
			return p, true
		}
	}
	return "", false
}

func tableHint(l *loaded) string {
	var names []string
	for n := range l.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return " (it has " + strings.Join(names, ", ") + ")"
}

// rowCounter counts rows delivered to one output.
type rowCounter struct{ n int64 }

func (c *rowCounter) Push(b *operators.Batch) { c.n += int64(b.Len()) }
func (c *rowCounter) Advance(int64)           {}

// errorFanout receives every rejected record: it counts them, remembers
// the first for the summary, and writes them to error_stream outputs.
type errorFanout struct {
	sinks  []operators.ErrorSink
	count  int64
	byName map[string]int64
	first  string
	routed bool
}

func (e *errorFanout) Error(r operators.ErrorRecord) {
	e.count++
	e.byName[r.Name]++
	if e.count == 1 {
		e.first = r.Name + ": " + r.Message
		if r.Pump != "" {
			e.first += " (pump " + r.Pump + ")"
		}
	}
	for _, s := range e.sinks {
		s.Error(r)
	}
}

// source is one replay bound to an input.
type source struct {
	input   int
	stream  int // -1: spread over the input's streams by shard
	rd      input.Reader
	name    string
	next    replayRecord
	ok      bool
	order   int
	reorder *progress.Reorder[replayRecord] // nil: file order
	ahead   *prefetcher                     // nil: records are read and decoded in turn (parallel.go)
	eof     bool
	stats   *InputStats // the input's counters: unreadable lines are failed records
	err     error       // the recording could not be read to its end
	guard   *arrivalGuard
}

// Replays reads an application's recordings (Options.Replays) merged by
// arrival time, each record bound to its input.
type Replays struct {
	sizes   []int64 // each recording's file size (-1: unknown), for ReplayProgress
	sources []*source
	stop    func() // stops the parallel reading (parallel.go)
}

// OpenReplays opens the recordings and reads the first record of each;
// unreadable lines go to p's error_stream.
func (p *Pipeline) OpenReplays() (*Replays, error) {
	sources, err := p.openReplays(p.o)
	if err != nil {
		return nil, err
	}
	for _, d := range p.decoders {
		d.Stable = true // a replay's payloads are never overwritten (input gives each its own bytes)
	}
	r := &Replays{sources: sources, stop: p.prefetch(sources)}
	p.replays = r // observe.go: ReplayProgress
	for _, s := range sources {
		s.pull(p.errs)
	}
	return r, nil
}

// PushNext pushes the earliest record into p and reads the one after it
// from the same recording (its unreadable lines go to p's error_stream).
// flowed reports that a batch went through the graph (Pipeline.Push); ok
// is false, and nothing is pushed, at the end of every recording. The
// records may go to a pipeline other than the one that opened the
// replays (one restored from its snapshot, for instance).
func (r *Replays) PushNext(p *Pipeline) (flowed, ok bool) {
	s := earliest(r.sources)
	if s == nil {
		return false, false
	}
	rec := s.next
	s.pull(p.errs)
	return p.pushReplay(s, rec), true
}

// Close stops reading and closes the recordings.
func (r *Replays) Close() {
	r.stop()
	closeAll(r.sources)
}

// Err is the first error that stopped a recording early, if any.
func (r *Replays) Err() error {
	for _, s := range r.sources {
		if s.err != nil {
			return fmt.Errorf("--replay: %w", s.err)
		}
	}
	return nil
}

// openReplays opens the recordings and binds each to an input.
func (p *Pipeline) openReplays(o Options) ([]*source, error) {
	var sources []*source
	if len(o.Replays) == 0 && len(p.l.inputs) > 0 {
		return nil, &ConfigError{Field: "--replay", Msg: "no recording given: feed the input with --replay FILE (a recording of Kinesis records, or NDJSON with --arrival-field/--rate)"}
	}
	opts := input.Options{ArrivalField: o.ArrivalField, Rate: o.Rate, Start: o.Start}
	for i, r := range o.Replays {
		in, st, err := bindReplay(p.l, r.Stream)
		if err != nil {
			closeAll(sources)
			return nil, err
		}
		path := r.Path
		if path != "-" && !isAbs(path) && o.App.Dir != "" && !exists(path) {
			path = join(o.App.Dir, path)
		}
		rd, err := input.Open(path, opts)
		if err != nil {
			closeAll(sources)
			return nil, &ConfigError{Field: "--replay " + r.Path, Msg: err.Error()}
		}
		skew := o.MaxFutureSkew
		if skew == 0 {
			skew = DefaultMaxFutureSkew
		}
		src := &source{input: in, stream: st, rd: rd, name: path, order: i, stats: &p.stats.Inputs[in], guard: newArrivalGuard(skew)}
		if n := o.Reorder; n >= 0 {
			if n == 0 {
				n = DefaultReorder
			}
			src.reorder = progress.NewReorder[replayRecord](n)
		}
		sources = append(sources, src)
	}
	return sources, nil
}

func closeAll(sources []*source) {
	for _, s := range sources {
		s.rd.Close()
	}
}

// pull reads the source's next record (the earliest within the reorder
// slack); unreadable lines go to error_stream.
func (s *source) pull(errs *errorFanout) {
	if s.reorder == nil {
		s.read(errs)
		return
	}
	for !s.eof {
		s.read(errs)
		if !s.ok {
			s.eof = true
			break
		}
		if it, full := s.reorder.Add(s.next.Arrival, s.next); full {
			s.next, s.ok = it.Value, true
			return
		}
	}
	it, ok := s.reorder.Next()
	s.next, s.ok = it.Value, ok
}

// read takes the next record in file order that the arrival guard lets
// through.
func (s *source) read(errs *errorFanout) {
	for len(s.guard.ready) == 0 {
		s.readFile(errs)
		if !s.ok {
			s.guard.flush()
			break
		}
		s.guard.add(s.next, s, errs)
	}
	if len(s.guard.ready) == 0 {
		s.ok = false
		return
	}
	s.next, s.ok = s.guard.ready[0], true
	if len(s.guard.ready) == 1 {
		s.guard.ready = s.guard.ready[:0] // the usual one record: no allocation for the next
	} else {
		s.guard.ready = s.guard.ready[1:]
	}
}

// readFile takes the next record in file order.
func (s *source) readFile(errs *errorFanout) {
	for {
		var rec replayRecord
		var err error
		if s.ahead != nil {
			rec, err = s.ahead.next()
		} else {
			rec.Record, err = s.rd.Next()
		}
		if err == nil {
			s.next, s.ok = rec, true
			return
		}
		if errors.Is(err, io.EOF) {
			s.ok = false
			return
		}
		var le *input.LineError
		if errors.As(err, &le) {
			s.stats.Records++
			s.stats.Failed++
			errs.Error(operators.ErrorRecord{Level: "ERROR", Name: eval.ErrParse, Message: err.Error()})
			continue
		}
		// Not a bad line but a recording that cannot be read on (cut
		// short, an I/O error): what was read is processed, then the run
		// fails with it.
		s.err = err
		s.ok = false
		return
	}
}

// earliest picks the source whose next record arrived first (ties: the
// earlier --replay), so several recordings merge by arrival time.
func earliest(sources []*source) *source {
	var best *source
	for _, s := range sources {
		if !s.ok {
			continue
		}
		if best == nil || s.next.Arrival < best.next.Arrival {
			best = s
		}
	}
	return best
}

// bindReplay maps a --replay STREAM to an input and, optionally, one of its
// in-application streams.
func bindReplay(l *loaded, stream string) (int, int, error) {
	if len(l.inputs) == 0 {
		return 0, 0, &ConfigError{Field: "--replay", Msg: "the application has no Inputs to feed"}
	}
	if stream == "" {
		return 0, -1, nil
	}
	var names []string
	for i, in := range l.inputs {
		if in.prefix == stream {
			return i, -1, nil
		}
		for k, s := range in.streams {
			if s == stream {
				return i, k, nil
			}
			names = append(names, s)
		}
	}
	return 0, 0, &ConfigError{Field: "--replay " + stream, Msg: "no input stream of that name; the application reads " + strings.Join(names, ", ")}
}

// ReplaceTable decodes a new version of a reference table and swaps it in
// between two batches, so every row joins one version or the other.
func (p *Pipeline) ReplaceTable(name string, data []byte) error {
	t, err := reference.Load(name, bytes.NewReader(data), p.l.tables[name], p.errs)
	if err == nil {
		err = p.run.ReplaceTable(name, t.Rows)
	}
	p.countRefresh(name, err == nil)
	return err
}

// RecordsIn counts the records pushed so far.
func (p *Pipeline) RecordsIn() int64 { return p.stats.RecordsIn }

// Time is the run's time bound: the arrival time of the last record pushed
// (or the bound an idle feed moved it to).
func (p *Pipeline) Time() int64 { return p.last }
