package explain

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
)

func newsDoc(t *testing.T) (*app.Application, *Doc) {
	t.Helper()
	a, _, err := app.Load("../examples/news/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := engine.Plan(a)
	if err != nil {
		t.Fatal(err)
	}
	return a, Build(a, g)
}

// find returns the first node of the tree whose label starts with prefix.
func find(n *Node, prefix string) *Node {
	if n == nil {
		return nil
	}
	if strings.HasPrefix(n.Label, prefix) {
		return n
	}
	for _, c := range n.Children {
		if f := find(c, prefix); f != nil {
			return f
		}
	}
	return nil
}

// The JSON form carries the operator trees with predicates, aggregates by
// name, window specs and join keys, and each output's destination.
func TestJSON(t *testing.T) {
	_, d := newsDoc(t)
	var back Doc
	if err := json.Unmarshal([]byte(d.JSON()), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Pumps) != 2 || back.Pumps[0].Name != "ENRICH_PUMP" || back.Pumps[1].Target != "DESTINATION_SQL_STREAM" {
		t.Fatalf("pumps %+v", back.Pumps)
	}
	join := find(back.Pumps[0].Plan, "LEFT JOIN")
	if join == nil || join.Op != "LEFT JOIN" || !strings.Contains(join.Label, "ON C.USER_ID = U.USER_ID") || len(join.Children) != 2 {
		t.Errorf("join node %+v", join)
	}
	tw := find(back.Pumps[1].Plan, "TumblingWindow")
	if tw == nil || !strings.Contains(tw.Label, "key=FLOOR(TMP_SQL_STREAM.ROWTIME TO MINUTE)") ||
		!strings.Contains(tw.Label, "aggregates=(SUM(CASE ACTION WHEN 'impression' THEN 1 ELSE 0 END), SUM(") {
		t.Errorf("tumbling node %+v", tw)
	}
	if len(back.Outputs) != 1 || !strings.HasPrefix(back.Outputs[0].Destination, "Firehose delivery stream arn:aws:firehose:") || back.Outputs[0].Format != "JSON" {
		t.Errorf("outputs %+v", back.Outputs)
	}
	if len(back.Inputs) != 1 || back.Inputs[0].Streams[0] != "SOURCE_SQL_STREAM_001" {
		t.Errorf("inputs %+v", back.Inputs)
	}
	if len(back.Tables) != 1 || back.Tables[0].Source != "S3 news-reference/users.csv" {
		t.Errorf("tables %+v", back.Tables)
	}
}

// A WHERE shows its predicate.
func TestFilterPredicate(t *testing.T) {
	a, _, err := app.Load("../examples/filter/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := engine.Plan(a)
	if err != nil {
		t.Fatal(err)
	}
	if text := Build(a, g).Text(); !strings.Contains(text, "WHERE ") {
		t.Errorf("no predicate in:\n%s", text)
	}
}

var (
	dotNode = regexp.MustCompile(`(?m)^\s+(\w+) \[label=`)
	dotEdge = regexp.MustCompile(`(?m)^\s+(\w+) -> (\w+);`)
	mmNode  = regexp.MustCompile(`(?m)^\s+(\w+)[\[(>]`)
	mmEdge  = regexp.MustCompile(`(?m)^\s+(\w+) --> (\w+)$`)
)

// Every edge of the dot and Mermaid graphs joins declared nodes, and rows
// flow from the input to the output through every pump.
func TestGraphs(t *testing.T) {
	_, d := newsDoc(t)
	for name, c := range map[string]struct {
		text       string
		node, edge *regexp.Regexp
	}{"dot": {d.Dot(), dotNode, dotEdge}, "mermaid": {d.Mermaid(), mmNode, mmEdge}} {
		nodes := map[string]bool{}
		for _, m := range c.node.FindAllStringSubmatch(c.text, -1) {
			nodes[m[1]] = true
		}
		next := map[string][]string{}
		edges := c.edge.FindAllStringSubmatch(c.text, -1)
		for _, m := range edges {
			if !nodes[m[1]] || !nodes[m[2]] {
				t.Errorf("%s: edge %s -> %s to an undeclared node\n%s", name, m[1], m[2], c.text)
			}
			next[m[1]] = append(next[m[1]], m[2])
		}
		if len(edges) != 12 {
			t.Errorf("%s: %d edges, want 12\n%s", name, len(edges), c.text)
		}
		// in0 reaches o0.
		seen := map[string]bool{}
		var reach func(string) bool
		reach = func(n string) bool {
			if n == "o0" {
				return true
			}
			if seen[n] {
				return false
			}
			seen[n] = true
			for _, m := range next[n] {
				if reach(m) {
					return true
				}
			}
			return false
		}
		if !reach("in0") {
			t.Errorf("%s: the input does not reach the output\n%s", name, c.text)
		}
	}
}

// explain --analyze's figures: the rows each operator saw in a known
// replay, and time spent in them.
func TestAnalyze(t *testing.T) {
	a, d := newsDoc(t)
	rec := &Recorder{}
	st, err := engine.Run(context.Background(), engine.Options{App: a, Replays: []engine.Replay{{Path: filepath.Join(a.Dir, "clicks.jsonl")}},
		Stdout: io.Discard, Stderr: io.Discard, TimeOperators: true, Observer: rec})
	if err != nil {
		t.Fatal(err)
	}
	an := rec.Analysis(st)
	want := map[string][2]int64{"ENRICH_PUMP/refjoin": {500, 500}, "AGGREGATE_PUMP/tumbling": {500, 115}, "AGGREGATE_PUMP/insert": {115, 115}}
	var total int64
	for _, f := range an.Operators {
		total += int64(f.Time)
		if w, ok := want[f.Name]; ok {
			if f.RowsIn != w[0] || f.RowsOut != w[1] {
				t.Errorf("%s: in %d out %d, want %v", f.Name, f.RowsIn, f.RowsOut, w)
			}
			if f.Time <= 0 {
				t.Errorf("%s took no time", f.Name)
			}
			delete(want, f.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("operators missing: %v", want)
	}
	if total > int64(st.ElapsedTime) {
		t.Errorf("operators' time %d ns is more than the run's %v", total, st.ElapsedTime)
	}
	text := d.Text() + an.Text()
	if !regexp.MustCompile(`(?m)^AGGREGATE_PUMP/tumbling\s+500\s+115\s`).MatchString(text) || !strings.Contains(text, "ANALYZE: 500 records") {
		t.Errorf("analyze text:\n%s", text)
	}
}
