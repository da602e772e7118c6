package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A gzip recording cut short is read up to the cut, its rows delivered,
// and the run fails naming the unexpected EOF (exit 1), instead of ending
// as if the recording were complete.
func TestTruncatedGzipReplayFails(t *testing.T) {
	rec, err := os.ReadFile("../../examples/spend/purchases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(rec)
	w.Close()
	dir := t.TempDir()
	full, cut := filepath.Join(dir, "full.jsonl.gz"), filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(full, b.Bytes(), 0o644)
	os.WriteFile(cut, b.Bytes()[:b.Len()/2], 0o644)
	code, out, errOut := runCLI("run", "../../examples/spend/app.yaml", "--replay", full, "--format", "ndjson")
	if code != 0 || strings.Count(out, "\n") < 20 {
		t.Fatalf("whole recording: exit %d, %d rows, %s", code, strings.Count(out, "\n"), errOut)
	}
	code, out, errOut = runCLI("run", "../../examples/spend/app.yaml", "--replay", cut, "--format", "ndjson")
	if code != 1 || !strings.Contains(errOut, "cut.jsonl.gz: line ") || !strings.Contains(errOut, "unexpected EOF") {
		t.Errorf("cut recording: exit %d, stderr %q", code, errOut)
	}
	if n := strings.Count(out, "\n"); n == 0 {
		t.Errorf("cut recording: the rows before the cut are not delivered")
	}
}

func TestMaxStateMemoryFlag(t *testing.T) {
	code, _, errOut := runCLI("run", "../../examples/spend/app.yaml", "--replay", "../../examples/spend/purchases.jsonl", "--max-state-memory", "lots")
	if code != 2 || !strings.Contains(errOut, `--max-state-memory: "lots" is not a size such as 4GB or 512MiB`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI("run", "../../examples/spend/app.yaml", "--replay", "../../examples/spend/purchases.jsonl", "--max-state-memory", "1GB", "--format", "ndjson"); code != 0 {
		t.Errorf("1GB: exit %d: %s", code, errOut)
	}
}
