package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/plan"
	"github.com/streamsql/streamsql/value"
)

// ConfigError is a problem in the application file, named by its field path.
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Msg }

// Detail is the same as Error; it marks the error as the user's to fix (exit 2).
func (e *ConfigError) Detail() string { return e.Error() }

// loaded is an application parsed and planned.
type loaded struct {
	app      *app.Application
	graph    *plan.Graph
	bind     plan.Bindings // what Start binds to the plan: tables, outputs
	inputs   []inputInfo
	tables   map[string]decode.Schema
	planErrs error
}

// inputInfo is one application input: its streams and record schema.
type inputInfo struct {
	prefix  string
	streams []string // NamePrefix_001 ...
	schema  decode.Schema
}

// code returns the SQL text, its file name for messages, and the line it
// starts on.
func code(a *app.Application) (src, name string, line int, err error) {
	src, name, line = a.ApplicationCode, a.CodePath, a.CodeLine
	if src == "" && a.ApplicationCodeFile != "" {
		path := a.ApplicationCodeFile
		if !filepath.IsAbs(path) && a.Dir != "" {
			path = filepath.Join(a.Dir, path)
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return "", "", 0, &ConfigError{Field: "ApplicationCodeFile", Msg: rerr.Error()}
		}
		src, name, line = string(b), path, 1
	}
	if name == "" {
		name = "ApplicationCode"
	}
	if line < 1 {
		line = 1
	}
	return src, name, line, nil
}

// schema converts an application SourceSchema to a decoder schema.
func schema(field string, s app.SourceSchema) (decode.Schema, []plan.Column, error) {
	var out decode.Schema
	f := s.RecordFormat
	out.Format.Type = strings.ToUpper(f.RecordFormatType)
	if out.Format.Type != "JSON" && out.Format.Type != "CSV" {
		return out, nil, &ConfigError{Field: field + ".RecordFormat.RecordFormatType", Msg: fmt.Sprintf("%q is not JSON or CSV", f.RecordFormatType)}
	}
	out.Format.RecordRowPath = "$"
	if mp := f.MappingParameters; mp != nil {
		if j := mp.JSONMappingParameters; j != nil && j.RecordRowPath != "" {
			out.Format.RecordRowPath = j.RecordRowPath
		}
		if c := mp.CSVMappingParameters; c != nil {
			out.Format.RowDelimiter = c.RecordRowDelimiter
			out.Format.ColumnDelimiter = c.RecordColumnDelimiter
		}
	}
	if out.Format.Type == "CSV" {
		if out.Format.RowDelimiter == "" {
			out.Format.RowDelimiter = "\n"
		}
		if out.Format.ColumnDelimiter == "" {
			out.Format.ColumnDelimiter = ","
		}
	}
	var cols []plan.Column
	for i, c := range s.RecordColumns {
		cf := fmt.Sprintf("%s.RecordColumns[%d]", field, i)
		if c.Name == "" {
			return out, nil, &ConfigError{Field: cf + ".Name", Msg: "missing"}
		}
		tn, err := parser.ParseType(c.SqlType)
		if err != nil {
			return out, nil, &ConfigError{Field: cf + ".SqlType", Msg: fmt.Sprintf("%q is not a SQL type (%v); valid types: %s", c.SqlType, err, parser.TypeNames)}
		}
		t, err := value.ColumnType(tn.Name, tn.Args)
		if err != nil {
			return out, nil, &ConfigError{Field: cf + ".SqlType", Msg: fmt.Sprintf("%q: %v", c.SqlType, err)}
		}
		out.Columns = append(out.Columns, decode.Column{Name: c.Name, Type: t, Mapping: c.Mapping})
		cols = append(cols, plan.Column{Name: c.Name, Type: t})
	}
	return out, cols, nil
}

