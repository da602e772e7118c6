package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamsql/streamsql/testrunner"
)

// TestCommittedExamplesAreGenerated regenerates every example into a
// temporary folder and compares it with the committed files, so that the
// expected outputs stay computed without the engine: `streamsql test
// --update` cannot quietly replace them. Every expected file that an
// example case names (error_stream's included) must be one of them.
func TestCommittedExamplesAreGenerated(t *testing.T) {
	const examples = "../../examples"
	tmp := t.TempDir()
	generate(tmp)
	generated := map[string]bool{}
	err := filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, path)
		generated[rel] = true
		got, _ := os.ReadFile(path)
		want, err := os.ReadFile(filepath.Join(examples, rel))
		if err != nil {
			t.Errorf("examples/%s: %v (run go run ./internal/examplegen)", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/%s differs from what examplegen computes (run go run ./internal/examplegen and review the diff)", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := testrunner.Discover(examples)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		for stream, file := range c.Expect {
			if file == testrunner.NoErrors {
				continue
			}
			rel, err := filepath.Rel(examples, filepath.Join(c.Dir, file))
			if err != nil || !generated[rel] {
				t.Errorf("%s: expected %s (%s) is not computed by examplegen", c.Dir, stream, file)
			}
		}
	}
}
