package app

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A root module that calls local modules two levels deep: inputs and
// outputs are followed, optional object attributes get their defaults,
// the SQL is a templatefile with %{ for } directives beside the module
// that renders it, ARNs come from for_each resources and splats.
func TestTerraformModules(t *testing.T) {
	a, w := mustLoad(t, "../examples/spend-terraform-modules", LoadOptions{})
	in := a.Inputs[0]
	checks := map[string][2]string{
		"input through two modules": {a.ApplicationName, "spend-per-block-prod"},
		"format()":                  {a.ApplicationDescription, "Total purchase amount per block every 15 seconds"},
		"optional default":          {in.NamePrefix, "SOURCE_SQL_STREAM"},
		"coalesce over optional":    {in.InputSchema.RecordColumns[0].Mapping, "$.Block"},
		"jsondecode(file())":        {in.InputSchema.RecordColumns[2].Mapping + " " + in.InputSchema.RecordColumns[1].SqlType, "$.Customer DECIMAL(8,2)"},
		"module output of for_each": {in.KinesisStreamsInput.ResourceARN, "module.streams.aws_kinesis_stream.this"},
		"resource in root":          {in.KinesisStreamsInput.RoleARN, "aws_iam_role.analytics.arn"},
		"dynamic outputs":           {a.Outputs[0].Name + " " + a.Outputs[0].KinesisStreamsOutput.ResourceARN, "DESTINATION_SQL_STREAM module.streams.aws_kinesis_stream.this"},
		"templatefile %{ for }":     {strings.Join(strings.Fields(strings.SplitN(a.ApplicationCode, "\n", 4)[2]), " "), `"Block" VARCHAR(8),`},
		"template interpolation":    {strings.SplitN(a.ApplicationCode, "\n", 2)[0], `-- Spend per block: total purchase amount per "Block" every 15 seconds.`},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
	if len(a.Outputs) != 1 || len(in.InputSchema.RecordColumns) != 3 {
		t.Errorf("outputs %d, columns %d", len(a.Outputs), len(in.InputSchema.RecordColumns))
	}
	if !strings.Contains(a.ApplicationCode, `"WindowStart" TIMESTAMP);`) {
		t.Errorf("last column of the template loop:\n%s", a.ApplicationCode)
	}
	if !strings.HasSuffix(a.CodePath, "(ApplicationCode)") || a.CodeLine != 1 {
		t.Errorf("rendered template: positions count from the code (%s:%d)", a.CodePath, a.CodeLine)
	}
	for _, x := range w {
		if strings.Contains(x, "unknown") {
			t.Errorf("warning: %s", x)
		}
	}
	if !strings.Contains(strings.Join(a.Ignored, " "), "module.spend.module.app.aws_kinesis_analytics_application.this.tags") {
		t.Errorf("ignored: %v", a.Ignored)
	}
	// -var reaches the nested module; --app takes the nested address.
	a, _ = mustLoad(t, "../examples/spend-terraform-modules", LoadOptions{Vars: map[string]string{"environment": "dev", "window_seconds": "60"},
		App:       "module.spend.module.app.aws_kinesis_analytics_application.this",
		Resources: map[string]string{"module.streams.aws_kinesis_stream.this": "arn:aws:kinesis:us-east-1:1:stream/x", "aws_iam_role.analytics.arn": "arn:role"}})
	if a.ApplicationName != "spend-per-block-dev" || !strings.Contains(a.ApplicationCode, "INTERVAL '60' SECOND") || a.Inputs[0].KinesisStreamsInput.RoleARN != "arn:role" {
		t.Errorf("-var: %s %q %s", a.ApplicationName, a.ApplicationCode, a.Inputs[0].KinesisStreamsInput.RoleARN)
	}
}

// file() reads relative paths from the root module's folder, as in
// Terraform; "${path.module}/..." is the module's own folder; the SQL read
// through a local keeps its file and line for messages.
func TestTerraformModulePaths(t *testing.T) {
	a, _ := mustLoad(t, "testdata/tf-paths", LoadOptions{})
	if want := filepath.Join("testdata", "tf-paths", "modules", "app", "sql", "app.sql"); a.CodePath != want || a.CodeLine != 1 {
		t.Errorf("code at %s:%d, want %s:1", a.CodePath, a.CodeLine, want)
	}
	if a.ApplicationDescription != "modules/app true" {
		t.Errorf("path.module and fileexists from the root: %q", a.ApplicationDescription)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "m"), 0o755)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("module \"m\" {\n  source = \"./m\"\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m", "app.sql"), []byte("CREATE STREAM \"S\" (X INTEGER);\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m", "main.tf"), []byte("resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = file(\"app.sql\")\n}\n"), 0o644)
	_, _, err := LoadWith(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `m/main.tf:3`) || !strings.Contains(err.Error(), `"${path.module}/app.sql"`) {
		t.Errorf("a module's file() without path.module: %v", err)
	}
}

