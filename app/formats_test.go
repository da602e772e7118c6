package app

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// shape is what must agree between two definitions of one application;
// ARNs and roles may differ (they mean nothing locally).
type shape struct {
	Code       string
	Prefixes   []string
	Parallel   []int
	Inputs     []SourceSchema
	Outputs    []string
	References []string
	RefSchemas []SourceSchema
}

func shapeOf(a *Application) shape {
	s := shape{Code: strings.TrimRight(a.ApplicationCode, "\n")}
	for _, in := range a.Inputs {
		s.Prefixes = append(s.Prefixes, in.NamePrefix)
		s.Parallel = append(s.Parallel, in.Parallelism())
		s.Inputs = append(s.Inputs, in.InputSchema)
	}
	for _, o := range a.Outputs {
		s.Outputs = append(s.Outputs, o.Name+":"+o.DestinationSchema.RecordFormatType)
	}
	for _, r := range a.ReferenceDataSources {
		s.References = append(s.References, r.TableName+":"+filepath.Base(r.S3ReferenceDataSource.FileKey))
		s.RefSchemas = append(s.RefSchemas, r.ReferenceSchema)
	}
	return s
}

func mustLoad(t *testing.T, path string, o LoadOptions) (*Application, []string) {
	t.Helper()
	a, w, err := LoadWith(path, o)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a, w
}

// Every example definition in another format maps to the same application
// as the native file it was written from.
func TestFormatsMapToTheNativeApplication(t *testing.T) {
	tests := []struct {
		native, other, format string
		o                     LoadOptions
	}{
		{"spend/app.yaml", "spend-cloudformation/template.yaml", FormatCloudFormation, LoadOptions{}},
		{"spend/app.yaml", "spend-terraform/main.tf", FormatTerraform, LoadOptions{}},
		{"spend/app.yaml", "spend-terraform", FormatTerraform, LoadOptions{}},
		{"spend/app.yaml", "spend-describe/describe.json", FormatDescribe, LoadOptions{}},
		{"spend/app.yaml", "spend-cdktf/cdk.tf.json", FormatTerraform, LoadOptions{}},
		{"spend/app.yaml", "spend-cdktf", FormatTerraform, LoadOptions{}},
		{"news/app.yaml", "news-cloudformation-v2/template.json", FormatCloudFormation,
			LoadOptions{Parameters: map[string]string{"ReferenceBucket": "b", "ClicksStreamArn": "arn"}}},
		{"news/app.yaml", "news-terraform-v2/main.tf", FormatTerraform,
			LoadOptions{VarFiles: []string{"../examples/news-terraform-v2/prod.tfvars"}}},
		{"news/app.yaml", "news-describe-v2/describe.json", FormatDescribeV2, LoadOptions{}},
	}
	for _, tt := range tests {
		want, _ := mustLoad(t, filepath.Join("..", "examples", tt.native), LoadOptions{})
		got, _ := mustLoad(t, filepath.Join("..", "examples", tt.other), tt.o)
		if got.Format != tt.format {
			t.Errorf("%s: format %q, want %q", tt.other, got.Format, tt.format)
		}
		if !reflect.DeepEqual(shapeOf(got), shapeOf(want)) {
			t.Errorf("%s differs from %s:\n got %+v\nwant %+v", tt.other, tt.native, shapeOf(got), shapeOf(want))
		}
	}
}

