package testrunner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	if d := Diff("a\nb\n", "a\nb\n"); d != "" {
		t.Fatalf("equal: %q", d)
	}
	d := Diff("a\nb\nc\n", "a\nX\n")
	for _, want := range []string{"line 2 -expected b", "line 2 +actual   X", "line 3 -expected c", "(3 expected lines, 2 actual)"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

func TestDiscoverReadsCases(t *testing.T) {
	cases, err := Discover("../examples")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 4 {
		t.Fatalf("found %d cases", len(cases))
	}
	for _, c := range cases {
		if c.App == "" || len(c.Expect) == 0 || len(c.Replay) == 0 {
			t.Errorf("%s: incomplete case %+v", c.Dir, c)
		}
	}
}

// TestExamplesAndConformanceCases runs the project's end-to-end cases: every
// example application and every documented worked example, from their
// recordings, against their expected output.
func TestExamplesAndConformanceCases(t *testing.T) {
	for _, root := range []string{"../examples", "../testdata/cases"} {
		cases, err := Discover(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(strings.TrimPrefix(c.Dir, "../"), func(t *testing.T) {
				r := RunCase(context.Background(), c, false)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if !r.Pass {
					t.Fatalf("output differs:\n%s", r.Diff)
				}
			})
		}
	}
}

// TestErrorStreamIsAlwaysChecked: a case that produces error rows fails
// unless expect.error_stream names a file holding them, whether it says
// nothing of error_stream or says "none".
func TestErrorStreamIsAlwaysChecked(t *testing.T) {
	src := "../testdata/cases/decimal-input"
	for _, tc := range []struct {
		name, errLine string
		pass          bool
	}{
		{"file", "  error_stream: errors.ndjson\n", true},
		{"absent", "", false},
		{"none", "  error_stream: none\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"app.yaml", "records.jsonl", "cards.ndjson", "errors.ndjson"} {
				b, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			yml := "app: app.yaml\nreplay: [records.jsonl]\nexpect:\n  CARDS: cards.ndjson\n" + tc.errLine
			if err := os.WriteFile(filepath.Join(dir, "case.yaml"), []byte(yml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := ReadCase(dir)
			if err != nil {
				t.Fatal(err)
			}
			r := RunCase(context.Background(), c, false)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Pass != tc.pass {
				t.Fatalf("pass = %v, want %v:\n%s", r.Pass, tc.pass, r.Diff)
			}
			if !tc.pass && !strings.Contains(r.Diff, "stream error_stream (expected none): ") {
				t.Fatalf("diff does not name the error rows:\n%s", r.Diff)
			}
		})
	}
}