// Resources streamsql does not model, reached through count, for_each,
// splats and for expressions, are unknown values: accepted in ARNs and
// names (read as their addresses), refused by name in the SQL and schema.
func TestTerraformUnknownValues(t *testing.T) {
	a, _ := mustLoad(t, "testdata/tf-splat", LoadOptions{})
	in := a.Inputs[0]
	checks := map[string][2]string{
		"for_each resource in a for":  {in.KinesisStreamsInput.ResourceARN, "aws_kinesis_stream.s"},
		"one() of a splat":            {in.KinesisStreamsInput.RoleARN, "aws_iam_role.kda"},
		"data source in a name":       {a.ApplicationName, "data.aws_caller_identity.me.account_id"},
		"range() and format()":        {in.InputSchema.RecordColumns[2].Name + " " + in.InputSchema.RecordColumns[2].Mapping, "C2 $.c2"},
		"dynamic over a set":          {a.Outputs[0].Name + " " + a.Outputs[0].KinesisStreamsOutput.RoleARN, "DESTINATION_SQL_STREAM aws_iam_role.kda"},
		"%{ for } in a heredoc":       {strings.SplitN(a.ApplicationCode, "\n", 2)[0], `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (C0 VARCHAR(8), C1 INTEGER, C2 INTEGER);`},
		"splat over a local in a sql": {strings.Split(a.ApplicationCode, "\n")[2], `SELECT STREAM C0, C1, C2 FROM "SOURCE_SQL_STREAM_001";`},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
	a, _ = mustLoad(t, "testdata/tf-splat", LoadOptions{Resources: map[string]string{"data.aws_caller_identity.me.account_id": "123"}})
	if a.ApplicationName != "splat-123" {
		t.Errorf("--resource for a data source: %s", a.ApplicationName)
	}

	app := func(code, columns string) string {
		return "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = " + code + "\n  inputs {\n    name_prefix = \"S\"\n    schema {\n" + columns +
			"\n      record_format {\n        mapping_parameters {\n          json {\n            record_row_path = \"$\"\n          }\n        }\n      }\n    }\n  }\n}\n"
	}
	col := "      record_columns {\n        name = \"X\"\n        sql_type = \"INTEGER\"\n        mapping = \"$.x\"\n      }"
	tests := []struct{ name, src, want string }{
		{"code", app(`"CREATE STREAM \"${aws_s3_bucket.b.bucket}\" (X INTEGER);"`, col),
			"main.tf:3: aws_kinesis_analytics_application.a.code depends on aws_s3_bucket.b.bucket, known only after apply (streamsql does not model it); give it with --resource aws_s3_bucket.b.bucket=VALUE"},
		{"sql_type", app(`"x"`, strings.Replace(col, `"INTEGER"`, "data.external.t.result", 1)),
			"schema.record_columns[0].sql_type depends on data.external.t.result"},
		{"dynamic", app(`"x"`, "      dynamic \"record_columns\" {\n        for_each = aws_glue_catalog_table.t[*].columns\n        content {\n          name = \"X\"\n        }\n      }"),
			`main.tf:8: dynamic "record_columns": for_each depends on aws_glue_catalog_table.t, known only after apply`},
		{"registry module output", "module \"sql\" {\n  source = \"git::https://example.com/sql.git\"\n}\n" + app("module.sql.text", col), "code depends on module.sql.text"},
		{"impure function", app(`"-- ${timestamp()}"`, col), "code depends on timestamp(), known only after apply (streamsql does not model it)\n"},
		{"through a local and a for", "locals {\n  names = [for t in aws_glue_catalog_table.all : t.name]\n}\n" + app(`join(",", local.names)`, col),
			"code depends on aws_glue_catalog_table.all, known only after apply"},
		{"through a module input", "module \"m\" {\n  source = \"./m\"\n  cols = aws_glue_catalog_table.t.columns\n}\n", "m/main.tf:4: module.m.aws_kinesis_analytics_application.a.code depends on aws_glue_catalog_table.t.columns"},
		{"cycle of locals", "locals {\n  a = local.b\n  b = \"${local.a}x\"\n}\n" + app("local.a", col), "main.tf:2:3: local.a refers to itself (a cycle)"},
		{"module count 0", "module \"m\" {\n  source = \"./m\"\n  count = 0\n  cols = \"x\"\n}\n", "module.m: no instance (count 0 or empty for_each)"},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), tt.name)
		os.MkdirAll(filepath.Join(dir, "m"), 0o755)
		os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tt.src), 0o644)
		os.WriteFile(filepath.Join(dir, "m", "main.tf"), []byte("variable \"cols\" {}\n"+app(`join(",", var.cols)`, col)), 0o644)
		_, _, err := LoadWith(dir, LoadOptions{})
		if err == nil || !strings.Contains(err.Error()+"\n", tt.want) {
			t.Errorf("%s: error\n  %v\nlacks %q", tt.name, err, tt.want)
		}
	}
}

