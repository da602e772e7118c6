// Package explain describes a planned application for people and tools:
// its inputs, streams, reference tables, each pump's operators (predicates,
// aggregates by name, window specs, join keys) and each output's
// destination, as text, Graphviz dot, Mermaid or JSON; and, after a run
// (explain --analyze), the rows in and out and the time of every operator.
package explain

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/plan"
)

// Doc is the application as explain shows it.
type Doc struct {
	Application   string   `json:"application,omitempty"`
	Inputs        []Input  `json:"inputs"`
	Streams       []Stream `json:"streams"`
	Tables        []Table  `json:"tables"`
	Pumps         []Pump   `json:"pumps"`
	Outputs       []Output `json:"outputs"`
	Unimplemented []string `json:"unimplemented,omitempty"`
	// Split says how the graph splits across instances (plan.Split.Report).
	Split []string `json:"split,omitempty"`

	text string // the plan's own explain text
}

// Input is one application input and the in-application streams it feeds.
type Input struct {
	NamePrefix string   `json:"namePrefix"`
	Source     string   `json:"source"`
	Streams    []string `json:"streams"`
}

// Stream is one in-application stream.
type Stream struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // source, stream or query
	Columns []string `json:"columns"`
}

// Table is one reference table and where its rows come from.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Source  string   `json:"source,omitempty"`
}

// Pump is one pump: the stream it writes, the streams it reads and its
// operator tree, from the insert's input down to the scans.
type Pump struct {
	Name   string   `json:"name"`
	Target string   `json:"target"`
	Reads  []string `json:"reads"`
	Plan   *Node    `json:"plan"`
}

// Node is one operator of a pump: its kind (the first word of its label:
// Project, Filter, TumblingWindow, LEFT JOIN ...) and the whole label.
type Node struct {
	Op       string  `json:"op"`
	Label    string  `json:"label"`
	Children []*Node `json:"children,omitempty"`
}

// Output is one application output.
type Output struct {
	Stream      string `json:"stream"`
	Destination string `json:"destination"`
	Format      string `json:"format,omitempty"`
}

// Build describes a planned application.
func Build(a *app.Application, g *plan.Graph) *Doc {
	d := &Doc{Application: a.ApplicationName, text: g.Explain()}
	for _, s := range g.Catalog.Streams() {
		d.Streams = append(d.Streams, Stream{Name: s.Name, Kind: s.Kind(), Columns: columns(s.Visible())})
	}
	for i, in := range a.Inputs {
		di := Input{NamePrefix: in.NamePrefix, Source: inputSource(in)}
		for _, s := range g.Catalog.Streams() {
			if s.Source && s.Input == i {
				di.Streams = append(di.Streams, s.Name)
			}
		}
		d.Inputs = append(d.Inputs, di)
	}
	for _, t := range g.Catalog.Tables() {
		dt := Table{Name: t.Name, Columns: columns(t.Columns)}
		for _, r := range a.ReferenceDataSources {
			if r.TableName == t.Name && r.S3ReferenceDataSource != nil {
				dt.Source = "S3 " + strings.TrimPrefix(r.S3ReferenceDataSource.BucketARN, "arn:aws:s3:::") + "/" + r.S3ReferenceDataSource.FileKey
			}
		}
		d.Tables = append(d.Tables, dt)
	}
	for _, p := range g.Pumps {
		d.Pumps = append(d.Pumps, Pump{Name: p.Name, Target: p.Target.Name, Reads: p.Reads, Plan: parseTree(p.Describe())})
	}
	d.Outputs = outputs(a, g)
	d.Split = g.Split().Report()
	for _, e := range g.Unimplemented {
		d.Unimplemented = append(d.Unimplemented, e.Error())
	}
	return d
}

func columns(cols []plan.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name + " " + c.Type.String()
	}
	return out
}

func inputSource(in app.Input) string {
	switch {
	case in.KinesisStreamsInput != nil:
		return "Kinesis stream " + in.KinesisStreamsInput.ResourceARN
	case in.KinesisFirehoseInput != nil:
		return "Firehose delivery stream " + in.KinesisFirehoseInput.ResourceARN
	}
	return "a recording (--replay)"
}

// outputs are the application's Outputs, else what a replay prints:
// DESTINATION_SQL_STREAM and bare queries on stdout.
func outputs(a *app.Application, g *plan.Graph) []Output {
	var out []Output
	for _, o := range a.Outputs {
		do := Output{Stream: o.Name, Format: strings.ToUpper(o.DestinationSchema.RecordFormatType), Destination: "stdout (no destination)"}
		switch {
		case o.KinesisStreamsOutput != nil:
			do.Destination = "Kinesis stream " + o.KinesisStreamsOutput.ResourceARN
		case o.KinesisFirehoseOutput != nil:
			do.Destination = "Firehose delivery stream " + o.KinesisFirehoseOutput.ResourceARN
		case o.LambdaOutput != nil:
			do.Destination = "Lambda function " + o.LambdaOutput.ResourceARN
		}
		out = append(out, do)
	}
	if len(a.Outputs) > 0 {
		return out
	}
	if g.Catalog.Stream("DESTINATION_SQL_STREAM") != nil {
		out = append(out, Output{Stream: "DESTINATION_SQL_STREAM", Destination: "stdout"})
	}
	for _, q := range g.Queries {
		out = append(out, Output{Stream: q.Name, Destination: "stdout"})
	}
	return out
}

// parseTree reads a pump's indented description (two spaces a level).
func parseTree(text string) *Node {
	var root *Node
	var stack []*Node
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" {
			continue
		}
		depth := (len(line) - len(trimmed)) / 2
		n := &Node{Op: opOf(trimmed), Label: trimmed}
		if depth > len(stack) {
			depth = len(stack)
		}
		stack = stack[:depth]
		if depth == 0 {
			if root == nil {
				root = n
			} else { // a second top (not expected): keep it under the first
				root.Children = append(root.Children, n)
			}
		} else {
			p := stack[depth-1]
			p.Children = append(p.Children, n)
		}
		stack = append(stack, n)
	}
	return root
}

// opOf is a label's kind: its first word, or the join's words up to JOIN.
func opOf(label string) string {
	if i := strings.Index(label, " JOIN"); i >= 0 && i < 12 {
		return label[:i+len(" JOIN")]
	}
	w, _, _ := strings.Cut(label, " ")
	return w
}

// Text is explain's text form: the plan, then inputs and outputs.
func (d *Doc) Text() string {
	var w strings.Builder
	w.WriteString(d.text)
	if len(d.Inputs) > 0 || len(d.Outputs) > 0 {
		w.WriteString("\n")
	}
	for _, in := range d.Inputs {
		fmt.Fprintf(&w, "INPUT %s: %s -> %s\n", in.NamePrefix, in.Source, strings.Join(in.Streams, ", "))
	}
	for _, t := range d.Tables {
		if t.Source != "" {
			fmt.Fprintf(&w, "TABLE %s: %s\n", t.Name, t.Source)
		}
	}
	for _, o := range d.Outputs {
		f := ""
		if o.Format != "" {
			f = " (" + o.Format + ")"
		}
		fmt.Fprintf(&w, "OUTPUT %s -> %s%s\n", o.Stream, o.Destination, f)
	}
	for _, s := range d.Split {
		fmt.Fprintf(&w, "SPLIT %s\n", s)
	}
	return w.String()
}
