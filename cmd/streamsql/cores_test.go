package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/internal/textdiff"
)

// Every benchmark shape (bench/shapes) run from a recording that
// bench/gen wrote, as scripts/bench runs it: each stream it creates, and
// error_stream, hold the same bytes at GOMAXPROCS 1, 2 and 4 (parallel
// decoding, pumps on several goroutines).
func TestBenchShapesSameAtEveryGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bench/gen and runs every shape three times")
	}
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec.jsonl")
	// 12,000 records 50 ms apart: ten minutes of arrivals, several windows
	// of every shape.
	if out, err := exec.Command("go", "run", "../../bench/gen", "-n", "12000", "-step-us", "50000", "-o", rec).CombinedOutput(); err != nil {
		t.Fatalf("bench/gen: %v\n%s", err, out)
	}
	shapes, err := filepath.Glob("../../bench/shapes/*.sql")
	if err != nil || len(shapes) < 8 {
		t.Fatalf("shapes %v, %v", shapes, err)
	}
	streamRE := regexp.MustCompile(`(?m)^CREATE OR REPLACE STREAM "([^"]+)"`)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, sql := range shapes {
		name := strings.TrimSuffix(filepath.Base(sql), ".sql")
		code, err := os.ReadFile(sql)
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"run", sql, "--schema", "../../bench/schema.yaml", "--replay", rec, "--rowtime", "--quiet"}
		if yaml := strings.TrimSuffix(sql, ".sql") + ".yaml"; exists(yaml) {
			args = []string{"run", yaml, "--replay", rec, "--rowtime", "--quiet"}
		}
		streams := []string{"error_stream"}
		for _, m := range streamRE.FindAllStringSubmatch(string(code), -1) {
			streams = append(streams, m[1])
		}
		outputs := func(procs int) string {
			runtime.GOMAXPROCS(procs)
			out := filepath.Join(dir, name, "procs"+string(rune('0'+procs)))
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			a := append([]string(nil), args...)
			for _, s := range streams {
				a = append(a, "--out", s+"="+filepath.Join(out, s+".ndjson"))
			}
			if code, _, errOut := runCLI(a...); code != 0 {
				t.Fatalf("%s at GOMAXPROCS %d: exit %d\n%s", name, procs, code, errOut)
			}
			var all strings.Builder
			for _, s := range streams {
				b, err := os.ReadFile(filepath.Join(out, s+".ndjson"))
				if err != nil {
					t.Fatal(err)
				}
				all.WriteString("-- " + s + "\n")
				all.Write(b)
			}
			return all.String()
		}
		want := outputs(1)
		if strings.Count(want, "\n") < 2*len(streams)+10 {
			t.Fatalf("%s: too few rows:\n%.2000s", name, want)
		}
		for _, procs := range []int{2, 4} {
			if got := outputs(procs); got != want {
				t.Errorf("%s: GOMAXPROCS %d writes other bytes than GOMAXPROCS 1\n%s", name, procs, textdiff.At(got, want))
			}
		}
	}
}