func TestCloudFormationIntrinsics(t *testing.T) {
	o := LoadOptions{App: "Tickers", Parameters: map[string]string{"RefKey": "companies.csv"}}
	a, w := mustLoad(t, "testdata/cfn-features.yaml", o)
	in := a.Inputs[0]
	cols := in.InputSchema.RecordColumns
	checks := map[string][2]string{
		"name":         {a.ApplicationName, "tickers-dev"},
		"role (Sub)":   {in.KinesisStreamsInput.RoleARN, "arn:aws:iam::123456789012:role/kda-dev"},
		"GetAtt":       {in.KinesisStreamsInput.ResourceARN, "Source.Arn"},
		"Select Ref":   {cols[0].Name, "ticker_symbol"},
		"Sub ${!x}":    {cols[0].Mapping, "$.${Literal}"},
		"FindInMap":    {cols[0].SqlType, "VARCHAR(4)"},
		"Split":        {cols[1].Name, "sector"},
		"If And Not":   {cols[1].SqlType, "VARCHAR(16)"},
		"Sub vars":     {in.InputProcessingConfiguration.InputLambdaProcessor.ResourceARN, "arn:aws:lambda:us-east-1:123456789012:function:enrich"},
		"ref FileKey":  {a.ReferenceDataSources[0].S3ReferenceDataSource.FileKey, "companies.csv"},
		"ImportValue":  {a.ReferenceDataSources[0].S3ReferenceDataSource.BucketARN, "shared-reference-bucket"},
		"Join of code": {a.ApplicationCode, "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker VARCHAR(4), price DOUBLE);\nCREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\nSELECT STREAM \"ticker_symbol\", \"price\" FROM \"SOURCE_SQL_STREAM_001\";"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
	if a.CodeLine != 30 || a.CodePath != "testdata/cfn-features.yaml" {
		t.Errorf("code at %s:%d, want line 30 of the template (one Join element per line)", a.CodePath, a.CodeLine)
	}
	all := strings.Join(w, "\n")
	for _, want := range []string{
		"cfn-features.yaml:67: Fn::ImportValue shared-reference-bucket",
		"Resources.Tickers.Properties.Inputs[0].InputSchema.RecordColumns[1].Colour: unknown field (line 58)",
		"not honoured yet",
		"Resources.Tickers.Properties.Inputs[0].InputProcessingConfiguration (Inputs[0].InputProcessingConfiguration) (line 38): the Lambda preprocessor is not run",
		"RecordColumns[1].IsDropped (ReferenceDataSources[0].ReferenceSchema.RecordColumns[1].IsDropped) (line 77)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if strings.Count(all, "not honoured yet") != 1 {
		t.Errorf("want one not-honoured warning:\n%s", all)
	}

	// Other values of the parameters, a pseudo parameter and a resource.
	o.Parameters = map[string]string{"RefKey": "k", "Stage": "prod", "AWS::Region": "eu-west-1"}
	o.Resources = map[string]string{"Source.Arn": "arn:aws:kinesis:eu-west-1:1:stream/s"}
	a, _ = mustLoad(t, "testdata/cfn-features.yaml", o)
	in = a.Inputs[0]
	if in.InputProcessingConfiguration != nil {
		t.Errorf("Ref AWS::NoValue kept InputProcessingConfiguration: %+v", in.InputProcessingConfiguration)
	}
	if got := in.InputSchema.RecordColumns[0].SqlType; got != "VARCHAR(8)" {
		t.Errorf("FindInMap prod: %s", got)
	}
	if got := in.InputSchema.RecordColumns[1].SqlType; got != "VARCHAR(1)" {
		t.Errorf("If false branch: %s", got)
	}
	if in.KinesisStreamsInput.ResourceARN != "arn:aws:kinesis:eu-west-1:1:stream/s" || a.ApplicationName != "tickers-prod" {
		t.Errorf("--resource/--parameter not applied: %+v %s", in.KinesisStreamsInput, a.ApplicationName)
	}

	// The other application gets its output, matched by name.
	a, _ = mustLoad(t, "testdata/cfn-features.yaml", LoadOptions{App: "other", Parameters: map[string]string{"RefKey": "k"}})
	if len(a.Outputs) != 1 || a.Outputs[0].LambdaOutput == nil || a.Outputs[0].LambdaOutput.ResourceARN != "Fn.Arn" || len(a.ReferenceDataSources) != 0 {
		t.Errorf("other: outputs %+v references %+v", a.Outputs, a.ReferenceDataSources)
	}
}

func TestLoadErrorsNameFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	cfnApp := func(schema string) string {
		return "Resources:\n  App:\n    Type: AWS::KinesisAnalytics::Application\n    Properties:\n      ApplicationCode: x\n      Inputs:\n        - NamePrefix: S\n          InputSchema:\n" + schema
	}
	tests := []struct {
		name, src string
		o         LoadOptions
		want      []string
	}{
		{"several.yaml", "Resources:\n  A: {Type: AWS::KinesisAnalytics::Application, Properties: {ApplicationCode: x}}\n  B: {Type: AWS::KinesisAnalytics::Application, Properties: {ApplicationName: bee, ApplicationCode: x}}\n", LoadOptions{},
			[]string{"several.yaml: the template defines 2 applications; choose one with --app NAME", "A (ApplicationName A, line 2)", "B (ApplicationName bee, line 3)"}},
		{"noapp.yaml", "Resources:\n  A: {Type: AWS::KinesisAnalytics::Application, Properties: {ApplicationCode: x}}\n", LoadOptions{App: "Z"},
			[]string{"noapp.yaml: --app Z: no such application"}},
		{"xml.yaml", cfnApp("            RecordFormat: {RecordFormatType: XML}\n            RecordColumns: [{Name: A, SqlType: INT}]\n"), LoadOptions{},
			[]string{`xml.yaml:9: Inputs[0].InputSchema.RecordFormat.RecordFormatType: "XML" is not JSON or CSV (in Resources.App.Properties.Inputs[0].InputSchema.RecordFormat.RecordFormatType)`}},
		{"nocols.yaml", cfnApp("            RecordFormat: {RecordFormatType: CSV}\n            RecordColumns: []\n"), LoadOptions{},
			[]string{"nocols.yaml:10: Inputs[0].InputSchema.RecordColumns: KDA needs 1 to 1000 columns, got 0"}},
		{"badref.yaml", "Resources:\n  A:\n    Type: AWS::KinesisAnalytics::Application\n    Properties:\n      ApplicationCode: !Ref Nope\n", LoadOptions{},
			[]string{"badref.yaml:5: Ref Nope: no parameter or resource of that name"}},
		{"noparam.yaml", "Parameters:\n  P: {Type: String}\nResources:\n  A:\n    Type: AWS::KinesisAnalytics::Application\n    Properties:\n      ApplicationCode: !Ref P\n", LoadOptions{},
			[]string{"noparam.yaml:7: Ref P: the parameter has no Default; give --parameter P=VALUE"}},
		{"extraparam.yaml", "Resources:\n  A: {Type: AWS::KinesisAnalytics::Application, Properties: {ApplicationCode: x}}\n", LoadOptions{Parameters: map[string]string{"Q": "1"}},
			[]string{"extraparam.yaml: --parameter Q: the template has no such parameter"}},
		{"allowed.yaml", "Parameters:\n  Stage: {Type: String, AllowedValues: [dev, prod], Default: dev}\nResources:\n  A: {Type: AWS::KinesisAnalytics::Application, Properties: {ApplicationCode: x}}\n", LoadOptions{Parameters: map[string]string{"Stage": "qa"}},
			[]string{"allowed.yaml:2: --parameter Stage=qa: Parameters.Stage.AllowedValues are dev, prod"}},
		{"getazs.yaml", "Resources:\n  A:\n    Type: AWS::KinesisAnalytics::Application\n    Properties:\n      ApplicationCode: !GetAZs us-east-1\n", LoadOptions{},
			[]string{"getazs.yaml:5: Fn::GetAZs is not supported here"}},
		{"flink.yaml", "Resources:\n  F:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties: {RuntimeEnvironment: FLINK-1_15}\n", LoadOptions{},
			[]string{"flink.yaml: no AWS::KinesisAnalytics::Application or AWS::KinesisAnalyticsV2::Application (RuntimeEnvironment SQL-1_0) resource", "not SQL: F (AWS::KinesisAnalyticsV2::Application FLINK-1_15)"}},
		{"zip.yaml", "Resources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: SQL-1_0\n      ApplicationConfiguration:\n        ApplicationCodeConfiguration:\n          CodeContentType: ZIPFILE\n", LoadOptions{},
			[]string{`zip.yaml:8: Resources.A.Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContentType: "ZIPFILE": a SQL application's code is PLAINTEXT`}},
		{"s3code.yaml", "Resources:\n  A:\n    Type: AWS::KinesisAnalyticsV2::Application\n    Properties:\n      RuntimeEnvironment: SQL-1_0\n      ApplicationConfiguration:\n        ApplicationCodeConfiguration:\n          CodeContent:\n            S3ContentLocation: {BucketARN: b, FileKey: code/app.sql}\n", LoadOptions{},
			[]string{"s3code.yaml:9: Resources.A.Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.S3ContentLocation: the code is in S3 (code/app.sql); save it as"}},
		{"broken.yaml", "Resources:\n  A: [\n", LoadOptions{}, []string{"broken.yaml: yaml: line"}},
		{"broken.json", "{\"ApplicationDetail\": {\n  \"ApplicationName\": }}", LoadOptions{}, []string{"broken.json:2:22: invalid character"}},
		{"flink-describe.json", `{"ApplicationDetail": {"ApplicationName": "f", "RuntimeEnvironment": "FLINK-1_15", "ApplicationConfigurationDescription": {}}}`, LoadOptions{},
			[]string{`flink-describe.json:1: ApplicationDetail.RuntimeEnvironment: "FLINK-1_15" is not a SQL application`}},
		{"desc-missing.json", "{\"ApplicationDetail\": {\n \"ApplicationName\": \"x\",\n \"ApplicationCode\": \"x\",\n \"InputDescriptions\": [{\n  \"InputSchema\": {\"RecordFormat\": {\"RecordFormatType\": \"CSV\"}, \"RecordColumns\": [{\"Name\": \"A\", \"SqlType\": \"INT\"}]}}]}}", LoadOptions{},
			[]string{"desc-missing.json:4: Inputs[0].NamePrefix: missing (in ApplicationDetail.InputDescriptions[0])"}},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, []byte(tt.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadWith(p, tt.o)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error\n  %v\nlacks %q", tt.name, err, want)
			}
		}
	}
}

