package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/input"
)

// The command-line flags reach the loader, and every format runs to the
// same output as the native file.
func TestRunOtherFormatsFromTheCommandLine(t *testing.T) {
	news, _ := os.ReadFile("../../examples/news/expected.ndjson")
	spend, _ := os.ReadFile("../../examples/spend/expected.ndjson")
	newsRun := []string{"--replay", "../../examples/news/clicks.jsonl", "--reference", "users=../../examples/news/users.csv", "--rowtime", "--format", "ndjson"}
	spendRun := []string{"--replay", "../../examples/spend/purchases.jsonl", "--rowtime", "--format", "ndjson"}
	tests := []struct {
		args []string
		want []byte
	}{
		{append([]string{"run", "../../examples/news-cloudformation-v2/template.json", "--parameter", "ReferenceBucket=b", "--parameter", "ClicksStreamArn=arn:aws:kinesis:us-east-1:1:stream/c"}, newsRun...), news},
		{append([]string{"run", "../../examples/news-terraform-v2", "--var", "clicks_stream_arn=c", "--var", "reference_bucket=b"}, newsRun...), news},
		{append([]string{"run", "../../examples/news-describe-v2/describe.json"}, newsRun...), news},
		{append([]string{"run", "../../examples/spend-cloudformation/template.yaml", "--parameter", "Environment=dev"}, spendRun...), spend},
		{append([]string{"run", "../../examples/spend-terraform/main.tf", "--resource", "aws_kinesis_stream.purchases=arn:aws:kinesis:us-east-1:1:stream/p"}, spendRun...), spend},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(tt.args...)
		if code != 0 || out != string(tt.want) {
			t.Errorf("%v: exit %d stderr %q\n%s", tt.args, code, errOut, out)
		}
	}
}

func TestFormatErrorsExitTwo(t *testing.T) {
	tests := []struct {
		args     []string
		inStderr string
	}{
		{[]string{"check", "../../app/testdata/tf-multi"}, "choose one with --app NAME"},
		{[]string{"check", "../../examples/news-terraform-v2/main.tf"}, "main.tf:112:26: var.clicks_stream_arn has no value"},
		{[]string{"check", "../../examples/news-cloudformation-v2/template.json"}, "template.json:"},
		{[]string{"check", "../../examples/spend-describe/describe.json", "--parameter", "novalue"}, `--parameter "novalue": want KEY=VALUE`},
		{[]string{"convert", "../../examples/spend/app.yaml"}, "--to FILE is required"},
		{[]string{"discover", "../../examples/spend/purchases.jsonl", "--header", "--no-header"}, "contradict"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.inStderr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 with %q", tt.args, code, errOut, tt.inStderr)
		}
	}
	code, out, _ := runCLI("check", "../../examples/spend-describe/describe.json")
	if code != 0 || !strings.Contains(out, "note: accepted and ignored (meaningful on AWS only): ApplicationDetail.ApplicationARN") {
		t.Errorf("check of an export: exit %d\n%s", code, out)
	}
}

// convert writes a native file that runs to the same output.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	want, _ := os.ReadFile("../../examples/spend/expected.ndjson")
	for i, src := range []string{"../../examples/spend-cloudformation/template.yaml", "../../examples/spend-terraform/main.tf", "../../examples/spend-describe/describe.json"} {
		out := filepath.Join(dir, fmt.Sprintf("app%d.yaml", i))
		args := []string{"convert", src, "--to", out}
		if i == 2 {
			args = append(args, "--code-file", filepath.Join(dir, "spend.sql"))
		}
		code, stdout, errOut := runCLI(args...)
		if code != 0 || !strings.Contains(stdout, "wrote "+out) {
			t.Fatalf("%v: exit %d %q %q", args, code, stdout, errOut)
		}
		b, _ := os.ReadFile(out)
		switch i {
		case 0:
			if !strings.Contains(string(b), "ApplicationCode: |") {
				t.Errorf("inline code expected:\n%s", b)
			}
		case 1:
			if !strings.Contains(string(b), "ApplicationCodeFile: ") || !strings.Contains(string(b), "spend-terraform/spend.sql") {
				t.Errorf("the .tf's file() should stay a file:\n%s", b)
			}
		case 2:
			if !strings.Contains(string(b), "ApplicationCodeFile: spend.sql") {
				t.Errorf("--code-file:\n%s", b)
			}
		}
		code, got, errOut := runCLI("run", out, "--replay", "../../examples/spend/purchases.jsonl", "--rowtime", "--format", "ndjson")
		if code != 0 || got != string(want) {
			t.Errorf("%s converted from %s: exit %d %q\n%s", out, src, code, errOut, got)
		}
	}
	code, stdout, _ := runCLI("convert", "../../examples/news-describe-v2/describe.json", "--to", "-")
	if code != 0 || !strings.HasPrefix(stdout, "# A KDA SQL application") || !strings.Contains(stdout, `RecordRowDelimiter: "\n"`) {
		t.Errorf("convert --to -: exit %d\n%s", code, stdout)
	}
}