// Every function of Terraform's language is there (all but type(), which
// only `terraform console` has), and the ones Terraform defines on its own
// behave as its documentation says.
func TestTerraformFunctions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cols.tftpl"), []byte("%{ for c in cols ~}\n${c},\n%{ endfor ~}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("hello"), 0o644)
	funcs := tfFunctions(dir)
	all := `abs abspath alltrue anytrue base64decode base64encode base64gzip base64sha256 base64sha512 basename bcrypt can ceil chomp
		chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat contains csvdecode dirname distinct
		element endswith ephemeralasnull file filebase64 filebase64sha256 filebase64sha512 fileexists filemd5 fileset filesha1 filesha256
		filesha512 flatten floor format formatdate formatlist indent index issensitive join jsondecode jsonencode keys length log lookup
		lower matchkeys max md5 merge min nonsensitive one parseint pathexpand plantimestamp pow range regex regexall replace reverse
		rsadecrypt sensitive setintersection setproduct setsubtract setunion sha1 sha256 sha512 signum slice sort split startswith
		strcontains strrev substr sum templatefile templatestring textdecodebase64 textencodebase64 timeadd timecmp timestamp title
		tobool tolist tomap tonumber toset tostring transpose trim trimprefix trimspace trimsuffix try upper urlencode uuid uuidv5
		values yamldecode yamlencode zipmap`
	for _, f := range strings.Fields(all) {
		if _, ok := funcs[f]; !ok {
			t.Errorf("%s() is missing", f)
		}
	}
	tests := map[string]string{
		`range(3)`:        `[0, 1, 2]`,
		`range(1, 10, 4)`: `[1, 5, 9]`,
		`templatefile("cols.tftpl", {cols = ["a", "b"]})`:         `"a,\nb,\n"`,
		`jsonencode({a = [1, "x"]})`:                              `"{\"a\":[1,\"x\"]}"`,
		`yamlencode({a = 1})`:                                     `"\"a\": 1\n"`,
		`replace("a-b-c", "/-([a-z])/", "_$1")`:                   `"a_b_c"`,
		`replace("a.b", ".", "_")`:                                `"a_b"`,
		`lookup({a = 1}, "a")`:                                    `1`,
		`lookup({a = 1}, "b", 2)`:                                 `2`,
		`length("héllo")`:                                         `5`,
		`length([1, 2])`:                                          `2`,
		`one([])`:                                                 `null`,
		`sum([1, 2.5])`:                                           `3.5`,
		`alltrue([true, true])`:                                   `true`,
		`anytrue([false])`:                                        `false`,
		`startswith("SOURCE_SQL", "SOURCE")`:                      `true`,
		`strcontains("abc", "d")`:                                 `false`,
		`matchkeys(["a", "b"], [1, 2], [2])`:                      `["b"]`,
		`transpose({a = ["x", "y"], b = ["x"]})`:                  `{"x": ["a", "b"], "y": ["a"]}`,
		`base64sha256("hello")`:                                   `"LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="`,
		`filemd5("x.txt")`:                                        `"5d41402abc4b2a76b9719d911017c592"`,
		`file("x.txt")`:                                           `"hello"`,
		`cidrsubnet("10.0.0.0/16", 8, 2)`:                         `"10.0.2.0/24"`,
		`try(tonumber("x"), 7)`:                                   `7`,
		`can(tonumber("x"))`:                                      `false`,
		`timecmp("2024-01-01T00:00:00Z", "2023-01-01T00:00:00Z")`: `1`,
		`textdecodebase64(textencodebase64("hé", "UTF-16LE"), "UTF-16LE")`: `"hé"`,
		`templatestring("$${x}!", {x = "hi"})`:                             `"hi!"`,
		`formatdate("YYYY", "2024-05-01T00:00:00Z")`:                       `"2024"`,
		`sensitive("s")`:                      `"s"`,
		`upper(join(",", toset(["b", "a"])))`: `"A,B"`,
	}
	for src, want := range tests {
		e, diags := hclsyntax.ParseExpression([]byte(src), "t.tf", hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		v, diags := e.Value(&hcl.EvalContext{Functions: funcs})
		if diags.HasErrors() {
			t.Errorf("%s: %v", src, diags)
			continue
		}
		if got := ctyGo(v); got != want {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
	// Impure functions have no value before apply.
	for _, src := range []string{`timestamp()`, `uuid()`, `bcrypt("x")`} {
		e, _ := hclsyntax.ParseExpression([]byte(src), "t.tf", hcl.Pos{Line: 1, Column: 1})
		if v, _ := e.Value(&hcl.EvalContext{Functions: funcs}); v.IsKnown() {
			t.Errorf("%s is known: %#v", src, v)
		}
	}
}

// ctyGo prints a value compactly for comparisons.
func ctyGo(v cty.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case v.Type() == cty.String:
		return `"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`).Replace(v.AsString()) + `"`
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('g', -1)
	case v.Type() == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case v.Type().IsMapType() || v.Type().IsObjectType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			parts = append(parts, `"`+k.AsString()+`": `+ctyGo(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case v.CanIterateElements():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, ctyGo(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.GoString()
}

// Dynamic blocks in Terraform's JSON syntax expand as in HCL:
// testdata/tf-splat-json is testdata/tf-splat written as .tf.json (one
// dynamic block with its default iterator, one naming its iterator), and
// maps to the same application; a for_each known only after apply, and a
// missing for_each or content, are the same errors.
func TestTerraformJSONDynamicBlocks(t *testing.T) {
	want, _ := mustLoad(t, "testdata/tf-splat", LoadOptions{})
	got, w := mustLoad(t, "testdata/tf-splat-json/main.tf.json", LoadOptions{})
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(got.Outputs) != 1 || len(got.Inputs) != 1 || len(got.Inputs[0].InputSchema.RecordColumns) != 3 {
		t.Fatalf("outputs %+v inputs %+v", got.Outputs, got.Inputs)
	}
	if !reflect.DeepEqual(got.Inputs, want.Inputs) || !reflect.DeepEqual(got.Outputs, want.Outputs) ||
		got.ApplicationName != want.ApplicationName || got.ApplicationCode != want.ApplicationCode {
		t.Errorf("JSON:\n%s %q\n%+v\n%+v\nHCL:\n%s %q\n%+v\n%+v", got.ApplicationName, got.ApplicationCode, got.Inputs, got.Outputs,
			want.ApplicationName, want.ApplicationCode, want.Inputs, want.Outputs)
	}
	app := func(dynamic string) string {
		return `{"resource": {"aws_kinesis_analytics_application": {"a": {"name": "a", "code": "x",
  "inputs": {"name_prefix": "S", "schema": {
    "dynamic": {"record_columns": ` + dynamic + `},
    "record_format": {"mapping_parameters": {"json": {"record_row_path": "$"}}}}}}}}}`
	}
	for _, tt := range []struct{ name, dynamic, want string }{
		{"unknown for_each", `{"for_each": "${aws_glue_catalog_table.t[*].columns}", "content": {"name": "X"}}`,
			`main.tf.json:3: dynamic "record_columns": for_each depends on aws_glue_catalog_table.t, known only after apply`},
		{"no for_each", `{"content": {"name": "X"}}`, `main.tf.json:3: dynamic "record_columns": for_each missing`},
		{"no content", `[{"for_each": [1]}]`, `main.tf.json:3: dynamic "record_columns": content block missing`},
	} {
		p := filepath.Join(t.TempDir(), "main.tf.json")
		os.WriteFile(p, []byte(app(tt.dynamic)), 0o644)
		if _, _, err := LoadWith(p, LoadOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error\n  %v\nlacks %q", tt.name, err, tt.want)
		}
	}
}
