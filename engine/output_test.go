package engine

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/app"
)

// A file's format never depends on the terminal: with stdout a terminal
// (table there), --out files get NDJSON, or CSV for a .csv name.
func TestFileFormatIgnoresTerminal(t *testing.T) {
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stdout bytes.Buffer
	for _, name := range []string{"out.ndjson", "out.csv", "out"} {
		_, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: "../examples/spend/purchases.jsonl"}},
			Outs: []Out{{Stream: "DESTINATION_SQL_STREAM", Dest: filepath.Join(dir, name)}}, IsTerminal: true, Stdout: &stdout, Stderr: &stdout})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, name))
		first, _, _ := strings.Cut(string(b), "\n")
		csv := strings.HasSuffix(name, ".csv")
		if csv && (strings.HasPrefix(first, "{") || !strings.Contains(first, ",")) || !csv && !strings.HasPrefix(first, `{"Block":`) {
			t.Errorf("%s: first line %q", name, first)
		}
	}
	// --format asked for explicitly wins everywhere.
	Run(context.Background(), Options{App: a, Replays: []Replay{{Path: "../examples/spend/purchases.jsonl"}}, Format: "csv",
		Outs: []Out{{Stream: "DESTINATION_SQL_STREAM", Dest: filepath.Join(dir, "asked.ndjson")}}, IsTerminal: true, Stdout: &stdout, Stderr: &stdout})
	if b, _ := os.ReadFile(filepath.Join(dir, "asked.ndjson")); bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("--format csv ignored:\n%.200s", b)
	}
}

// Several streams printed to stdout: each row says its stream; one stream
// alone is printed as it is.
func TestSharedStdoutLabelsRows(t *testing.T) {
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"ndjson", "csv", "table"} {
		var stdout bytes.Buffer
		_, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: "../examples/spend/purchases.jsonl"}}, Format: format,
			Outs: []Out{{Stream: "DESTINATION_SQL_STREAM", Dest: "-"}, {Stream: "SOURCE_SQL_STREAM_001", Dest: "-"}}, Stdout: &stdout})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]string{
			"ndjson": {`{"STREAM":"DESTINATION_SQL_STREAM","Block":`, `{"STREAM":"SOURCE_SQL_STREAM_001","Block":`},
			"csv":    {"DESTINATION_SQL_STREAM,", "SOURCE_SQL_STREAM_001,"},
			"table":  {"DESTINATION_SQL_STREAM  ", "SOURCE_SQL_STREAM_001  "},
		}[format]
		for _, w := range want {
			if !strings.Contains(stdout.String(), "\n"+w) && !strings.HasPrefix(stdout.String(), w) {
				t.Errorf("%s: no row starts with %q:\n%.600s", format, w, stdout.String())
			}
		}
		if format == "table" && strings.Count("\n"+stdout.String(), "\nSTREAM ") != 2 {
			t.Errorf("table: want one header per stream:\n%.2000s", stdout.String())
		}
	}
	var stdout bytes.Buffer
	Run(context.Background(), Options{App: a, Replays: []Replay{{Path: "../examples/spend/purchases.jsonl"}}, Format: "ndjson", Stdout: &stdout})
	if strings.Contains(stdout.String(), `"STREAM"`) {
		t.Errorf("one stream labelled:\n%.300s", stdout.String())
	}
}

// An output is called by pumps running at once only when its destination
// is its own: not stdout shared by two streams, not a path given twice,
// not a writer shared, never error_stream's.
func TestOwnDestinations(t *testing.T) {
	var stdout, shared, alone bytes.Buffer
	w := func(name string, dest *bytes.Buffer) Output { return newWriterOutput(name, dest, nil, 0, false) }
	file := func(path string) Output { return newWriterOutput(path, nil, io.NopCloser(nil), 0, false) }
	bs := []Binding{
		{"A", w("stdout", &stdout)}, {"B", w("stdout", &stdout)},
		{"C", file("out/c.ndjson")}, {"D", file("out/d.ndjson")}, {"E", file("out/../out/d.ndjson")},
		{"F", w("output F", &shared)}, {"error_stream", w("output error_stream", &shared)},
		{"G", w("output G", &alone)}, {"error_stream", file("errors.ndjson")},
	}
	own := ownDestinations(bs)
	var got []string
	for _, b := range bs {
		if own[b.Out] {
			got = append(got, b.Stream)
		}
	}
	if strings.Join(got, ",") != "C,G" {
		t.Errorf("own destinations: %v, want C, G", got)
	}
}
