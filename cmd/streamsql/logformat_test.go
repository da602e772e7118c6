package main

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/engine/live"
)

// jsonLines parses every line of stderr as a JSON record, failing on any
// plain line.
func jsonLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a stderr line that is not JSON: %q\nstderr:\n%s", line, stderr)
		}
		out = append(out, m)
	}
	return out
}

// byEvent is the records of one event kind.
func byEvent(recs []map[string]any, kind string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["event"] == kind {
			out = append(out, r)
		}
	}
	return out
}

// With --log-format json every stderr line of a run is a JSON record: its
// progress (--progress-every, instead of a bar), its summary with the
// figures as fields, and a failure with its exit code.
func TestLogFormatJSONEveryLine(t *testing.T) {
	out := "DESTINATION_SQL_STREAM=" + filepath.Join(t.TempDir(), "o.ndjson")
	code, _, errOut := runCLI("run", spend+"app.yaml", "--replay", spend+"purchases.jsonl", "--out", out, "--log-format", "json", "--progress-every", "1ns")
	recs := jsonLines(t, errOut)
	if code != 0 || strings.Contains(errOut, "\r") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	sum := byEvent(recs, "summary")
	if len(sum) != 1 || sum[0]["level"] != "INFO" || sum[0]["records_in"] != 600.0 || !strings.HasPrefix(sum[0]["msg"].(string), "done in ") ||
		sum[0]["outputs"].(map[string]any)["DESTINATION_SQL_STREAM"].(float64) < 1 || sum[0]["error_rows"] != 0.0 {
		t.Errorf("summary record %v", sum)
	}
	if in := sum[0]["inputs"].([]any); len(in) != 1 || in[0].(map[string]any)["name"] != "SOURCE_SQL_STREAM" || in[0].(map[string]any)["records"] != 600.0 {
		t.Errorf("summary inputs %v", in)
	}
	prog := byEvent(recs, "progress")
	if len(prog) == 0 || prog[len(prog)-1]["bytes_total"].(float64) <= 0 || prog[len(prog)-1]["records_in"].(float64) <= 0 {
		t.Errorf("progress records %v", prog)
	}
	if recs[len(recs)-1]["event"] != "summary" {
		t.Errorf("the summary is not the last record: %v", recs[len(recs)-1])
	}

	// Every record failing: the summary says so, then the failure.
	dir := writeFiles(t, map[string]string{"p.ndjson": `{"Block":"B1","Amount":1.5,"Customer":"c","ts":"2026-01-05T10:00:00Z"}
{"Block":"B2","Amount":2.5,"Customer":"d","ts":"2026-01-05T10:00:01Z"}
`})
	code, _, errOut = runCLI("run", spend+"app.yaml", "--replay", filepath.Join(dir, "p.ndjson"), "--arrival-field", "time", "--log-format", "json")
	recs = jsonLines(t, errOut)
	sum, exit := byEvent(recs, "summary"), byEvent(recs, "exit")
	if code != 1 || len(sum) != 1 || sum[0]["error_rows"] != 2.0 || sum[0]["errors"].(map[string]any)["Parse error"] != 2.0 || sum[0]["first_error"] == "" {
		t.Fatalf("exit %d, summary %v\n%s", code, sum, errOut)
	}
	if len(exit) != 1 || exit[0]["level"] != "ERROR" || exit[0]["exit_code"] != 1.0 || !strings.HasPrefix(exit[0]["msg"].(string), "every record of input SOURCE_SQL_STREAM failed (2)") {
		t.Errorf("failure record %v", exit)
	}

	// An SQL error (exit 2): one record, the caret and all in its message.
	bad := writeFiles(t, map[string]string{"app.sql": "CREATE STREAM S (A INTEGER);\nCREATE PUMP P AS INSERT INTO S SELECT STREAM B FROM NOWHERE;\n",
		"schema.yaml": "RecordFormat: {RecordFormatType: JSON}\nRecordColumns:\n- {Name: Block, Mapping: $.Block, SqlType: VARCHAR(8)}\n"})
	code, _, errOut = runCLI("run", filepath.Join(bad, "app.sql"), "--schema", filepath.Join(bad, "schema.yaml"), "--replay", spend+"purchases.jsonl", "--log-format", "json")
	recs = jsonLines(t, errOut)
	if code != 2 || len(recs) != 1 || recs[0]["event"] != "exit" || recs[0]["exit_code"] != 2.0 || !strings.Contains(recs[0]["msg"].(string), "app.sql:2:") {
		t.Errorf("exit %d, records %v", code, recs)
	}
}

// --progress-every on a replay prints progress lines (no bar) in text.
func TestReplayProgressLines(t *testing.T) {
	out := "DESTINATION_SQL_STREAM=" + filepath.Join(t.TempDir(), "o.ndjson")
	code, _, errOut := runCLI("run", spend+"app.yaml", "--replay", spend+"purchases.jsonl", "--out", out, "--progress-every", "1ns", "--quiet")
	if code != 0 || !strings.HasPrefix(errOut, "streamsql: progress: ") || !strings.Contains(errOut, " records/s") || strings.Contains(errOut, "\r") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// A live run's progress under --log-format json: one record a period with
// the figures as fields (retrying and waiting ones included).
func TestLiveProgressRecords(t *testing.T) {
	var b strings.Builder
	pr := progressPrinter(progressOut{log: slog.New(slog.NewJSONHandler(&b, nil))}, 1)
	pr(live.Progress{RecordsIn: 40, Delivered: map[string]int64{"A": 3, "B": 4}, LagMillis: 120, ArrivalLagMillis: 80, Outages: []string{"GetRecords s: throttled"}})
	recs := jsonLines(t, b.String())
	if len(recs) != 1 || recs[0]["event"] != "progress" || recs[0]["records_in"] != 40.0 || recs[0]["delivered"] != 7.0 || recs[0]["lag_ms"] != 120.0 ||
		recs[0]["retrying"].([]any)[0] != "GetRecords s: throttled" {
		t.Errorf("records %v", recs)
	}
}