func TestTerraformV1(t *testing.T) {
	a, w := mustLoad(t, "testdata/tf-v1/main.tf", LoadOptions{})
	in := a.Inputs[0]
	checks := map[string][2]string{
		"locals, tfvars":   {a.ApplicationName, "tickers-test"},
		"prefix":           {in.NamePrefix, "SOURCE_SQL_STREAM"},
		"default width":    {in.InputSchema.RecordColumns[0].SqlType, "VARCHAR(4)"},
		"function":         {in.InputSchema.RecordColumns[1].SqlType, "DOUBLE"},
		"derived format":   {in.InputSchema.RecordFormat.RecordFormatType, "JSON"},
		"derived CSV":      {a.ReferenceDataSources[0].ReferenceSchema.RecordFormat.RecordFormatType, "CSV"},
		"row delimiter":    {a.ReferenceDataSources[0].ReferenceSchema.RecordFormat.MappingParameters.CSVMappingParameters.RecordRowDelimiter, "\n"},
		"resource ref":     {in.KinesisFirehoseInput.ResourceARN, "aws_kinesis_firehose_delivery_stream.in.arn"},
		"data ref":         {in.KinesisFirehoseInput.RoleARN, "data.aws_iam_role.kda.arn"},
		"s3 role":          {a.ReferenceDataSources[0].S3ReferenceDataSource.ReferenceRoleARN, "r"},
		"output":           {a.Outputs[0].Name + " " + a.Outputs[0].DestinationSchema.RecordFormatType + " " + a.Outputs[0].LambdaOutput.ResourceARN, "DESTINATION_SQL_STREAM CSV arn:aws:lambda:us-east-1:123456789012:function:out"},
		"starting":         {in.InputStartingPositionConfiguration.InputStartingPosition, "LAST_STOPPED_POINT"},
		"heredoc template": {strings.SplitN(a.ApplicationCode, "\n", 2)[0], `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);`},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
	if a.CodeLine != 20 || a.CodePath != "testdata/tf-v1/main.tf" {
		t.Errorf("heredoc code at %s:%d, want main.tf:20", a.CodePath, a.CodeLine)
	}
	all := strings.Join(w, "\n")
	for _, want := range []string{
		"aws_kinesis_analytics_application.tickers.frobnicate: unknown argument (line 100), ignored",
		"aws_kinesis_analytics_application.tickers.inputs[0].processing_configuration (Inputs[0].InputProcessingConfiguration) (line 33)",
		"LAST_STOPPED_POINT is not applied",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	// --var-file over terraform.tfvars, -var over --var-file; --resource.
	a, _ = mustLoad(t, "testdata/tf-v1/main.tf", LoadOptions{VarFiles: []string{"testdata/tf-v1/wide.tfvars"}})
	if got := a.Inputs[0].InputSchema.RecordColumns[0].SqlType; got != "VARCHAR(8)" {
		t.Errorf("--var-file: %s", got)
	}
	a, _ = mustLoad(t, "testdata/tf-v1/main.tf", LoadOptions{VarFiles: []string{"testdata/tf-v1/wide.tfvars"},
		Vars: map[string]string{"width": "16", "stage": "prod"}, Resources: map[string]string{"aws_kinesis_firehose_delivery_stream.in": "arn:fh"}})
	if got := a.Inputs[0].InputSchema.RecordColumns[0].SqlType; got != "VARCHAR(16)" || a.ApplicationName != "tickers-prod" {
		t.Errorf("-var: %s %s", got, a.ApplicationName)
	}
	if got := a.Inputs[0].KinesisFirehoseInput.ResourceARN; got != "arn:fh" {
		t.Errorf("--resource: %s", got)
	}
}

func TestTerraformComplexVar(t *testing.T) {
	a, _ := mustLoad(t, "../examples/news-terraform-v2", LoadOptions{VarFiles: []string{"../examples/news-terraform-v2/prod.tfvars"},
		Vars: map[string]string{"user_columns": `[{name = "ID", type = "VARCHAR(4)"}]`}})
	cols := a.ReferenceDataSources[0].ReferenceSchema.RecordColumns
	if len(cols) != 1 || cols[0].Name != "ID" || cols[0].SqlType != "VARCHAR(4)" {
		t.Errorf("-var of a list of objects: %+v", cols)
	}
}

func TestTerraformChoosesAndRefuses(t *testing.T) {
	if _, _, err := LoadWith("testdata/tf-multi", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "2 applications are defined; choose one with --app NAME") || strings.Contains(err.Error(), "flink (") {
		t.Errorf("several apps: %v", err)
	}
	a, _ := mustLoad(t, "testdata/tf-multi/apps.tf", LoadOptions{App: "app-b"})
	if a.ApplicationCode != `CREATE STREAM "B" (X INTEGER);` || a.CodeLine != 8 {
		t.Errorf("--app app-b: %q at line %d", a.ApplicationCode, a.CodeLine)
	}
	a, _ = mustLoad(t, "testdata/tf-multi/apps.tf", LoadOptions{App: "aws_kinesis_analytics_application.a"})
	if a.ApplicationName != "app-a" {
		t.Errorf("--app by address: %s", a.ApplicationName)
	}

	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		file, src string
		o         LoadOptions
		want      string
	}{
		{"syntax/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \n}\n", LoadOptions{}, "syntax/main.tf:3:"},
		{"novalue/main.tf", "variable \"stage\" {}\nresource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a-${var.stage}\"\n  code = \"x\"\n}\n", LoadOptions{},
			"novalue/main.tf:3:15: var.stage has no value: give -var stage=VALUE or a --var-file"},
		{"undeclared/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = var.nope\n  code = \"x\"\n}\n", LoadOptions{},
			`undeclared/main.tf:2:10: var.nope: no variable "nope" is declared`},
		{"extravar/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \"x\"\n}\n", LoadOptions{Vars: map[string]string{"x": "1"}},
			`-var x: no variable "x" is declared`},
		{"flink/main.tf", "resource \"aws_kinesisanalyticsv2_application\" \"f\" {\n  name = \"f\"\n  runtime_environment = \"FLINK-1_15\"\n}\n", LoadOptions{},
			`not SQL: aws_kinesisanalyticsv2_application.f (FLINK-1_15)`},
		{"zip/main.tf", "resource \"aws_kinesisanalyticsv2_application\" \"z\" {\n  name = \"z\"\n  runtime_environment = \"SQL-1_0\"\n  application_configuration {\n    application_code_configuration {\n      code_content_type = \"ZIPFILE\"\n    }\n  }\n}\n", LoadOptions{},
			`zip/main.tf:6: aws_kinesisanalyticsv2_application.z: code_content_type "ZIPFILE"`},
		{"dyn/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \"x\"\n  dynamic \"inputs\" {\n    for_each = [1]\n  }\n}\n", LoadOptions{},
			`dyn/main.tf:4: dynamic "inputs": content block missing`},
		{"twice/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \"x\"\n  inputs {\n    name_prefix = \"S\"\n    parallelism { count = 1 }\n    parallelism { count = 2 }\n  }\n}\n", LoadOptions{},
			`twice/main.tf:7: aws_kinesis_analytics_application.a.inputs[0].parallelism: only one "parallelism" block is allowed`},
		{"localref/main.tf", "locals {\n  arn = aws_kinesis_stream.in.arn\n}\nresource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \"x\"\n  inputs {\n    name_prefix = \"S\"\n    kinesis_stream {\n      resource_arn = local.arn\n      role_arn = \"r\"\n    }\n  }\n}\n", LoadOptions{},
			"localref/main.tf:7: Inputs[0].InputSchema.RecordFormat.RecordFormatType: \"\" is not JSON or CSV"},
		{"badschema/main.tf", "resource \"aws_kinesis_analytics_application\" \"a\" {\n  name = \"a\"\n  code = \"x\"\n  inputs {\n    name_prefix = \"S\"\n    schema {\n      record_columns {\n        name = \"A\"\n        sql_type = \"INTEGER\"\n      }\n      record_format {\n        record_format_type = \"JSON\"\n      }\n    }\n  }\n}\n", LoadOptions{},
			"badschema/main.tf:7: Inputs[0].InputSchema.RecordColumns[0].Mapping: a JSON column needs a JSONPath mapping such as $.A (in aws_kinesis_analytics_application.a.inputs[0].schema.record_columns[0])"},
	}
	for _, tt := range tests {
		p := write(tt.file, tt.src)
		_, _, err := LoadWith(p, tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error\n  %v\nwant %q", tt.file, err, tt.want)
		}
	}
}

func TestDescribeAndCreateV2(t *testing.T) {
	a, w := mustLoad(t, "testdata/describe-v1-parallel.json", LoadOptions{})
	in := a.Inputs[0]
	if in.Parallelism() != 3 || in.KinesisFirehoseInput == nil || in.InputSchema.RecordFormat.MappingParameters.CSVMappingParameters.RecordColumnDelimiter != "|" {
		t.Errorf("input %+v", in)
	}
	if a.CodeLine != 21 || a.ApplicationCode != `CREATE STREAM "OUT" (A INTEGER);` {
		t.Errorf("code %q at line %d", a.ApplicationCode, a.CodeLine)
	}
	if len(w) != 1 || !strings.Contains(w[0], "NOW is not applied") {
		t.Errorf("warnings %v", w)
	}
	if !reflect.DeepEqual(a.Ignored, []string{"ApplicationDetail.ApplicationARN", "ApplicationDetail.ApplicationStatus", "ApplicationDetail.ApplicationVersionId", "ApplicationDetail.InputDescriptions[0].InputId"}) {
		t.Errorf("ignored %v", a.Ignored)
	}

	a, w = mustLoad(t, "testdata/create-v2.json", LoadOptions{})
	if a.Format != FormatCreateV2 || a.Inputs[0].Parallelism() != 2 || a.Outputs[0].LambdaOutput == nil || a.ApplicationName != "from-create" || len(w) != 0 {
		t.Errorf("create-v2: %+v %v", a, w)
	}
	if !strings.Contains(strings.Join(a.Ignored, " "), "ApplicationConfiguration.FlinkApplicationConfiguration") {
		t.Errorf("ignored %v", a.Ignored)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, p := range []string{"../examples/news-describe-v2/describe.json", "testdata/cfn-features.yaml"} {
		a, _ := mustLoad(t, p, LoadOptions{App: "Tickers", Parameters: map[string]string{"RefKey": "k"}})
		for _, asJSON := range []bool{false, true} {
			b, err := Marshal(a, asJSON)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "app.yaml")
			if asJSON {
				out = filepath.Join(t.TempDir(), "app.json")
			}
			os.WriteFile(out, b, 0o644)
			back, w, err := Load(out)
			if err != nil || strings.Contains(strings.Join(w, "\n"), "unknown field") {
				t.Fatalf("%s: %v %v\n%s", p, err, w, b)
			}
			if !reflect.DeepEqual(shapeOf(back), shapeOf(a)) {
				t.Errorf("%s: round trip differs:\n%+v\n%+v", p, shapeOf(back), shapeOf(a))
			}
			if !asJSON && !strings.Contains(string(b), "ApplicationCode: |") {
				t.Errorf("code not written as a block:\n%s", b)
			}
		}
	}
}

// SQL in a JSON string with \n escapes does not sit on the file's lines:
// positions are given within the SQL text.
func TestCodeLineOfEscapedJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.json")
	os.WriteFile(p, []byte("{\n \"ApplicationName\": \"x\",\n \"ApplicationCode\": \"CREATE STREAM \\\"S\\\" (A INTEGER);\\nCREATE PUMP P AS INSERT INTO \\\"S\\\" SELECT STREAM 1 FROM \\\"S\\\";\"\n}\n"), 0o644)
	a, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if a.CodePath != p+" (ApplicationCode)" || a.CodeLine != 1 {
		t.Errorf("code at %s:%d", a.CodePath, a.CodeLine)
	}
	os.WriteFile(p, []byte("{\n \"ApplicationName\": \"x\",\n \"ApplicationCode\": \"CREATE STREAM \\\"S\\\" (A INTEGER);\"\n}\n"), 0o644)
	if a, _, _ = Load(p); a.CodePath != p || a.CodeLine != 3 {
		t.Errorf("one-line code at %s:%d", a.CodePath, a.CodeLine)
	}
}

