package plan

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Bindings are what one run supplies to a plan: the rows of its reference
// tables, the operators that read its in-application streams (outputs),
// where rejected rows go, and the evaluation context (query start, clock).
type Bindings struct {
	Tables  map[string][][]value.Value
	Outputs map[string][]operators.Operator
	Errors  operators.ErrorSink
	Ctx     eval.Ctx
	// Timed makes every operator measure the time it takes (explain
	// --analyze); it costs two clock reads per batch and operator.
	Timed bool
	// Lanes is how many goroutines may run the graph's parts (pumps that
	// share no state, parts.go) at once when a source stream hands its
	// readers a batch or a bound; 0 or 1 runs everything on the caller's
	// goroutine. LaneRows is the fewest rows a batch (or the batches
	// before a bound) needs for that: a smaller one runs on the caller's
	// goroutine, where the hand-off would cost more than it saves. The
	// outputs see the same calls in the same order either way.
	Lanes    int
	LaneRows int
	// Own lists outputs whose calls need no order with any other
	// output's: each writes to a destination of its own and is read by
	// nobody while rows flow (AttachOwn). A part running beside others
	// calls them itself instead of recording the calls for the caller's
	// goroutine.
	Own map[operators.Operator]bool
}

// SetTable supplies a reference table's rows.
func (b *Bindings) SetTable(name string, rows [][]value.Value) {
	if b.Tables == nil {
		b.Tables = map[string][][]value.Value{}
	}
	b.Tables[name] = rows
}

// Attach makes op read stream (an output). Start checks the name; use
// Graph.LookupStream to check it earlier.
func (b *Bindings) Attach(stream string, op operators.Operator) {
	if b.Outputs == nil {
		b.Outputs = map[string][]operators.Operator{}
	}
	b.Outputs[stream] = append(b.Outputs[stream], op)
}

// AttachOwn is Attach for an output with a destination of its own (Own).
func (b *Bindings) AttachOwn(stream string, op operators.Operator) {
	b.Attach(stream, op)
	if b.Own == nil {
		b.Own = map[operators.Operator]bool{}
	}
	b.Own[op] = true
}

// Running is a plan started with its bindings: operators wired from the
// source streams' inputs to the outputs. Rows go in through Input, time
// through Input(...).Advance and Advance; everything runs on the caller's
// goroutine (with Bindings.Lanes, parts of the graph may run on others
// while a call lasts).
type Running struct {
	snapLen int  // size of the last Snapshot: the next one's first guess
	timed   bool // nodes measure their time (Bindings.Timed)
	plan    *Graph
	tables  map[string][][]value.Value
	streams map[string]*streamNode
	sources []operators.Operator // inputs of the source streams, catalog order
	idle    []operators.Operator // inputs of streams no pump writes
	nodes   []*node
	joins   map[string][]*operators.RefJoin // per table, for ReplaceTable
	lanes   *lanes                          // nil: one goroutine
	parts   int                             // how many parts the pumps fall into
	errs    operators.ErrorSink             // Bindings.Errors
	sets    []*tableSet                     // the subqueries of IN and EXISTS, filled from tables
}

type streamNode struct {
	outs  []operators.Operator // the outputs bound to the stream
	tee   *operators.Tee       // the fan-out, unless fan is
	fan   *fanout              // the fan-out of a source stream whose readers' parts may run at once
	merge *operators.Merge
	node  *node
	input operators.Operator // the engine's input, for source streams
}