// load parses and plans an application. A SQL error is returned as the
// parser.ErrorList; a configuration error as *ConfigError.
func load(a *app.Application) (*loaded, error) {
	src, name, line, err := code(a)
	if err != nil {
		return nil, err
	}
	// Line numbers count from the top of the file holding the SQL.
	script, perr := parser.ParseScriptAt(name, src, line)
	if perr != nil {
		return nil, perr
	}
	cat := plan.NewCatalog()
	l := &loaded{app: a, tables: map[string]decode.Schema{}}
	for i, in := range a.Inputs {
		field := fmt.Sprintf("Inputs[%d]", i)
		if in.NamePrefix == "" {
			return nil, &ConfigError{Field: field + ".NamePrefix", Msg: "missing"}
		}
		s, cols, err := schema(field+".InputSchema", in.InputSchema)
		if err != nil {
			return nil, err
		}
		for _, m := range decode.MetaColumns {
			cols = append(cols, plan.Column{Name: m.Name, Type: m.Type, Hidden: true})
		}
		info := inputInfo{prefix: in.NamePrefix, schema: s}
		for k := 1; k <= in.Parallelism(); k++ {
			sn := fmt.Sprintf("%s_%03d", in.NamePrefix, k)
			if err := cat.AddSource(sn, i, cols); err != nil {
				return nil, &ConfigError{Field: field + ".NamePrefix", Msg: err.Error()}
			}
			info.streams = append(info.streams, sn)
		}
		l.inputs = append(l.inputs, info)
	}
	for i, r := range a.ReferenceDataSources {
		field := fmt.Sprintf("ReferenceDataSources[%d]", i)
		if r.TableName == "" {
			return nil, &ConfigError{Field: field + ".TableName", Msg: "missing"}
		}
		s, cols, err := schema(field+".ReferenceSchema", r.ReferenceSchema)
		if err != nil {
			return nil, err
		}
		if err := cat.AddTable(r.TableName, cols); err != nil {
			return nil, &ConfigError{Field: field + ".TableName", Msg: err.Error()}
		}
		l.tables[r.TableName] = s
	}
	g, err := plan.Plan(script, cat)
	if err != nil {
		return nil, err
	}
	l.graph = g
	return l, nil
}

// Validate runs every check that run makes before it reads data and that
// depends on the application alone: SQL, features that cannot run yet,
// Outputs naming streams, input and reference schemas. check calls it and
// Start calls the same code, so check never says ok to what run refuses.
// The warnings are legal constructs that often hide a mistake; the notes
// say how the graph splits across instances (plan.Split.Report).
func Validate(a *app.Application) (warnings, notes []string, err error) {
	l, err := load(a)
	if err != nil {
		return nil, nil, err
	}
	if _, err = validate(l); err != nil {
		return nil, nil, err
	}
	for _, e := range l.graph.Warnings {
		warnings = append(warnings, e.Error())
	}
	return warnings, l.graph.Split().Report(), nil
}

// validate checks a loaded application and returns its input decoders.
func validate(l *loaded) ([]*decode.Decoder, error) {
	g := l.graph
	if len(g.Unimplemented) > 0 {
		return nil, plan.NotImplemented(g.Unimplemented)
	}
	for i, out := range l.app.Outputs {
		if out.Name == "error_stream" {
			continue
		}
		if _, err := g.LookupStream(out.Name); err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("Outputs[%d].Name", i), Msg: err.Error()}
		}
	}
	decoders := make([]*decode.Decoder, len(l.inputs))
	for i, in := range l.inputs {
		d, err := decode.New(in.schema)
		if err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("Inputs[%d].InputSchema", i), Msg: err.Error()}
		}
		decoders[i] = d
	}
	for i, r := range l.app.ReferenceDataSources {
		if _, err := decode.New(l.tables[r.TableName]); err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("ReferenceDataSources[%d].ReferenceSchema", i), Msg: err.Error()}
		}
	}
	return decoders, nil
}

// Explain describes the operator graph of an application.
func Explain(a *app.Application) (string, error) {
	l, err := load(a)
	if err != nil {
		return "", err
	}
	return l.graph.Explain(), nil
}
