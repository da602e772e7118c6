package testrunner

import (
	"context"
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
