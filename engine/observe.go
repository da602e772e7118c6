package engine

import (
	"maps"
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

// Current is the run's figures so far (Finish's Stats without ending the
// run). Call it from the goroutine that pushes rows.
func (p *Pipeline) Current() Stats {
	st := p.stats
	st.Inputs = append([]InputStats(nil), p.stats.Inputs...)
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

// Plan loads and plans an application (what explain prints).
func Plan(a *app.Application) (*plan.Graph, error) {
	l, err := load(a)
	if err != nil {
		return nil, err
	}
	return l.graph, nil
}
