package explain

import (
	"encoding/json"
	"fmt"
	"strings"
)

// edge is a flow of rows between two graph nodes.
type edge struct{ from, to string }

// vertex is a graph node: its id, label and shape (dot's shape names).
type vertex struct {
	id, label, shape string
	cluster          int // pump index + 1, 0 outside pumps
}

// graph lays the Doc out as nodes and edges for dot and Mermaid: inputs
// feed source streams, streams feed their pumps' scans, each pump's
// operators feed the one above, the pump's top feeds its target stream,
// tables feed their lookups, and streams feed their outputs. With an
// analysis (explain --analyze) each stream is labelled with its rows.
func (d *Doc) graph(a *Analysis) ([]vertex, []edge) {
	var vs []vertex
	var es []edge
	streamID := map[string]string{}
	for i, s := range d.Streams {
		id := fmt.Sprintf("s%d", i)
		streamID[s.Name] = id
		vs = append(vs, vertex{id: id, label: s.Name + a.streamNote(s.Name), shape: "ellipse"})
	}
	tableID := map[string]string{}
	for i, t := range d.Tables {
		id := fmt.Sprintf("t%d", i)
		tableID[t.Name] = id
		label := "TABLE " + t.Name
		if t.Source != "" {
			label += "\n" + t.Source
		}
		vs = append(vs, vertex{id: id, label: label, shape: "cylinder"})
	}
	for i, in := range d.Inputs {
		id := fmt.Sprintf("in%d", i)
		vs = append(vs, vertex{id: id, label: "INPUT " + in.NamePrefix + "\n" + in.Source, shape: "box"})
		for _, s := range in.Streams {
			es = append(es, edge{id, streamID[s]})
		}
	}
	for pi, p := range d.Pumps {
		k := 0
		var walk func(n *Node) string
		walk = func(n *Node) string {
			id := fmt.Sprintf("p%d_%d", pi, k)
			k++
			vs = append(vs, vertex{id: id, label: n.Label, shape: "box", cluster: pi + 1})
			if name, ok := strings.CutPrefix(n.Label, "Scan "); ok {
				if s := streamID[unquote(name)]; s != "" {
					es = append(es, edge{s, id})
				}
			}
			if name, ok := strings.CutPrefix(n.Label, "Table "); ok {
				if t := tableID[unquote(name)]; t != "" {
					es = append(es, edge{t, id})
				}
			}
			for _, c := range n.Children {
				es = append(es, edge{walk(c), id})
			}
			return id
		}
		if p.Plan != nil {
			es = append(es, edge{walk(p.Plan), streamID[p.Target]})
		}
	}
	for i, o := range d.Outputs {
		id := fmt.Sprintf("o%d", i)
		vs = append(vs, vertex{id: id, label: "OUTPUT " + o.Destination, shape: "note"})
		if s := streamID[o.Stream]; s != "" {
			es = append(es, edge{s, id})
		}
	}
	return vs, es
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

// Dot is the application as a Graphviz digraph (rows flow left to right;
// each pump is a cluster).
func (d *Doc) Dot() string { return d.dot(nil) }

// dot is Dot, with an analysis's figures in the labels when a is not nil:
// the run's totals as the graph's title, each stream's rows, and under
// each pump's name its operators' rows in and out and time.
func (d *Doc) dot(a *Analysis) string {
	vs, es := d.graph(a)
	var w strings.Builder
	w.WriteString("digraph streamsql {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n")
	if a != nil {
		fmt.Fprintf(&w, "  label=%s;\n  labelloc=t;\n", dotQuote(a.Summary()))
	}
	byCluster := map[int][]vertex{}
	for _, v := range vs {
		byCluster[v.cluster] = append(byCluster[v.cluster], v)
	}
	line := func(indent string, v vertex) {
		fmt.Fprintf(&w, "%s%s [label=%s, shape=%s];\n", indent, v.id, dotQuote(v.label), v.shape)
	}
	for _, v := range byCluster[0] {
		line("  ", v)
	}
	for pi, p := range d.Pumps {
		fmt.Fprintf(&w, "  subgraph cluster_p%d {\n    label=%s;\n    style=rounded;\n", pi, dotQuote("PUMP "+p.Name+a.pumpNotes(p.Name)))
		for _, v := range byCluster[pi+1] {
			line("    ", v)
		}
		w.WriteString("  }\n")
	}
	for _, e := range es {
		fmt.Fprintf(&w, "  %s -> %s;\n", e.from, e.to)
	}
	w.WriteString("}\n")
	return w.String()
}

func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}

// Mermaid is the application as a Mermaid flowchart (each pump a subgraph).
func (d *Doc) Mermaid() string { return d.mermaid(nil) }

// mermaid is Mermaid, with an analysis's figures in the labels as in dot
// (the totals as the chart's title).
func (d *Doc) mermaid(a *Analysis) string {
	vs, es := d.graph(a)
	var w strings.Builder
	if a != nil {
		fmt.Fprintf(&w, "---\ntitle: %q\n---\n", a.Summary())
	}
	w.WriteString("flowchart LR\n")
	shape := map[string][2]string{"ellipse": {"([", "])"}, "cylinder": {"[(", ")]"}, "box": {"[", "]"}, "note": {">", "]"}}
	line := func(indent string, v vertex) {
		sh := shape[v.shape]
		fmt.Fprintf(&w, "%s%s%s\"%s\"%s\n", indent, v.id, sh[0], mermaidText(v.label), sh[1])
	}
	byCluster := map[int][]vertex{}
	for _, v := range vs {
		byCluster[v.cluster] = append(byCluster[v.cluster], v)
	}
	for _, v := range byCluster[0] {
		line("  ", v)
	}
	for pi, p := range d.Pumps {
		fmt.Fprintf(&w, "  subgraph pump%d[\"PUMP %s\"]\n", pi, mermaidText(p.Name+a.pumpNotes(p.Name)))
		for _, v := range byCluster[pi+1] {
			line("    ", v)
		}
		w.WriteString("  end\n")
	}
	for _, e := range es {
		fmt.Fprintf(&w, "  %s --> %s\n", e.from, e.to)
	}
	return w.String()
}

// mermaidText escapes a label for a quoted Mermaid node text.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

// JSON is the Doc as indented JSON.
func (d *Doc) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b) + "\n"
}

// Format renders the Doc: text, dot, mermaid or json.
func (d *Doc) Format(f string) (string, error) {
	switch strings.ToLower(f) {
	case "", "text":
		return d.Text(), nil
	case "dot":
		return d.Dot(), nil
	case "mermaid":
		return d.Mermaid(), nil
	case "json":
		return d.JSON(), nil
	}
	return "", CheckFormat(f)
}

// CheckFormat refuses a --format that Format does not know.
func CheckFormat(f string) error {
	switch strings.ToLower(f) {
	case "", "text", "dot", "mermaid", "json":
		return nil
	}
	return fmt.Errorf("--format %q: want text, dot, mermaid or json", f)
}

// FormatAnalyzed renders the Doc with a run's figures (explain --analyze):
// text, dot, mermaid or json.
func (d *Doc) FormatAnalyzed(f string, a *Analysis) (string, error) {
	switch strings.ToLower(f) {
	case "", "text":
		return d.Text() + "\n" + a.Text(), nil
	case "dot":
		return d.dot(a), nil
	case "mermaid":
		return d.mermaid(a), nil
	case "json":
		b, _ := json.MarshalIndent(struct {
			*Doc
			Analyze *Analysis `json:"analyze"`
		}{d, a}, "", "  ")
		return string(b) + "\n", nil
	}
	return "", CheckFormat(f)
}
