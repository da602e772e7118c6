package testrunner

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func writeCase(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A mistake in case.yaml names the file, the line and the key, and what
// would be valid.
func TestCaseErrorsNameKeyAndLine(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"app: app.yaml\nreplay: [r.jsonl]\nexpct: {D: d.ndjson}\n", `case.yaml:3: expct: unknown key; did you mean expect? (keys: description, app,`},
		{"app: app.yaml\nrate: fast\nexpect: {D: d.ndjson}\n", `case.yaml:2: rate: want a number, got "fast"`},
		{"app: app.yaml\nreplay: r.jsonl\nexpect: {D: d.ndjson}\n", `case.yaml:2: replay: want a list of strings ([a, b]), got "r.jsonl"`},
		{"app: app.yaml\nfile_order: sometimes\nexpect: {D: d.ndjson}\n", `case.yaml:2: file_order: want true or false, got "sometimes"`},
		{"replay: [r.jsonl]\nexpect: {D: d.ndjson}\n", `case.yaml: app: missing`},
		{"app: app.yaml\nexpect: {}\n", `case.yaml:2: expect: missing: the streams to check`},
		{"app: app.yaml\nstart: 2026-01-05\nexpect: {D: d.ndjson}\n", `case.yaml:2: start: is the start of rate's synthetic clock: give rate too`},
		{"app: app.yaml\nrate: 10\nstart: yesterday\nexpect: {D: d.ndjson}\n", `case.yaml:3: start: cannot read "yesterday" as a time`},
		{"app: app.yaml\napp: b.yaml\nexpect: {D: d.ndjson}\n", `case.yaml:2: app: given twice (first on line 1)`},
		{"app: [\n", `case.yaml: `},
	} {
		_, err := ReadCase(writeCase(t, tc.body))
		var ce *CaseError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
}

// The JSON Schema for editors and docs/case-yaml.md describe exactly the
// keys the reader knows.
func TestCaseSchemaAndDocsListEveryKey(t *testing.T) {
	b, err := os.ReadFile("../docs/case.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	keys := Keys()
	sort.Strings(keys)
	if got := slices.Sorted(maps.Keys(schema.Properties)); strings.Join(got, " ") != strings.Join(keys, " ") {
		t.Errorf("schema properties %v, reader keys %v", got, keys)
	}
	doc, err := os.ReadFile("../docs/case-yaml.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.Contains(string(doc), "| `"+k+"` |") {
			t.Errorf("docs/case-yaml.md does not describe %s", k)
		}
	}
}

// unordered compares the rows of one ROWTIME in any order; float_tolerance
// lets numbers differ a little; neither hides a real difference.
func TestUnorderedAndFloatTolerance(t *testing.T) {
	want := `{"ROWTIME":"2026-01-05 10:00:15.000","K":"a","V":1.0000001}
{"ROWTIME":"2026-01-05 10:00:15.000","K":"b","V":2}
{"ROWTIME":"2026-01-05 10:00:30.000","K":"a","V":3}
`
	swapped := `{"ROWTIME":"2026-01-05 10:00:15.000","K":"b","V":2}
{"ROWTIME":"2026-01-05 10:00:15.000","K":"a","V":1.0000001}
{"ROWTIME":"2026-01-05 10:00:30.000","K":"a","V":3}
`
	rounded := strings.Replace(want, "1.0000001", "1", 1)
	across := `{"ROWTIME":"2026-01-05 10:00:30.000","K":"a","V":3}
{"ROWTIME":"2026-01-05 10:00:15.000","K":"b","V":2}
{"ROWTIME":"2026-01-05 10:00:15.000","K":"a","V":1.0000001}
`
	for _, tc := range []struct {
		c     Case
		got   string
		match bool
	}{
		{Case{}, swapped, false},
		{Case{Unordered: true}, swapped, true},
		{Case{Unordered: true}, across, false},
		{Case{}, rounded, false},
		{Case{FloatTolerance: 1e-6}, rounded, true},
		{Case{FloatTolerance: 1e-9}, rounded, false},
		{Case{FloatTolerance: 1e-6}, strings.Replace(want, `"K":"b"`, `"K":"c"`, 1), false},
		{Case{Unordered: true, FloatTolerance: 1e-6}, strings.Replace(swapped, "1.0000001", "1", 1), true},
	} {
		if d := tc.c.compare(want, tc.got); (d == "") != tc.match {
			t.Errorf("%+v: match %v, want %v\n%s", tc.c, d == "", tc.match, d)
		}
	}
}
