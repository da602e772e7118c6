package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Graph is a planned application: its catalog and pumps. Build turns it
// into running operators.
type Graph struct {
	Catalog *Catalog
	Pumps   []*Pump
	// Queries are the implicit streams of bare SELECT statements.
	Queries []*Stream
	// Unimplemented lists features the script uses that parse and validate
	// but cannot run yet, each at its position.
	Unimplemented parser.ErrorList
	// Warnings are legal constructs that often hide a mistake (check
	// prints them; run does not refuse them).
	Warnings parser.ErrorList

	tableRows  map[string][][]value.Value
	attached   map[string][]operators.Operator
	nodes      map[string]*streamNode
	idle       []operators.Operator
	late       []interface{ Late() int64 }
	lateEvents []interface{ LateEvents() int64 }
	joins      map[string][]*operators.RefJoin // per table, for ReplaceTable
}

// Pump is one CREATE PUMP (or a bare query feeding its implicit stream).
type Pump struct {
	Name   string
	Pos    parser.Pos
	Target *Stream
	Reads  []string
	rel    rel
	insert *operators.Insert
}

type streamNode struct {
	tee   *operators.Tee
	merge *operators.Merge
	input *operators.MergeInput // the engine's input, for source streams
}

// SetTable supplies a reference table's rows before Build.
func (g *Graph) SetTable(name string, rows [][]value.Value) {
	if g.tableRows == nil {
		g.tableRows = map[string][][]value.Value{}
	}
	g.tableRows[name] = rows
}

// Attach makes op read stream (a sink); call before Build.
func (g *Graph) Attach(stream string, op operators.Operator) error {
	if g.Catalog.Stream(stream) == nil {
		return fmt.Errorf("no in-application stream %s%s", quoteName(stream), g.streamHint(stream))
	}
	if g.attached == nil {
		g.attached = map[string][]operators.Operator{}
	}
	g.attached[stream] = append(g.attached[stream], op)
	return nil
}

func (g *Graph) streamHint(name string) string {
	var names []string
	for _, s := range g.Catalog.Streams() {
		names = append(names, s.Name)
	}
	if sug := suggestName(name, names); sug != "" {
		return fmt.Sprintf("; did you mean %s? (stream names match exactly, case included)", sug)
	}
	if len(names) > 0 {
		return "; the application has " + strings.Join(names, ", ")
	}
	return ""
}

// Build creates the operators. errs receives every rejected row; ctx is
// copied into every operator (query start time, clock).
func (g *Graph) Build(errs operators.ErrorSink, ctx eval.Ctx) error {
	if len(g.Unimplemented) > 0 {
		return NotImplemented(g.Unimplemented)
	}
	g.nodes = map[string]*streamNode{}
	for _, s := range g.Catalog.Streams() {
		tee := &operators.Tee{Outs: append([]operators.Operator(nil), g.attached[s.Name]...)}
		n := &streamNode{tee: tee, merge: operators.NewMerge(tee)}
		if s.Source {
			n.input = n.merge.NewInput()
		}
		g.nodes[s.Name] = n
	}
	inserts := make([]*operators.MergeInput, len(g.Pumps))
	for i, p := range g.Pumps {
		inserts[i] = g.nodes[p.Target.Name].merge.NewInput()
	}
	b := &builder{g: g, errs: errs, ctx: ctx}
	for i, p := range g.Pumps {
		ins := *p.insert
		ins.Out = inserts[i]
		ins.Errors = errs
		ins.Pump = p.Name
		b.pump = p.Name
		if err := p.rel.build(b, &ins); err != nil {
			return fmt.Errorf("pump %s: %w", p.Name, err)
		}
	}
	// A stream nobody writes still has to move in time so its readers close
	// their windows: the engine advances it with the sources.
	for _, s := range g.Catalog.Streams() {
		if n := g.nodes[s.Name]; !s.Source && !g.written(s.Name) {
			g.idle = append(g.idle, n.merge.NewInput())
		}
	}
	return nil
}

