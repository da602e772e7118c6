package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.sql")
	os.WriteFile(bad, []byte("CREATE STREAM S (A INTEGER);\nCREATE PUMP P AS INSERT INTO S SELECT STREAM B FROM NOWHERE;\n"), 0o644)
	sql, _ := os.ReadFile("../../examples/spend/app.sql")
	txt, noExt, schema := filepath.Join(dir, "spend.txt"), filepath.Join(dir, "spend"), filepath.Join(dir, "schema.yaml")
	os.WriteFile(txt, sql, 0o644)
	os.WriteFile(noExt, sql, 0o644)
	os.WriteFile(schema, []byte("RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: $}}}\n"+
		"RecordColumns:\n- {Name: Block, Mapping: $.Block, SqlType: VARCHAR(8)}\n- {Name: Amount, Mapping: $.Amount, SqlType: 'DECIMAL(8,2)'}\n"), 0o644)
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"run", "--help"}, 0, "", "--replay"},
		{[]string{"check", "--help"}, 0, "", "Usage: streamsql check"},
		{[]string{"version"}, 0, "streamsql " + version, ""},
		{[]string{"check", "../../examples/spend/app.yaml"}, 0, "ok: ../../examples/spend/app.yaml", ""},
		{[]string{"check", "../../examples/hotspots/app.yaml"}, 0, "ok: ../../examples/hotspots/app.yaml", ""},
		{[]string{"check", bad}, 2, "", "bad.sql:2:53: unknown stream or table NOWHERE"},
		{[]string{"run", "../../examples/spend/app.yaml"}, 2, "", "--replay: no recording given"},
		{[]string{"run", "../../examples/spend/app.yaml", "--replay", "nope.jsonl"}, 2, "", "nope.jsonl"},
		{[]string{"run", "../../examples/spend/app.yaml", "--out", "bad"}, 2, "", "want STREAM=DEST"},
		{[]string{"test", "../../examples/spend"}, 0, "1 passed, 0 failed", ""},
		// A bare SQL file with --schema, whatever its name.
		{[]string{"check", txt, "--schema", schema}, 0, "ok: " + txt, ""},
		{[]string{"check", noExt, "--schema", schema}, 0, "ok: " + noExt, ""},
		{[]string{"run", noExt, "--schema", schema, "--replay", "../../examples/spend/purchases.jsonl", "--format", "ndjson"}, 0, `"Block":"B4","TotalAmount":847.20,"Purchases":3`, ""},
		{[]string{"check", "../../examples/spend/app.yaml", "--schema", schema}, 2, "", "--schema is for a bare SQL file"},
		{[]string{"test", "../../examples/spend-terraform-modules"}, 0, "1 passed, 0 failed", ""},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.inStdout) || !strings.Contains(errOut, tt.inStderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q / %q", tt.args, code, out, errOut, tt.code, tt.inStdout, tt.inStderr)
		}
	}
}

func TestRunPrintsRowsAndExplain(t *testing.T) {
	code, out, errOut := runCLI("run", "../../examples/spend/app.yaml", "--replay", "../../examples/spend/purchases.jsonl", "--rowtime", "--format", "ndjson")
	want, _ := os.ReadFile("../../examples/spend/expected.ndjson")
	if code != 0 || out != string(want) {
		t.Fatalf("exit %d stderr %q\n%s", code, errOut, out)
	}
	code, out, _ = runCLI("explain", "../../examples/news/app.yaml")
	if code != 0 || !strings.Contains(out, `LEFT JOIN reference table "users"`) || !strings.Contains(out, "TumblingWindow") {
		t.Fatalf("explain exit %d:\n%s", code, out)
	}
	code, out, errOut = runCLI("demo", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") < 10 || !strings.Contains(errOut, "news personalization") {
		t.Fatalf("demo exit %d stderr %q out %q", code, errOut, out)
	}
}

func TestErrorStreamAndSummary(t *testing.T) {
	dir := t.TempDir()
	errFile := filepath.Join(dir, "errors.ndjson")
	code, _, errOut := runCLI("run", "../../examples/filter/app.yaml", "--replay", "../../examples/filter/ticker.jsonl",
		"--out", "DESTINATION_SQL_STREAM="+filepath.Join(dir, "out.ndjson"), "--out", "error_stream="+errFile)
	b, _ := os.ReadFile(errFile)
	if code != 0 || strings.Count(string(b), "\n") != 2 || strings.Contains(errOut, "add --out error_stream") {
		t.Fatalf("exit %d stderr %q errors:\n%s", code, errOut, b)
	}
	// Without an error_stream output the count still reaches the user.
	code, _, errOut = runCLI("run", "../../examples/filter/app.yaml", "--replay", "../../examples/filter/ticker.jsonl",
		"--out", "DESTINATION_SQL_STREAM="+filepath.Join(dir, "out2.ndjson"))
	if code != 0 || !strings.Contains(errOut, "error_stream: 2 rows (Parse error 1, Type conversion error 1); the first: Type conversion error: PRICE") ||
		!strings.Contains(errOut, "add --out error_stream=- (or an Output named error_stream) to see them all") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
}

