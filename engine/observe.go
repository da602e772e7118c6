package engine

import (
	"maps"
	"os"
	"slices"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
)

// Observer watches a run from the engine's goroutine (package observe
// serves what it sees as metrics, health and a web console). Every call
// comes from the goroutine that pushes rows, so the observer may read the
// pipeline's counters there and hand copies to other goroutines.
type Observer interface {
	// Taps are extra readers of in-application streams (by name), asked for
	// once before the graph is built; error_stream rows reach an observer
	// that is also an operators.ErrorSink.
	Taps(g *plan.Graph) map[string]operators.Operator
	// Observe is called after every batch flowed through the graph (about
	// every batchRecords records, and on each tick of a live run), and with
	// final set once the outputs were closed at the end of the run.
	Observe(p *Pipeline, final bool)
}

// PartObserver is an Observer that also watches a split application
// whose parts run in pipelines of their own (a live run with --lease):
// Part is the observer of one part's pipeline, named by its first input
// stream, with the part's input streams. When that observer is also a
// PartLeaver, the run calls Leave once the part's pipeline has stopped
// because the part was handed over to another instance while the run goes
// on here.
type PartObserver interface {
	Observer
	Part(name string, streams []string) Observer
}

// PartLeaver is told that its part left the instance (PartObserver).
type PartLeaver interface{ Leave() }

// Current is the run's figures so far (Finish's Stats without ending the
// run). Call it from the goroutine that pushes rows.
func (p *Pipeline) Current() Stats {
	st := p.stats
	st.Inputs = append([]InputStats(nil), p.stats.Inputs...)
	for i := range st.Inputs {
		st.Inputs[i].Shards = slices.Clone(st.Inputs[i].Shards)
	}
	st.RowsOut = make(map[string]int64, len(p.counters))
	for name, c := range p.counters {
		st.RowsOut[name] = c.n
	}
	st.ErrorRows = p.errs.count
	st.Errors = maps.Clone(p.errs.byName)
	st.FirstError = p.errs.first
	st.ErrorsRouted = p.errs.routed
	st.LateRows = p.run.Late()
	st.LateEventRows = p.run.LateEvents()
	st.ElapsedTime = time.Since(p.start)
	st.Refreshes = maps.Clone(p.stats.Refreshes)
	return st
}

// Running is the started operator graph (its operators and counters).
func (p *Pipeline) Running() *plan.Running { return p.run }

// Graph is the application's plan.
func (p *Pipeline) Graph() *plan.Graph { return p.l.graph }

// observe tells the observer, if any, that a batch has flowed.
func (p *Pipeline) observe(final bool) {
	if p.o.Observer != nil {
		p.o.Observer.Observe(p, final)
	}
}

// Observe lets a live run's loop report that it is turning while no record
// comes (health checks).
func (p *Pipeline) Observe() { p.observe(false) }

// tap attaches the observer's stream readers and error sink.
func (p *Pipeline) tap() {
	p.l.bind.Timed = p.o.TimeOperators
	if p.o.Observer == nil {
		return
	}
	for stream, op := range p.o.Observer.Taps(p.l.graph) {
		p.l.bind.Attach(stream, op)
	}
	if es, ok := p.o.Observer.(operators.ErrorSink); ok {
		p.errs.sinks = append(p.errs.sinks, es)
	}
}

// RefreshFailed counts a reference table's object that could not be
// fetched again (the loaded table stays).
func (p *Pipeline) RefreshFailed(table string) { p.countRefresh(table, false) }

// countRefresh counts a reference table's new version (ok) or a version
// that could not be loaded.
func (p *Pipeline) countRefresh(table string, ok bool) {
	if p.stats.Refreshes == nil {
		p.stats.Refreshes = map[string]RefreshStats{}
	}
	r := p.stats.Refreshes[table]
	if ok {
		r.Loaded++
	} else {
		r.Failed++
	}
	p.stats.Refreshes[table] = r
}

// Destination names where a binding's rows go: "stdout", a file, or the
// AWS resource ("Kinesis stream NAME", ...).
func (b Binding) Destination() string {
	if d, ok := b.Out.(interface{ Destination() string }); ok {
		return d.Destination()
	}
	return "output"
}

func (o *writerOutput) Destination() string { return o.name }

// Plan loads, validates and plans an application (what explain prints).
// It refuses what Validate refuses, so explain never prints a plan for an
// application that check and run reject.
func Plan(a *app.Application) (*plan.Graph, error) {
	l, err := load(a)
	if err != nil {
		return nil, err
	}
	if _, err := validate(l); err != nil {
		return nil, err
	}
	return l.graph, nil
}

// ReplayProgress is how far the recordings have been read: the bytes read
// from their files and the files' total size; total is 0 when a size is
// unknown (standard input, a folder, a pipe). Safe from the goroutine that
// pushes rows.
func (p *Pipeline) ReplayProgress() (read, total int64) {
	if p.replays == nil {
		return 0, 0
	}
	if p.replays.sizes == nil {
		p.replays.sizes = make([]int64, len(p.replays.sources))
		for i, s := range p.replays.sources {
			if st, err := os.Stat(s.name); err == nil && st.Mode().IsRegular() {
				p.replays.sizes[i] = st.Size()
			} else {
				p.replays.sizes[i] = -1
			}
		}
	}
	known := true
	for i, s := range p.replays.sources {
		br, ok := s.rd.(interface{ BytesRead() int64 })
		if !ok || p.replays.sizes[i] < 0 {
			known = false
			continue
		}
		read += br.BytesRead()
		total += p.replays.sizes[i]
	}
	if !known {
		total = 0
	}
	return read, total
}

// Observers are several observers as one: each gets every call; taps of
// the same stream all read it.
type Observers []Observer

// Taps implements Observer.
func (os Observers) Taps(g *plan.Graph) map[string]operators.Operator {
	out := map[string]operators.Operator{}
	for _, o := range os {
		for s, op := range o.Taps(g) {
			if prev, ok := out[s]; ok {
				op = &operators.Tee{Outs: []operators.Operator{prev, op}}
			}
			out[s] = op
		}
	}
	return out
}

// Observe implements Observer.
func (os Observers) Observe(p *Pipeline, final bool) {
	for _, o := range os {
		o.Observe(p, final)
	}
}

// Error implements operators.ErrorSink for the observers that take
// error_stream rows.
func (os Observers) Error(r operators.ErrorRecord) {
	for _, o := range os {
		if es, ok := o.(operators.ErrorSink); ok {
			es.Error(r)
		}
	}
}
