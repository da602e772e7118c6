package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamsql/streamsql/parser"
)

// Split is how the application's input streams (the in-application
// streams its inputs feed, SOURCE_SQL_STREAM_001..00N) fall into parts of
// the pump graph that share nothing: no pump, in-application stream,
// window, join or other state connects two parts, so each part can run on
// its own instance from its own shards and give the rows the whole graph
// would. A stream that pumps only write (read by no pump, so it only goes
// to an output) does not join the pumps writing it, and neither does a
// reference table: both are read-only or write-only to every part.
type Split struct {
	// Parts lists each part's input streams in catalog order; the parts
	// are in the order of their first input stream. One part: the graph
	// cannot be split.
	Parts [][]string
	// Meets are the pumps that brought input streams of different parts
	// together, in script order.
	Meets []Meet
}

// Meet is a pump that joins the input streams of two parts into one.
type Meet struct {
	Pump string
	Pos  parser.Position
	// A and B are the input streams on either side, before the pump.
	A, B []string
}

func (m Meet) String() string {
	return fmt.Sprintf("%s: pump %s brings %s together with %s", m.Pos, quoteName(m.Pump), strings.Join(m.A, ", "), strings.Join(m.B, ", "))
}

// Split is the graph's split into independent parts (see type Split).
func (g *Graph) Split() Split { return g.split }

// Splittable reports whether the parts can run on different instances.
func (s Split) Splittable() bool { return len(s.Parts) > 1 }

// Report describes the split in one line per fact, for check and
// explain; none for an application with fewer than two input streams.
func (s Split) Report() []string {
	n := 0
	for _, p := range s.Parts {
		n += len(p)
	}
	if n < 2 {
		return nil
	}
	var out []string
	if s.Splittable() {
		parts := make([]string, len(s.Parts))
		for i, p := range s.Parts {
			parts[i] = fmt.Sprintf("%d: %s", i+1, strings.Join(p, ", "))
		}
		out = append(out, fmt.Sprintf("the graph splits into %d independent parts (instances sharing a --lease each take parts): %s", len(s.Parts), strings.Join(parts, "; ")))
	} else {
		out = append(out, "the graph cannot be split across instances: its input streams meet")
	}
	for _, m := range s.Meets {
		out = append(out, m.String())
	}
	return out
}

// split groups the input streams into parts, in script order of the pumps
// (so the pump named for a meeting is the first that made it).
func (p *planner) split() Split {
	read := map[string]bool{}
	for _, pu := range p.g.Pumps {
		for _, r := range pu.Reads {
			read[r] = true
		}
	}
	parts := sets[string]{}
	var order []string // the input streams, in catalog order
	sources := map[string][]string{}
	for _, s := range p.cat.Streams() {
		if s.Source {
			order = append(order, s.Name)
			sources[s.Name] = []string{s.Name}
		}
	}
	var sp Split
	for _, pu := range p.g.Pumps {
		nodes := append([]string(nil), pu.Reads...)
		if read[pu.Target.Name] {
			nodes = append(nodes, pu.Target.Name)
		}
		for _, n := range nodes[min(1, len(nodes)):] {
			a, b := parts.find(nodes[0]), parts.find(n)
			if a == b {
				continue
			}
			if len(sources[a]) > 0 && len(sources[b]) > 0 {
				if slices.Index(order, inOrder(order, sources[b])[0]) < slices.Index(order, inOrder(order, sources[a])[0]) {
					a, b = b, a
				}
				sp.Meets = append(sp.Meets, Meet{Pump: pu.Name, Pos: p.file.Position(pu.Pos), A: inOrder(order, sources[a]), B: inOrder(order, sources[b])})
			}
			parts.link(b, a)
			sources[a] = append(sources[a], sources[b]...)
			delete(sources, b)
		}
	}
	index := map[string]int{}
	for _, s := range order {
		r := parts.find(s)
		i, ok := index[r]
		if !ok {
			i = len(sp.Parts)
			index[r] = i
			sp.Parts = append(sp.Parts, nil)
		}
		sp.Parts[i] = append(sp.Parts[i], s)
	}
	return sp
}

// inOrder lists names in the order they have in order.
func inOrder(order, names []string) []string {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	var out []string
	for _, n := range order {
		if set[n] {
			out = append(out, n)
		}
	}
	return out
}
