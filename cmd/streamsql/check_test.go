package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startupApp is the spend example with one part replaced: every way an
// application file can make run refuse to start.
func startupApp(sql, columns, outputs string) string {
	if sql == "" {
		sql = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("Block" VARCHAR(8), "Amount" DECIMAL(8,2));
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "Block", "Amount" FROM "SOURCE_SQL_STREAM_001";`
	}
	if columns == "" {
		columns = `        - {Name: Block, Mapping: "$.Block", SqlType: VARCHAR(8)}
        - {Name: Amount, Mapping: "$.Amount", SqlType: "DECIMAL(8,2)"}`
	}
	if outputs == "" {
		outputs = "  - {Name: DESTINATION_SQL_STREAM, DestinationSchema: {RecordFormatType: JSON}}"
	}
	return "ApplicationName: startup\nApplicationCode: |\n    " + sql + `
Inputs:
  - NamePrefix: SOURCE_SQL_STREAM
    InputSchema:
      RecordFormat: {RecordFormatType: JSON}
      RecordColumns:
` + columns + "\nOutputs:\n" + outputs + "\n"
}

// Every start-up error of run that comes from the application file is
// reported by check and explain too, with the same message and exit code 2:
// neither says ok to what run then refuses.
func TestCheckAgreesWithRunOnEveryStartupError(t *testing.T) {
	cases := []struct{ name, app, want string }{
		{"parse error", startupApp("CREATE STREAM ;", "", ""), "app.yaml:3:"},
		{"unknown column", startupApp(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("B" VARCHAR(8));
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "Blok" FROM "SOURCE_SQL_STREAM_001";`, "", ""), `unknown column "Blok"`},
		{"output names a missing stream", startupApp("", "", "  - {Name: DESTINATION_STREAM, DestinationSchema: {RecordFormatType: JSON}}"), "Outputs[0].Name: no in-application stream DESTINATION_STREAM"},
		{"mapping without $", startupApp("", `        - {Name: Block, Mapping: "Block", SqlType: VARCHAR(8)}
        - {Name: Amount, Mapping: "$.Amount", SqlType: "DECIMAL(8,2)"}`, ""), "a JSONPath starts with $"},
		{"two arrays flattened", startupApp("", `        - {Name: Block, Mapping: "$.a[0:].x", SqlType: VARCHAR(8)}
        - {Name: Amount, Mapping: "$.b[0:].y", SqlType: "DECIMAL(8,2)"}`, ""), "only one array can be flattened"},
		{"unknown SQL type", startupApp("", `        - {Name: Block, Mapping: "$.Block", SqlType: VARCHAR(8)}
        - {Name: Amount, Mapping: "$.Amount", SqlType: FLOAT64}`, ""), "RecordColumns[1].SqlType"},
		{"missing SqlType", startupApp("", `        - {Name: Block, Mapping: "$.Block"}
        - {Name: Amount, Mapping: "$.Amount", SqlType: "DECIMAL(8,2)"}`, ""), "RecordColumns[0].SqlType: missing"},
		{"missing code file", "ApplicationName: x\nApplicationCodeFile: nope.sql\n", "nope.sql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"app.yaml": c.app})
			appFile := filepath.Join(dir, "app.yaml")
			runCode, _, runErr := runCLI("run", appFile, "--replay", spend+"purchases.jsonl")
			checkCode, checkOut, checkErr := runCLI("check", appFile)
			if runCode != 2 || !strings.Contains(runErr, c.want) || !strings.HasPrefix(runErr, "streamsql: ") {
				t.Errorf("run: exit %d, want 2 and %q:\n%s", runCode, c.want, runErr)
			}
			if checkCode != runCode || checkErr != runErr || strings.Contains(checkOut, "ok:") {
				t.Errorf("check: exit %d, stdout %q, stderr:\n%s\nrun: exit %d, stderr:\n%s", checkCode, checkOut, checkErr, runCode, runErr)
			}
			explainCode, explainOut, explainErr := runCLI("explain", appFile)
			if explainCode != runCode || explainErr != runErr || explainOut != "" {
				t.Errorf("explain: exit %d, stdout %q, stderr:\n%s\nrun: exit %d, stderr:\n%s", explainCode, explainOut, explainErr, runCode, runErr)
			}
		})
	}
}

func TestCheckSQLWithoutSchemaSaysPassSchema(t *testing.T) {
	code, _, errOut := runCLI("check", spend+"app.sql")
	if code != 2 || !strings.Contains(errOut, "unknown stream or table SOURCE_SQL_STREAM_001") || !strings.Contains(errOut, "hint: the source stream comes from an input schema: pass --schema FILE") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

func TestCheckAndExplainSeveralFiles(t *testing.T) {
	code, out, errOut := runCLI("check", spend+"app.yaml", "../../examples/news/app.yaml")
	if code != 0 || !strings.Contains(out, "ok: "+spend+"app.yaml") || !strings.Contains(out, "ok: ../../examples/news/app.yaml") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// A pattern, as CI passes it quoted: every match is checked.
	code, out, errOut = runCLI("check", "../../examples/*/app.yaml")
	if code != 0 || strings.Count(out, "ok: ") < 8 || !strings.Contains(out, "ok: "+filepath.Clean(spend+"app.yaml")) {
		t.Fatalf("pattern: exit %d\n%s%s", code, out, errOut)
	}
	// One bad file among good ones: the others are still checked, exit 2.
	bad := filepath.Join(writeFiles(t, map[string]string{"bad.sql": "CREATE STREAM ;\n"}), "bad.sql")
	code, out, errOut = runCLI("check", bad, spend+"app.yaml")
	if code != 2 || !strings.Contains(out, "ok: "+spend+"app.yaml") || !strings.Contains(errOut, "bad.sql:1:") {
		t.Fatalf("bad among good: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI("explain", spend+"app.yaml", "../../examples/news/app.yaml")
	if code != 0 || !strings.Contains(out, "== "+spend+"app.yaml") || !strings.Contains(out, "== ../../examples/news/app.yaml") {
		t.Fatalf("explain: exit %d\n%s", code, out)
	}
	if code, _, errOut = runCLI("check", "../../examples/nothing*/app.yaml"); code != 2 || !strings.Contains(errOut, "matches no file") {
		t.Fatalf("no match: exit %d\n%s", code, errOut)
	}
}

// A positional INSERT repeating an alias is accepted; check warns, with
// the position of the second item.
func TestCheckWarnsRepeatedAlias(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.sql")
	sql := "CREATE STREAM S (SPEED INTEGER);\n" +
		"CREATE STREAM OUT_S (LO INTEGER, HI INTEGER);\n" +
		"CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM MIN(SPEED) AS m, MAX(SPEED) AS m FROM S\n" +
		"  GROUP BY STEP(S.ROWTIME BY INTERVAL '1' MINUTE);\n"
	if err := os.WriteFile(path, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("check", path)
	want := "warning: " + path + `:3:67: the select list names column M twice`
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a warning %q", code, out, errOut, want)
	}
}