// Start builds the running operators of plan g with bindings b.
func Start(g *Graph, b Bindings) (*Running, error) {
	if len(g.Unimplemented) > 0 {
		return nil, NotImplemented(g.Unimplemented)
	}
	for _, name := range slices.Sorted(maps.Keys(b.Outputs)) {
		if _, err := g.LookupStream(name); err != nil {
			return nil, err
		}
	}
	r := &Running{plan: g, tables: map[string][][]value.Value{}, streams: map[string]*streamNode{}, timed: b.Timed}
	maps.Copy(r.tables, b.Tables)
	pumpPart, streamPart, nparts := g.partition()
	r.parts = nparts
	var parts []*part
	if b.Lanes > 1 {
		r.lanes = &lanes{n: b.Lanes, rows: b.LaneRows}
		parts = make([]*part, r.parts)
		for i := range parts {
			parts[i] = &part{}
		}
	}
	for _, s := range g.Catalog.Streams() {
		outs := b.Outputs[s.Name]
		n := &streamNode{outs: outs, node: r.newNode()}
		var fan operators.Operator
		switch k, ok := streamPart[s.Name]; {
		case r.lanes != nil && s.Source:
			n.fan = &fanout{l: r.lanes, outs: slices.Clone(outs)}
			fan = n.fan
		case r.lanes != nil && ok:
			n.tee = &operators.Tee{}
			for _, op := range outs {
				if !b.Own[op] {
					op = &capture{pt: parts[k], op: op}
				}
				n.tee.Outs = append(n.tee.Outs, op)
			}
			fan = n.tee
		default:
			n.tee = &operators.Tee{Outs: slices.Clone(outs)}
			fan = n.tee
		}
		n.merge = operators.NewMerge(n.node.output(fan))
		r.register(n.node, s.Name+"/stream", n.merge)
		n.node.of, n.node.fan = s.Name, true
		if s.Source {
			n.input = n.node.input(n.merge.NewInput())
			r.sources = append(r.sources, n.input)
		}
		r.streams[s.Name] = n
	}
	inserts := make([]operators.Operator, len(g.Pumps))
	for i, p := range g.Pumps {
		n := r.streams[p.Target.Name]
		inserts[i] = n.node.input(n.merge.NewInput())
	}
	r.errs, r.sets = b.Errors, g.inSets
	for _, ts := range r.sets {
		ts.fill(r.tables[ts.table], b.Errors)
	}
	bd := &builder{r: r, errs: b.Errors, ctx: b.Ctx}
	for i, p := range g.Pumps {
		bd.pump = p.Name
		if parts != nil {
			bd.part = parts[pumpPart[i]]
			if b.Errors != nil {
				bd.errs = &partErrors{pt: bd.part, sink: b.Errors}
			}
		}
		ins := *p.insert
		ins.Errors = bd.errs
		ins.Pump = p.Name
		first := len(r.nodes)
		in := bd.node(inserts[i], func(out operators.Operator) operators.Operator {
			ins.Out = out
			return &ins
		})
		if err := p.rel.build(bd, in); err != nil {
			return nil, fmt.Errorf("pump %s: %w", p.Name, err)
		}
		r.name(p.Name, r.nodes[first:])
	}
	// A stream nobody writes still has to move in time so its readers close
	// their windows: Advance moves it with the sources.
	for _, s := range g.Catalog.Streams() {
		if n := r.streams[s.Name]; !s.Source && !g.written(s.Name) {
			r.idle = append(r.idle, n.node.input(n.merge.NewInput()))
		}
	}
	return r, nil
}

// Plan is the plan r runs.
func (r *Running) Plan() *Graph { return r.plan }

// Input is where rows of source stream `stream` are pushed (nil if the plan
// has no such source).
func (r *Running) Input(stream string) operators.Operator {
	if n := r.streams[stream]; n != nil && n.input != nil {
		return n.input
	}
	return nil
}

// Advance moves every source stream, and every stream no pump writes, to
// bound t: no row with ROWTIME below t will be pushed after it.
// Advance(operators.EndOfTime) ends the input.
func (r *Running) Advance(t int64) {
	for _, in := range r.sources {
		in.Advance(t)
	}
	for _, in := range r.idle {
		in.Advance(t)
	}
}

// subscribe makes op, of part pt (nil without Lanes), read stream.
func (r *Running) subscribe(stream string, op operators.Operator, pt *part) {
	n := r.streams[stream]
	if n.fan != nil {
		n.fan.add(op, pt)
		return
	}
	n.tee.Outs = append(n.tee.Outs, op)
}

// Parts is how many parts the graph's pumps fall into: sets of pumps that
// share no state with each other (parts.go).
func (r *Running) Parts() int { return r.parts }

// Forks counts the batches and bounds whose readers ran on separate
// goroutines (Bindings.Lanes).
func (r *Running) Forks() int64 {
	if r.lanes == nil {
		return 0
	}
	return r.lanes.forks.Load()
}

// FlushOutputs repeats to every output the last bound its stream
// forwarded, so that writers holding rows in a buffer deliver them now
// (before a snapshot): the bound does not move, so no output is told more
// than it already knew.
func (r *Running) FlushOutputs() {
	for _, s := range r.plan.Catalog.Streams() {
		n := r.streams[s.Name]
		if t := n.merge.Bound(); t != math.MinInt64 {
			for _, op := range n.outs {
				op.Advance(t)
			}
		}
	}
}

// Late counts rows that arrived after their window had closed.
func (r *Running) Late() int64 {
	var n int64
	for _, nd := range r.nodes {
		if l, ok := nd.op.(interface{ Late() int64 }); ok {
			n += l.Late()
		}
	}
	return n
}

// LateEvents counts rows whose event-time group (GROUP BY ...,
// FLOOR(EVENT_TIME TO MINUTE)) had already been emitted; they are
// aggregated into a later window, as in KDA.
func (r *Running) LateEvents() int64 {
	var n int64
	for _, nd := range r.nodes {
		if l, ok := nd.op.(interface{ LateEvents() int64 }); ok {
			n += l.LateEvents()
		}
	}
	return n
}

