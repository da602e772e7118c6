package plan

import (
	"slices"

	"github.com/streamsql/streamsql/operators"
)

// Reached lists the running operators that rows of the given source
// streams can reach: the fan-ins of the streams they flow into, the
// operators of every pump reading those streams, and the fan-ins of the
// other streams those pumps read (a join's other side). With the source
// streams of one part of the graph's split (Split.Parts) this is the
// part's operators; a stream that pumps of several parts write (an
// output's stream) is in each.
func (r *Running) Reached(sources []string) []operators.Node {
	streams := map[string]bool{}
	for _, s := range sources {
		streams[s] = true
	}
	pumps := map[string]bool{}
	for grew := true; grew; {
		grew = false
		for _, p := range r.plan.Pumps {
			if pumps[p.Name] || !slices.ContainsFunc(p.Reads, func(s string) bool { return streams[s] }) {
				continue
			}
			pumps[p.Name], grew = true, true
			streams[p.Target.Name] = true
		}
	}
	for _, p := range r.plan.Pumps {
		if pumps[p.Name] {
			for _, s := range p.Reads {
				if _, ok := r.streams[s]; ok {
					streams[s] = true
				}
			}
		}
	}
	var out []operators.Node
	for _, n := range r.nodes {
		if n.fan && streams[n.of] || !n.fan && pumps[n.of] {
			out = append(out, n)
		}
	}
	return out
}