// discover's Inputs block, pasted into an application, reads the very
// records it was inferred from without errors.
func TestDiscoverThenRun(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec.jsonl")
	var buf bytes.Buffer
	w := input.NewWriter(&buf)
	for i := 0; i < 20; i++ {
		payload, _ := json.Marshal(map[string]any{
			"ticker": []string{"AMZN", "QXZ"}[i%2], "price": 10.5 + float64(i), "qty": i, "at": fmt.Sprintf("2026-01-05 10:00:%02d", i),
			"device": map[string]any{"os": "ios"}, "user": fmt.Sprintf("u%d", i), "x y": true,
		})
		w.Write(input.Record{Data: payload, Arrival: 1767607200000 + int64(i)*1000, PartitionKey: "p"})
	}
	w.Flush()
	os.WriteFile(rec, buf.Bytes(), 0o644)
	code, yml, errOut := runCLI("discover", rec)
	if code != 0 || !strings.Contains(errOut, "discovered 7 columns (JSON) from 20 records") {
		t.Fatalf("discover: exit %d %q\n%s", code, errOut, yml)
	}
	for _, want := range []string{"Name: COL_user", "Mapping: $.device.os", "SqlType: TIMESTAMP", "SqlType: REAL", "SqlType: TINYINT", "Mapping: $['x y']", "Name: COL_xy"} {
		if !strings.Contains(yml, want) {
			t.Errorf("Inputs lack %q:\n%s", want, yml)
		}
	}
	appFile := filepath.Join(dir, "app.yaml")
	app := "ApplicationName: discovered\nApplicationCode: |\n" +
		"  CREATE OR REPLACE STREAM \"OUT\" (\"ticker\" VARCHAR(4), \"price\" REAL, \"qty\" TINYINT, \"at\" TIMESTAMP, \"os\" VARCHAR(4), \"user\" VARCHAR(4), \"xy\" BOOLEAN);\n" +
		"  CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"OUT\" SELECT STREAM \"ticker\", \"price\", \"qty\", \"COL_at\", \"os\", \"COL_user\", \"COL_xy\" FROM \"SOURCE_SQL_STREAM_001\";\n" +
		yml + "Outputs:\n  - {Name: OUT, DestinationSchema: {RecordFormatType: JSON}}\n"
	os.WriteFile(appFile, []byte(app), 0o644)
	code, out, errOut := runCLI("run", appFile, "--replay", rec, "--format", "ndjson", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 20 || errOut != "" {
		t.Fatalf("run: exit %d stderr %q\n%s", code, errOut, out)
	}
	if !strings.Contains(out, `"at":"2026-01-05 10:00:19.000"`) || !strings.Contains(out, `"xy":true`) {
		t.Errorf("values:\n%s", out)
	}
	code, js, _ := runCLI("discover", "../../examples/news/users.csv", "--output", "json")
	if code != 0 || !strings.Contains(js, `"ParsedInputRecords"`) || !strings.Contains(js, `"RecordRowDelimiter": "\n"`) {
		t.Errorf("discover --output json: exit %d\n%s", code, js)
	}
}

// discover reads a sample piped on stdin, e.g. from aws kinesis get-records.
func TestDiscoverFromStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	go func() {
		w.WriteString(`{"Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": 1767607200.5, "Data": "YSwxCg==", "PartitionKey": "p"},` +
			`{"SequenceNumber": "2", "ApproximateArrivalTimestamp": 1767607201.5, "Data": "YiwyCg==", "PartitionKey": "p"}], "NextShardIterator": "x"}`)
		w.Close()
	}()
	code, out, errOut := runCLI("discover", "-")
	if code != 0 || !strings.Contains(errOut, "from 2 records in -") || !strings.Contains(out, "Name: COL2\n          SqlType: INTEGER") {
		t.Errorf("exit %d %q\n%s", code, errOut, out)
	}
}

// One malformed JSON line does not turn the sample into CSV: it is skipped
// and counted; the printed Inputs block loads as --schema unchanged.
func TestDiscoverSkipsBadJSONAndFeedsSchema(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"data.ndjson": `{"Block":"B1","Amount":1.5,"Customer":"c1"}
{"Block":"B2","Amount":2.5,"Customer":"c2"}
{"Block":"B3", this is not json
{"Block":"B4","Amount":4.5,"Customer":"c4"}
`,
		"app.sql": `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("Block" VARCHAR(8), "Amount" REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "Block", "Amount" FROM "SOURCE_SQL_STREAM_001";
`})
	code, yml, errOut := runCLI("discover", filepath.Join(dir, "data.ndjson"))
	if code != 0 || !strings.Contains(errOut, "discovered 3 columns (JSON)") || !strings.Contains(errOut, "skipped 1 record(s) that are not valid JSON; the first: record 3:") {
		t.Fatalf("exit %d %s\n%s", code, errOut, yml)
	}
	schema := filepath.Join(dir, "inputs.yaml")
	os.WriteFile(schema, []byte(yml), 0o644)
	code, out, errOut := runCLI("check", filepath.Join(dir, "app.sql"), "--schema", schema)
	if code != 0 || !strings.Contains(out, "ok: ") {
		t.Fatalf("check --schema (discover's output): exit %d\n%s%s\n%s", code, out, errOut, yml)
	}
	code, out, errOut = runCLI("run", filepath.Join(dir, "app.sql"), "--schema", schema, "--replay", filepath.Join(dir, "data.ndjson"), "--rate", "10", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Fatalf("run --schema: exit %d\n%s%s", code, out, errOut)
	}
}