// ReplaceTable swaps a reference table's rows: every join reading the
// table gets the new rows and a new index. Call it between pushes (from the
// goroutine that pushes rows), so each row is joined with either the old
// table or the new one, never a mix.
func (r *Running) ReplaceTable(name string, rows [][]value.Value) error {
	if _, ok := r.tables[name]; !ok {
		return fmt.Errorf("no reference table %s", quoteName(name))
	}
	r.tables[name] = rows
	for _, j := range r.joins[name] {
		j.Table = rows
		j.Build()
	}
	for _, ts := range r.sets {
		if ts.table == name {
			ts.fill(rows, r.errs)
		}
	}
	return nil
}

func (r *Running) addJoin(table string, j *operators.RefJoin) {
	if r.joins == nil {
		r.joins = map[string][]*operators.RefJoin{}
	}
	r.joins[table] = append(r.joins[table], j)
}

// Operators lists the running operators: each stream's fan-in first, then
// every pump's operators from its scans to its insert.
func (r *Running) Operators() []operators.Node {
	out := make([]operators.Node, len(r.nodes))
	for i, n := range r.nodes {
		out[i] = n
	}
	return out
}

// node is one running operator with the probes counting its rows.
type node struct {
	name    string
	of      string // the pump it belongs to, or with fan the stream whose fan-in it is (reach.go)
	fan     bool
	op      any // an operators.Operator, or an operator with several inputs (Merge, StreamJoin)
	in, out int64
	// With Bindings.Timed: nanoseconds spent in the node's Push and
	// Advance calls, downstream included (inNs), and in the calls it made
	// downstream (outNs); nil timing otherwise.
	timing *timing
}

// newNode makes a node, timed when the run asked for it (explain --analyze).
func (r *Running) newNode() *node {
	if r.timed {
		return &node{timing: &timing{}}
	}
	return &node{}
}

// register adds n, running op, of the given kind (named by Start).
func (r *Running) register(n *node, kind string, op any) {
	n.name, n.op = kind, op
	r.nodes = append(r.nodes, n)
}

// name gives each pump's operators, listed from its scans to its insert,
// the names "PUMP/kind", numbered from the second of a kind on
// ("P/select", "P/select#2").
func (r *Running) name(pump string, nodes []*node) {
	slices.Reverse(nodes) // built from the insert back
	seen := map[string]int{}
	for _, n := range nodes {
		kind := n.name
		seen[kind]++
		n.name, n.of = pump+"/"+kind, pump
		if k := seen[kind]; k > 1 {
			n.name += fmt.Sprintf("#%d", k)
		}
	}
}

// add registers the operator mk builds feeding out (counted as its rows
// out); its inputs are counted by n.input.
func (b *builder) add(out operators.Operator, mk func(out operators.Operator) any) (*node, any) {
	n := b.r.newNode()
	op := mk(n.output(out))
	b.r.register(n, kindOf(op), op)
	return n, op
}

// node is add for an operator with one input: it returns the counted input.
func (b *builder) node(out operators.Operator, mk func(out operators.Operator) operators.Operator) operators.Operator {
	n, op := b.add(out, func(out operators.Operator) any { return mk(out) })
	return n.input(op.(operators.Operator))
}

// kindOf names an operator by its type: *window.Tumbling is "tumbling".
func kindOf(op any) string {
	t := reflect.TypeOf(op)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.ToLower(t.Name())
}

// input wraps op so that rows pushed into it count as the node's rows in.
func (n *node) input(op operators.Operator) operators.Operator {
	if n.timing != nil {
		return n.timing.input(n, op)
	}
	p := &probe{op: op, in: &n.in}
	p.out = &p.spare
	return p
}

// output wraps out so that rows pushed into it count as the node's rows
// out. When out is another node's counted input, that one probe counts the
// edge for both nodes.
func (n *node) output(out operators.Operator) operators.Operator {
	if n.timing != nil {
		return n.timing.output(n, out)
	}
	if p, ok := out.(*probe); ok && p.out == &p.spare {
		p.out = &n.out
		return p
	}
	p := &probe{op: out, in: &n.out}
	p.out = &p.spare
	return p
}

func (n *node) Name() string { return n.name }

func (n *node) Counters() operators.Counters {
	return operators.Counters{RowsIn: n.in, RowsOut: n.out}
}

func (n *node) StateSize() operators.StateSize {
	if s, ok := n.op.(operators.Stateful); ok {
		return s.StateSize()
	}
	return operators.StateSize{}
}

// probe counts the rows passing into op: as the rows in of the node
// downstream and the rows out of the node upstream (spare when there is
// none), so an edge between two nodes costs one call and two adds a batch.
type probe struct {
	op      operators.Operator
	in, out *int64
	spare   int64
}

func (p *probe) Push(b *operators.Batch) {
	n := int64(b.Len())
	*p.in += n
	*p.out += n
	p.op.Push(b)
}

func (p *probe) Advance(t int64) { p.op.Advance(t) }

// LateRows counts the rows that reached the operator after their window
// had closed; ok is false for an operator without windows.
func (n *node) LateRows() (late int64, ok bool) {
	if l, ok := n.op.(interface{ Late() int64 }); ok {
		return l.Late(), true
	}
	return 0, false
}