func (g *Graph) written(stream string) bool {
	for _, p := range g.Pumps {
		if p.Target.Name == stream {
			return true
		}
	}
	return false
}

func (g *Graph) subscribe(stream string, op operators.Operator) {
	n := g.nodes[stream]
	n.tee.Outs = append(n.tee.Outs, op)
}

// SourceInput is where the engine pushes decoded rows of a source stream.
func (g *Graph) SourceInput(stream string) operators.Operator {
	if n := g.nodes[stream]; n != nil && n.input != nil {
		return n.input
	}
	return nil
}

// IdleInputs are the inputs of streams no pump writes; the engine advances
// them with the sources.
func (g *Graph) IdleInputs() []operators.Operator { return g.idle }

// Late counts rows that arrived after their window had closed.
func (g *Graph) Late() int64 {
	var n int64
	for _, l := range g.late {
		n += l.Late()
	}
	return n
}

// LateEvents counts rows whose event-time group (GROUP BY ...,
// FLOOR(EVENT_TIME TO MINUTE)) had already been emitted; they are
// aggregated into a later window, as in KDA.
func (g *Graph) LateEvents() int64 {
	var n int64
	for _, l := range g.lateEvents {
		n += l.LateEvents()
	}
	return n
}

// Explain describes the graph: sources, tables, streams and each pump's operators.
func (g *Graph) Explain() string {
	var w strings.Builder
	for _, s := range g.Catalog.Streams() {
		kind := "STREAM"
		if s.Source {
			kind = "SOURCE STREAM"
		} else if s.Query {
			kind = "QUERY OUTPUT"
		}
		fmt.Fprintf(&w, "%s %s (%s)\n", kind, quoteName(s.Name), describeCols(s.Visible()))
	}
	for _, t := range g.Catalog.Tables() {
		fmt.Fprintf(&w, "REFERENCE TABLE %s (%s)\n", quoteName(t.Name), describeCols(t.Columns))
	}
	for _, p := range g.Pumps {
		fmt.Fprintf(&w, "\nPUMP %s: INSERT INTO %s\n", quoteName(p.Name), quoteName(p.Target.Name))
		p.rel.describe(&w, 1)
	}
	if len(g.Unimplemented) > 0 {
		w.WriteString("\nNot implemented yet:\n")
		for _, e := range g.Unimplemented {
			fmt.Fprintf(&w, "  %s\n", e.Error())
		}
	}
	return w.String()
}

func describeCols(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteName(c.Name) + " " + c.Type.String()
	}
	return strings.Join(parts, ", ")
}

// NotImplementedError lists features a script uses that streamsql cannot run yet.
type NotImplementedError struct{ List parser.ErrorList }

// NotImplemented wraps l.
func NotImplemented(l parser.ErrorList) error { return &NotImplementedError{List: l} }

func (e *NotImplementedError) Error() string {
	return "not implemented yet: " + e.List.Error()
}

// Detail shows each unimplemented feature at its line and column.
func (e *NotImplementedError) Detail() string { return e.List.Detail() }

// checkCycles rejects pumps that feed their own input, directly or not.
func (p *planner) checkCycles() {
	edges := map[string][]string{}
	for _, pu := range p.g.Pumps {
		for _, r := range pu.Reads {
			edges[r] = append(edges[r], pu.Target.Name)
		}
	}
	state := map[string]int{}
	var visit func(s string) bool
	visit = func(s string) bool {
		switch state[s] {
		case 1:
			return true
		case 2:
			return false
		}
		state[s] = 1
		for _, t := range edges[s] {
			if visit(t) {
				return true
			}
		}
		state[s] = 2
		return false
	}
	names := make([]string, 0, len(edges))
	for k := range edges {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		if visit(n) {
			for _, pu := range p.g.Pumps {
				for _, r := range pu.Reads {
					if r == n || state[r] == 1 && state[pu.Target.Name] == 1 {
						p.errorf(pu.Pos, "pumps form a cycle through stream %s: a stream cannot feed itself", quoteName(n))
						return
					}
				}
			}
			return
		}
	}
}
