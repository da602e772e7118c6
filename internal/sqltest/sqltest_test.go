package sqltest

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWindowScripts runs every testdata/windows/*.test file.
func TestWindowScripts(t *testing.T) {
	files, err := filepath.Glob("../../testdata/windows/*.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test scripts found")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			s, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if *rewrite && s.Annotated() {
				if err := s.Rewrite(); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, msg := range Run(s) {
				t.Error(msg)
			}
		})
	}
}

// TestRunnerCatchesWrongExpectations guards the runner itself: a script
// whose expected output is wrong must fail.
func TestRunnerCatchesWrongExpectations(t *testing.T) {
	s, err := Parse("testdata/wrong.test")
	if err != nil {
		t.Fatal(err)
	}
	fails := Run(s)
	if len(fails) != 2 {
		t.Fatalf("want 2 failures (output and error count), got %q", fails)
	}
	if !strings.Contains(fails[0], "output OUT differs") || !strings.Contains(fails[1], "error_stream rows") {
		t.Fatalf("failures %q", fails)
	}
}

// TestWindowScriptsRoundTrip restores every script's running graph from a
// snapshot after each of its events: the run must not change.
func TestWindowScriptsRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../../testdata/windows/*.test")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "testdata/wrong.test")
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			s, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range RoundTrip(s) {
				t.Error(msg)
			}
		})
	}
}

// TestWindowScriptsConcurrent runs every script with the pumps that share
// no state on separate goroutines: the run must not change.
func TestWindowScriptsConcurrent(t *testing.T) {
	files, err := filepath.Glob("../../testdata/windows/*.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			s, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range Concurrent(s) {
				t.Error(msg)
			}
		})
	}
}
