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
	checkGraphs(t, d.Dot(), d.Mermaid())
}

// checkGraphs checks the news application's dot and Mermaid graphs.
func checkGraphs(t *testing.T, dot, mermaid string) {
	t.Helper()
	for name, c := range map[string]struct {
		text       string
		node, edge *regexp.Regexp
	}{"dot": {dot, dotNode, dotEdge}, "mermaid": {mermaid, mmNode, mmEdge}} {
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
	d, an, st := newsAnalysis(t)
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

// newsAnalysis runs the news example's replay with the operators timed.
func newsAnalysis(t *testing.T) (*Doc, *Analysis, engine.Stats) {
	t.Helper()
	a, d := newsDoc(t)
	rec := &Recorder{}
	st, err := engine.Run(context.Background(), engine.Options{App: a, Replays: []engine.Replay{{Path: filepath.Join(a.Dir, "clicks.jsonl")}},
		Stdout: io.Discard, Stderr: io.Discard, TimeOperators: true, Observer: rec})
	if err != nil {
		t.Fatal(err)
	}
	return d, rec.Analysis(st), st
}

// explain --analyze --format dot|mermaid: the same graph, with the run's
// totals as its title, each stream's rows and, under each pump's name,
// its operators' rows in and out.
func TestAnalyzedGraphs(t *testing.T) {
	d, an, _ := newsAnalysis(t)
	dot, err := d.FormatAnalyzed("dot", an)
	if err != nil {
		t.Fatal(err)
	}
	mermaid, err := d.FormatAnalyzed("mermaid", an)
	if err != nil {
		t.Fatal(err)
	}
	checkGraphs(t, dot, mermaid)
	for name, c := range map[string]struct{ text, nl string }{"dot": {dot, `\n`}, "mermaid": {mermaid, "<br/>"}} {
		for _, want := range []string{
			"ANALYZE: 500 records in ",
			"TMP_SQL_STREAM" + c.nl + "500 rows",
			"DESTINATION_SQL_STREAM" + c.nl + "115 rows",
			"PUMP ENRICH_PUMP" + c.nl + "refjoin: 500 in, 500 out, ",
			c.nl + "tumbling: 500 in, 115 out, ",
			c.nl + "insert: 115 in, 115 out, ",
		} {
			if !strings.Contains(c.text, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, c.text)
			}
		}
	}
	if _, err := d.FormatAnalyzed("svg", an); err == nil || !strings.Contains(err.Error(), "want text, dot, mermaid or json") {
		t.Errorf("svg: %v", err)
	}
}
