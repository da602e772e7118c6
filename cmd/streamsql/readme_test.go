package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's five-minute tutorial works as written: discover a
// recording's schema, check and run the tutorial's SQL on it, and turn it
// into a passing test case.
func TestReadmeTutorial(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, tutorial, ok := strings.Cut(string(readme), "## Your first application in five minutes")
	if !ok {
		t.Fatal("README has no tutorial")
	}
	m := regexp.MustCompile("(?s)```sql\n(.*?)```").FindStringSubmatch(tutorial)
	if m == nil {
		t.Fatal("the tutorial has no SQL")
	}
	sql := regexp.MustCompile(`(?m)^   `).ReplaceAllString(m[1], "")
	rec, _ := os.ReadFile("../../examples/news/clicks.jsonl")
	dir := writeFiles(t, map[string]string{"app.sql": sql, "clicks.jsonl": string(rec)})
	at := func(f string) string { return filepath.Join(dir, f) }
	code, inputs, errOut := runCLI("discover", at("clicks.jsonl"))
	if code != 0 {
		t.Fatalf("discover: exit %d %s", code, errOut)
	}
	os.WriteFile(at("inputs.yaml"), []byte(inputs), 0o644)
	if code, out, errOut := runCLI("check", at("app.sql"), "--schema", at("inputs.yaml")); code != 0 || !strings.Contains(out, "ok: ") {
		t.Fatalf("check: exit %d %s%s", code, out, errOut)
	}
	code, _, errOut = runCLI("run", at("app.sql"), "--schema", at("inputs.yaml"), "--replay", at("clicks.jsonl"),
		"--out", "DESTINATION_SQL_STREAM="+at("expected.ndjson"), "--rowtime")
	if b, _ := os.ReadFile(at("expected.ndjson")); code != 0 || !strings.Contains(string(b), `"ACTION":"click"`) || !strings.Contains(errOut, "output DESTINATION_SQL_STREAM: ") {
		t.Fatalf("run: exit %d %s\n%s", code, errOut, b)
	}
	os.WriteFile(at("case.yaml"), []byte("app: app.sql\nschema: inputs.yaml\nreplay: [clicks.jsonl]\nexpect: {DESTINATION_SQL_STREAM: expected.ndjson}\n"), 0o644)
	if code, out, _ := runCLI("test", dir); code != 0 || !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatalf("test: exit %d\n%s", code, out)
	}
}

// The SQL reference index points at files and headings that exist, and at
// KDA's reference pages.
func TestSQLReferenceIndexLinks(t *testing.T) {
	index, err := os.ReadFile("../../docs/sql-reference.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{}
	heading := regexp.MustCompile(`(?m)^#+ (.*)$`)
	for _, link := range regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(string(index), -1) {
		target := link[1]
		if strings.HasPrefix(target, "https://") {
			if !strings.HasPrefix(target, "https://docs.aws.amazon.com/kinesisanalytics/latest/") {
				t.Errorf("link outside the KDA docs: %s", target)
			}
			continue
		}
		file, anchor, _ := strings.Cut(target, "#")
		b, err := os.ReadFile(filepath.Join("../../docs", file))
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		if anchor == "" {
			continue
		}
		if anchors[file] == nil {
			anchors[file] = map[string]bool{}
			for _, h := range heading.FindAllStringSubmatch(string(b), -1) {
				a := strings.ToLower(h[1])
				a = regexp.MustCompile("[^a-z0-9 _-]").ReplaceAllString(a, "")
				anchors[file][strings.ReplaceAll(a, " ", "-")] = true
			}
		}
		if !anchors[file][anchor] {
			t.Errorf("%s: no heading for #%s", file, anchor)
		}
	}
	readme, _ := os.ReadFile("../../README.md")
	for _, want := range []string{"(docs/sql-reference.md)", "(docs/case-yaml.md)"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README does not link %s", want)
		}
	}
}
