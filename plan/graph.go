package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
)

// Graph is a planned application: its catalog and pumps. It is an
// immutable value once Plan returns it: Start builds running operators from
// it as many times as needed (a restart builds a new Running from the same
// plan), and Fingerprint tells whether two plans are the same application.
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

	fingerprint string
	split       Split       // split.go
	inSets      []*tableSet // the subqueries of IN and EXISTS (insubquery.go)
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

// Fingerprint is a hash of the plan's catalog (streams, tables, their
// columns and types) and of the script's statements with positions and
// layout left out: equal for two plans of the same application, different
// when a statement or a schema changed. A snapshot carries it, and Restore
// refuses the state of another plan.
func (g *Graph) Fingerprint() string { return g.fingerprint }

// LookupStream returns the in-application stream of that name, or an error
// that lists (or suggests) the application's streams.
func (g *Graph) LookupStream(name string) (*Stream, error) {
	if s := g.Catalog.Stream(name); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("no in-application stream %s%s", quoteName(name), g.streamHint(name))
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

func (g *Graph) written(stream string) bool {
	for _, p := range g.Pumps {
		if p.Target.Name == stream {
			return true
		}
	}
	return false
}

// Explain describes the graph: sources, tables, streams and each pump's operators.
func (g *Graph) Explain() string {
	var w strings.Builder
	label := map[string]string{"source": "SOURCE STREAM", "query": "QUERY OUTPUT", "stream": "STREAM"}
	for _, s := range g.Catalog.Streams() {
		fmt.Fprintf(&w, "%s %s (%s)\n", label[s.Kind()], quoteName(s.Name), describeCols(s.Visible()))
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

// Describe is the pump's operator tree as explain prints it (indented by
// two spaces per level, from the insert's input down to the scans).
func (p *Pump) Describe() string {
	var w strings.Builder
	p.rel.describe(&w, 0)
	return w.String()
}

// Kind is "source" for a stream an input feeds, "query" for the implicit
// stream of a bare query, else "stream".
func (s *Stream) Kind() string {
	switch {
	case s.Source:
		return "source"
	case s.Query:
		return "query"
	}
	return "stream"
}