func TestTerraformJSONSyntax(t *testing.T) {
	a, w := mustLoad(t, "../examples/spend-cdktf/cdk.tf.json", LoadOptions{Vars: map[string]string{"environment": "dev"},
		Resources: map[string]string{"aws_kinesis_stream.purchases.arn": "arn:p"}})
	if a.ApplicationName != "spend-per-block-dev" || a.Inputs[0].KinesisStreamsInput.ResourceARN != "arn:p" ||
		a.Inputs[0].InputSchema.RecordFormat.RecordFormatType != "JSON" || a.CodeLine != 1 || filepath.Base(a.CodePath) != "app.sql" {
		t.Errorf("%s %+v %s:%d", a.ApplicationName, a.Inputs[0].KinesisStreamsInput, a.CodePath, a.CodeLine)
	}
	if len(w) != 0 || !reflect.DeepEqual(a.Ignored, []string{"aws_kinesis_analytics_application.spend.tags"}) {
		t.Errorf("warnings %v ignored %v", w, a.Ignored)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "main.tf.json")
	os.WriteFile(p, []byte(`{"variable": {"x": {}}, "resource": {"aws_kinesis_analytics_application": {
  "a": {"name": "a", "code": "x", "colour": "red"},
  "b": {"name": "${var.x}", "code": "y"}}}}`), 0o644)
	if _, _, err := LoadWith(p, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "2 applications are defined; choose one with --app NAME") {
		t.Errorf("several: %v", err)
	}
	if _, _, err := LoadWith(p, LoadOptions{App: "b"}); err == nil || !strings.Contains(err.Error(), "var.x has no value") {
		t.Errorf("no value: %v", err)
	}
	_, w, err := LoadWith(p, LoadOptions{App: "a"})
	if err != nil || len(w) != 1 || !strings.Contains(w[0], "aws_kinesis_analytics_application.a.colour: unknown argument (line 2)") {
		t.Errorf("unknown argument: %v %v", err, w)
	}
}
