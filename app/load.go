package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads an application file in any format it recognises (see
// LoadWith) with no options.
func Load(path string) (*Application, []string, error) {
	return LoadWith(path, LoadOptions{})
}

// loadNative reads the native format from a parsed document.
func loadNative(path string, b []byte, root *yaml.Node) (*Application, []string, error) {
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' {
		var probe any
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, nil, fmt.Errorf("%s: %s", path, jsonError(b, err))
		}
	}
	var doc *yaml.Node
	if len(root.Content) > 0 {
		doc = root.Content[0]
	}
	n := &native{file: path, dir: filepath.Dir(path), root: doc, format: FormatNative}
	if doc != nil {
		n.codeLine = scalarCodeLine(get(doc, "ApplicationCode"))
	}
	return n.finish()
}

// jsonError adds line:column to a JSON syntax error.
func jsonError(b []byte, err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		line, col := 1, 1
		// Offset counts the offending byte; report the column it stands in.
		for _, c := range b[:max(se.Offset-1, 0)] {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return fmt.Sprintf("%d:%d: %v", line, col, err)
	}
	return err.Error()
}

// ignored are AWS-only fields accepted without a warning.
var ignored = map[string]bool{"CloudWatchLoggingOptions": true, "Tags": true, "ApplicationARN": true,
	"ApplicationVersionId": true, "ApplicationStatus": true, "CreateTimestamp": true, "LastUpdateTimestamp": true}

// knownKeys lists the keys allowed at a path (indexes stripped), or nil
// where anything goes.
func knownKeys(path string) map[string]bool {
	p := path
	for {
		i := strings.Index(p, "[")
		if i < 0 {
			break
		}
		j := strings.Index(p[i:], "]")
		p = p[:i] + p[i+j+1:]
	}
	keys, ok := schemaKeys[p]
	if !ok {
		return nil
	}
	m := map[string]bool{}
	for _, k := range strings.Fields(keys) {
		m[k] = true
	}
	return m
}

const (
	resourceKeys = "ResourceARN RoleARN"
	sourceSchema = "RecordFormat RecordEncoding RecordColumns"
)

var schemaKeys = map[string]string{
	"":                                "ApplicationName ApplicationDescription ApplicationCode ApplicationCodeFile Inputs Outputs ReferenceDataSources",
	"Inputs":                          "NamePrefix KinesisStreamsInput KinesisFirehoseInput InputParallelism InputProcessingConfiguration InputSchema InputStartingPositionConfiguration",
	"Inputs.KinesisStreamsInput":      resourceKeys,
	"Inputs.KinesisFirehoseInput":     resourceKeys,
	"Inputs.InputParallelism":         "Count",
	"Inputs.InputSchema":              sourceSchema,
	"Inputs.InputSchema.RecordFormat": "RecordFormatType MappingParameters",
	"Inputs.InputSchema.RecordFormat.MappingParameters":                   "JSONMappingParameters CSVMappingParameters",
	"Inputs.InputSchema.RecordColumns":                                    "Name Mapping SqlType",
	"Inputs.InputStartingPositionConfiguration":                           "InputStartingPosition",
	"ReferenceDataSources":                                                "TableName S3ReferenceDataSource ReferenceSchema",
	"ReferenceDataSources.S3ReferenceDataSource":                          "BucketARN FileKey ReferenceRoleARN",
	"ReferenceDataSources.ReferenceSchema":                                sourceSchema,
	"ReferenceDataSources.ReferenceSchema.RecordFormat":                   "RecordFormatType MappingParameters",
	"ReferenceDataSources.ReferenceSchema.RecordFormat.MappingParameters": "JSONMappingParameters CSVMappingParameters",
	"ReferenceDataSources.ReferenceSchema.RecordColumns":                  "Name Mapping SqlType IsDropped",
	"Outputs":                       "Name DestinationSchema KinesisStreamsOutput KinesisFirehoseOutput LambdaOutput",
	"Outputs.DestinationSchema":     "RecordFormatType",
	"Outputs.KinesisStreamsOutput":  resourceKeys,
	"Outputs.KinesisFirehoseOutput": resourceKeys,
	"Outputs.LambdaOutput":          resourceKeys,
}