// Usage and configuration mistakes exit 2 with one line that starts with
// streamsql: and says what would be valid; runtime failures exit 1.
func TestUsageAndConfigErrorsExit2(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"float64.yaml": "RecordFormat: {RecordFormatType: JSON}\nRecordColumns:\n  - {Name: Block, Mapping: \"$.Block\", SqlType: VARCHAR(8)}\n  - {Name: Amount, Mapping: \"$.Amount\", SqlType: FLOAT64}\n",
		"broken.yaml":  "RecordFormat: [\n",
	})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", spend + "app.yaml", "--replya", "x"}, "streamsql: run: unknown flag --replya; did you mean --replay? (streamsql run --help lists the flags)\n"},
		{[]string{"check", spend + "app.yaml", "--shema", "x"}, "streamsql: check: unknown flag --shema; did you mean --schema?"},
		{[]string{"run", spend + "app.yaml", "--rate", "fast"}, "streamsql: run: invalid value \"fast\" for flag -rate"},
		{[]string{"run", spend + "app.yaml", "--replay", spend + "purchases.jsonl", "--out", "NOPE=-"}, "streamsql: --out NOPE: no in-application stream NOPE; the application has"},
		{[]string{"check", spend + "app.sql", "--schema", filepath.Join(dir, "broken.yaml")}, "streamsql: " + filepath.Join(dir, "broken.yaml")},
		{[]string{"check", spend + "app.sql", "--schema", filepath.Join(dir, "nothere.yaml")}, "nothere.yaml: no such file"},
		{[]string{"check", spend + "app.sql", "--schema", filepath.Join(dir, "float64.yaml")}, "streamsql: " + filepath.Join(dir, "float64.yaml") + `:4: RecordColumns[1].SqlType: "FLOAT64" is not a SQL type`},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") > 2 {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
	code, _, errOut := runCLI("check", spend+"app.sql", "--schema", filepath.Join(dir, "float64.yaml"))
	if code != 2 || !strings.Contains(errOut, "valid types: TINYINT, SMALLINT, INTEGER") {
		t.Errorf("SqlType: %s", errOut)
	}
}

// streamsql test: several folders, -run, -v, a JUnit report; a broken
// case.yaml is a configuration error (exit 2) naming the key and line.
func TestTestCommandOptions(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	code, out, errOut := runCLI("test", "../../examples/spend", "../../examples/filter", "../../testdata/cases", "-run", "spend$|filter$", "-v", "--junit", report)
	if code != 0 || !strings.Contains(out, "ok   ../../examples/spend (") || !strings.Contains(out, "ok   ../../examples/filter (") ||
		!strings.Contains(out, "DESTINATION_SQL_STREAM: ") || !strings.Contains(out, "2 passed, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	b, _ := os.ReadFile(report)
	if !strings.Contains(string(b), `<testsuite name="streamsql test" tests="2" failures="0" errors="0"`) || !strings.Contains(string(b), `<testcase name="../../examples/spend"`) {
		t.Fatalf("junit:\n%s", b)
	}
	// Without -v only failures print.
	if code, out, _ = runCLI("test", "../../examples/spend"); code != 0 || out != "1 passed, 0 failed\n" {
		t.Fatalf("quiet: exit %d\n%s", code, out)
	}
	dir := writeFiles(t, map[string]string{"case.yaml": "app: app.yaml\nreplay: [r.jsonl]\nexpct: {D: d.ndjson}\n"})
	code, _, errOut = runCLI("test", dir)
	if code != 2 || !strings.Contains(errOut, "streamsql: "+filepath.Join(dir, "case.yaml")+":3: expct: unknown key; did you mean expect?") {
		t.Fatalf("bad case.yaml: exit %d\n%s", code, errOut)
	}
	// A failing case: exit 1, and the JUnit report says which.
	fail := t.TempDir()
	for _, f := range []string{"app.yaml", "app.sql", "purchases.jsonl", "case.yaml"} {
		b, _ := os.ReadFile(filepath.Join("../../examples/spend", f))
		os.WriteFile(filepath.Join(fail, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(fail, "expected.ndjson"), []byte("{}\n"), 0o644)
	code, out, _ = runCLI("test", fail, "--junit", report)
	b, _ = os.ReadFile(report)
	if code != 1 || !strings.Contains(out, "FAIL "+fail) || !strings.Contains(string(b), `failures="1"`) || !strings.Contains(string(b), "<failure message=") {
		t.Fatalf("failing case: exit %d\n%s\n%s", code, out, b)
	}
}

// Each command's usage mistakes name that command (and so its own flags).
func TestUsageErrorsNameTheirCommand(t *testing.T) {
	for _, c := range []string{"run", "check", "record", "explain", "test", "convert", "discover", "completion"} {
		code, _, errOut := runCLI(c)
		if code != 2 || !strings.HasPrefix(errOut, "streamsql: "+c+": ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s without arguments: exit %d %q", c, code, errOut)
		}
	}
}

// A stop keeps the open windows by default; asking for both that and the
// old behaviour is a usage error, before anything is read.
func TestStopFlagsConflict(t *testing.T) {
	code, _, errOut := runCLI("run", "../../examples/spend/app.yaml", "--keep-windows-on-stop", "--close-windows-on-stop")
	if code != 2 || !strings.Contains(errOut, "--keep-windows-on-stop and --close-windows-on-stop: choose one") {
		t.Fatalf("exit %d %q", code, errOut)
	}
}
