package main

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const spend = "../../examples/spend/"

// writeFiles writes name -> content into a fresh folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunPrintsSummary(t *testing.T) {
	code, _, errOut := runCLI("run", spend+"app.yaml", "--replay", spend+"purchases.jsonl", "--out", "DESTINATION_SQL_STREAM="+filepath.Join(t.TempDir(), "o.ndjson"))
	for _, want := range []string{"records read (", "records/s)", "input SOURCE_SQL_STREAM: ", "output DESTINATION_SQL_STREAM: "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q:\n%s", want, errOut)
		}
	}
	if code != 0 || strings.Contains(errOut, "gave no row") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI("run", spend+"app.yaml", "--replay", spend+"purchases.jsonl", "--quiet", "--out", "DESTINATION_SQL_STREAM="+filepath.Join(t.TempDir(), "o.ndjson"))
	if code != 0 || errOut != "" {
		t.Fatalf("--quiet: exit %d stderr %q", code, errOut)
	}
}

// A wrong --arrival-field sends every record to error_stream: the run says
// so and fails instead of exiting 0 with no output.
func TestRunFailsWhenEveryRecordOfAnInputFails(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.ndjson": `{"Block":"B1","Amount":1.5,"Customer":"c","ts":"2026-01-05T10:00:00Z"}
{"Block":"B2","Amount":2.5,"Customer":"d","ts":"2026-01-05T10:00:01Z"}
`})
	code, _, errOut := runCLI("run", spend+"app.yaml", "--replay", filepath.Join(dir, "p.ndjson"), "--arrival-field", "time")
	if code != 1 || !strings.Contains(errOut, "every record of input SOURCE_SQL_STREAM failed (2)") ||
		!strings.Contains(errOut, "input SOURCE_SQL_STREAM: 2 records, 2 gave no row") || !strings.Contains(errOut, "error_stream: 2 rows (Parse error 2)") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI("run", spend+"app.yaml", "--replay", filepath.Join(dir, "p.ndjson"), "--arrival-field", "ts", "--quiet")
	if code != 0 {
		t.Fatalf("right field: exit %d\n%s", code, errOut)
	}
}

// mappingTypoRun is the arguments of a run whose schema maps Amount with
// a JSONPath typo ($.Amout) over the spend recording.
func mappingTypoRun(t *testing.T) []string {
	dir := writeFiles(t, map[string]string{
		"app.sql": "CREATE STREAM D (B VARCHAR(8), T DECIMAL(8,2));\nCREATE PUMP P AS INSERT INTO D SELECT STREAM \"Block\", \"Amount\" FROM SOURCE_SQL_STREAM_001;\n",
		"schema.yaml": `RecordFormat: {RecordFormatType: JSON}
RecordColumns:
  - {Name: Block, Mapping: "$.Block", SqlType: VARCHAR(8)}
  - {Name: Amount, Mapping: "$.Amout", SqlType: "DECIMAL(8,2)"}
`})
	return []string{"run", filepath.Join(dir, "app.sql"), "--schema", filepath.Join(dir, "schema.yaml"),
		"--replay", spend + "purchases.jsonl", "--out", "D=" + filepath.Join(dir, "out.ndjson")}
}

// A JSONPath typo makes a column NULL in every row: the run warns, naming
// the fields it did see.
func TestRunWarnsWhenAMappingMatchesNothing(t *testing.T) {
	code, _, errOut := runCLI(mappingTypoRun(t)...)
	want := "streamsql: warning: SOURCE_SQL_STREAM: column Amount: $.Amout matched no field in 600 records; fields seen: Amount, Block, Customer"
	if code != 0 || !strings.Contains(errOut, want) || strings.Contains(errOut, "column Block") {
		t.Fatalf("exit %d, want %q in\n%s", code, want, errOut)
	}
}

func TestFailOnError(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "../../examples/filter/app.yaml", "--replay", "../../examples/filter/ticker.jsonl", "--out", "DESTINATION_SQL_STREAM=" + filepath.Join(dir, "out.ndjson")}
	if code, _, errOut := runCLI(args...); code != 0 {
		t.Fatalf("without --fail-on-error: exit %d\n%s", code, errOut)
	}
	code, _, errOut := runCLI(append(args, "--fail-on-error")...)
	if code != 1 || !strings.Contains(errOut, "--fail-on-error: 2 rows went to error_stream") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// --rate without --start starts the clock at 1970-01-01, as documented.
func TestRateWithoutStartStartsAtTheEpoch(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.ndjson": `{"Block":"B1","Amount":1.5,"Customer":"c"}
{"Block":"B1","Amount":2.5,"Customer":"d"}
`})
	code, out, errOut := runCLI("run", spend+"app.yaml", "--replay", filepath.Join(dir, "p.ndjson"), "--rate", "1", "--format", "ndjson", "--rowtime", "--quiet")
	if code != 0 || !strings.HasPrefix(out, `{"ROWTIME":"1970-01-01 00:00:`) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// A run's warnings go through its logger: JSON lines with --log-format
// json, the plain line with text, none below --log-level.
func TestRunWarningsFollowTheLogFormat(t *testing.T) {
	args := append(mappingTypoRun(t), "--quiet")
	msg := "SOURCE_SQL_STREAM: column Amount: $.Amout matched no field in 600 records; fields seen: Amount, Block, Customer"
	code, _, errOut := runCLI(append(args, "--log-format", "json")...)
	var line struct{ Level, Msg, Event, Input string }
	if code != 0 || strings.Count(errOut, "\n") != 1 || json.Unmarshal([]byte(errOut), &line) != nil {
		t.Fatalf("json: exit %d, stderr:\n%s", code, errOut)
	}
	if line.Level != "WARN" || line.Msg != msg || line.Event != "mapping_unmatched" || line.Input != "SOURCE_SQL_STREAM" {
		t.Errorf("json line %+v", line)
	}
	code, _, errOut = runCLI(args...)
	if want := "streamsql: warning: " + msg + " input=SOURCE_SQL_STREAM\n"; code != 0 || errOut != want {
		t.Errorf("text: exit %d, stderr %q, want %q", code, errOut, want)
	}
	if code, _, errOut = runCLI(append(args, "--log-level", "error")...); code != 0 || errOut != "" {
		t.Errorf("--log-level error: exit %d, stderr %q", code, errOut)
	}
}

// The text handler writes the CLI's own lines: the level as a word, the
// attributes (those given through With too) after the message, the event
// kind left out, values quoted where they need it.
func TestPlainLogLines(t *testing.T) {
	var b strings.Builder
	log := slog.New(newPlainHandler(&b, slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Info("checkpoint written", "event", "checkpoint", "seq", 3, "where", "/tmp/a b")
	log.With("shard", "shardId-1").Warn("GetRecords throttled", "event", "throttle")
	log.Error("the --http server stopped", "err", "accept: too many open files")
	log.WithGroup("g").Debug("decoding", "workers", 2)
	want := `streamsql: checkpoint written seq=3 where="/tmp/a b"
streamsql: warning: GetRecords throttled shard=shardId-1
streamsql: error: the --http server stopped err="accept: too many open files"
streamsql: debug: decoding g.workers=2
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// The application file's warnings of a run go through its logger too, so
// --log-format json leaves no plain line on stderr.
func TestRunFileWarningsFollowTheLogFormat(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": startupApp("", "", "") + "Colour: red\n"})
	args := []string{"run", filepath.Join(dir, "app.yaml"), "--replay", spend + "purchases.jsonl", "--out", "DESTINATION_SQL_STREAM=" + filepath.Join(dir, "out.ndjson"), "--quiet"}
	code, _, errOut := runCLI(append(args, "--log-format", "json")...)
	var line struct{ Level, Msg, Event string }
	if code != 0 || strings.Count(errOut, "\n") != 1 || json.Unmarshal([]byte(errOut), &line) != nil ||
		line.Level != "WARN" || line.Event != "application_file" || !strings.Contains(line.Msg, "Colour: unknown field (line 14), ignored") {
		t.Fatalf("json: exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, errOut = runCLI(args...); code != 0 || !strings.HasPrefix(errOut, "streamsql: warning: ") || !strings.Contains(errOut, "Colour: unknown field") {
		t.Errorf("text: exit %d, stderr %q", code, errOut)
	}
}