// Validate checks the rules of the KDA API, naming the field at fault.
func (a *Application) Validate() error {
	switch {
	case a.ApplicationCode == "" && a.ApplicationCodeFile == "":
		return fmt.Errorf("ApplicationCode: missing (give ApplicationCode or ApplicationCodeFile)")
	case a.ApplicationCode != "" && a.ApplicationCodeFile != "":
		return fmt.Errorf("ApplicationCodeFile: give ApplicationCode or ApplicationCodeFile, not both")
	case len(a.Inputs) > 1:
		return fmt.Errorf("Inputs: KDA allows one streaming source, got %d", len(a.Inputs))
	case len(a.Outputs) > 3:
		return fmt.Errorf("Outputs: KDA allows at most 3 destinations, got %d", len(a.Outputs))
	case len(a.ReferenceDataSources) > 1:
		return fmt.Errorf("ReferenceDataSources: KDA allows one reference data source, got %d", len(a.ReferenceDataSources))
	}
	for i, in := range a.Inputs {
		f := fmt.Sprintf("Inputs[%d]", i)
		if in.NamePrefix == "" {
			return fmt.Errorf("%s.NamePrefix: missing", f)
		}
		if in.InputParallelism != nil && (in.InputParallelism.Count < 1 || in.InputParallelism.Count > 64) {
			return fmt.Errorf("%s.InputParallelism.Count: %d is outside 1..64", f, in.InputParallelism.Count)
		}
		if err := in.InputSchema.validate(f + ".InputSchema"); err != nil {
			return err
		}
	}
	for i, r := range a.ReferenceDataSources {
		f := fmt.Sprintf("ReferenceDataSources[%d]", i)
		if r.TableName == "" {
			return fmt.Errorf("%s.TableName: missing", f)
		}
		if err := r.ReferenceSchema.validate(f + ".ReferenceSchema"); err != nil {
			return err
		}
	}
	for i, o := range a.Outputs {
		f := fmt.Sprintf("Outputs[%d]", i)
		if o.Name == "" {
			return fmt.Errorf("%s.Name: missing", f)
		}
		if t := strings.ToUpper(o.DestinationSchema.RecordFormatType); t != "JSON" && t != "CSV" {
			return fmt.Errorf("%s.DestinationSchema.RecordFormatType: %q is not JSON or CSV", f, o.DestinationSchema.RecordFormatType)
		}
	}
	return nil
}

func (s SourceSchema) validate(f string) error {
	t := strings.ToUpper(s.RecordFormat.RecordFormatType)
	if t != "JSON" && t != "CSV" {
		return fmt.Errorf("%s.RecordFormat.RecordFormatType: %q is not JSON or CSV", f, s.RecordFormat.RecordFormatType)
	}
	if n := len(s.RecordColumns); n == 0 || n > 1000 {
		return fmt.Errorf("%s.RecordColumns: KDA needs 1 to 1000 columns, got %d", f, n)
	}
	for i, c := range s.RecordColumns {
		if c.Name == "" {
			return fmt.Errorf("%s.RecordColumns[%d].Name: missing", f, i)
		}
		if c.SqlType == "" {
			return fmt.Errorf("%s.RecordColumns[%d].SqlType: missing", f, i)
		}
		if t == "JSON" && c.Mapping == "" {
			return fmt.Errorf("%s.RecordColumns[%d].Mapping: a JSON column needs a JSONPath mapping such as $.%s", f, i, c.Name)
		}
	}
	return nil
}

// FromSQL makes an application from a bare .sql file and an optional
// input-schema file, YAML or JSON: an InputSchema object, an Input (with
// its InputSchema), or an Inputs block of one input as discover prints it.
func FromSQL(sqlPath, schemaPath string) (*Application, error) {
	code, err := os.ReadFile(sqlPath)
	if err != nil {
		return nil, err
	}
	a := &Application{ApplicationName: strings.TrimSuffix(filepath.Base(sqlPath), filepath.Ext(sqlPath)),
		ApplicationCode: string(code), CodePath: sqlPath, CodeLine: 1, Dir: filepath.Dir(sqlPath)}
	if schemaPath == "" {
		return a, nil
	}
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected an InputSchema (RecordFormat, RecordColumns) or an Inputs block", schemaPath)
	}
	doc := root.Content[0]
	n := &native{file: schemaPath, root: doc}
	// prefix is where the file's root sits in the application, so errors
	// naming application fields find their line in this file.
	prefix := ""
	in := Input{NamePrefix: "SOURCE_SQL_STREAM"}
	switch {
	case get(doc, "Inputs") != nil:
		var d struct {
			Inputs []Input `yaml:"Inputs"`
		}
		if err := doc.Decode(&d); err != nil {
			return nil, fmt.Errorf("%s: %w", schemaPath, err)
		}
		if len(d.Inputs) != 1 {
			return nil, fmt.Errorf("%s: Inputs: KDA allows one streaming source, got %d", schemaPath, len(d.Inputs))
		}
		in = d.Inputs[0]
	case get(doc, "InputSchema") != nil:
		prefix = "Inputs[0]."
		if err := doc.Decode(&in); err != nil {
			return nil, fmt.Errorf("%s: %w", schemaPath, err)
		}
	default:
		prefix = "Inputs[0].InputSchema."
		if err := doc.Decode(&in.InputSchema); err != nil {
			return nil, fmt.Errorf("%s: %w", schemaPath, err)
		}
	}
	if in.NamePrefix == "" {
		in.NamePrefix = "SOURCE_SQL_STREAM"
	}
	a.FieldError = func(err error) error {
		field, rest, ok := strings.Cut(err.Error(), ": ")
		if !ok || !strings.HasPrefix(field, prefix) {
			return fmt.Errorf("%s: %w", schemaPath, err)
		}
		return n.fieldError(fmt.Errorf("%s: %s", strings.TrimPrefix(field, prefix), rest))
	}
	if err := in.InputSchema.validate("Inputs[0].InputSchema"); err != nil {
		return nil, a.FieldError(err)
	}
	a.Inputs = []Input{in}
	return a, nil
}
