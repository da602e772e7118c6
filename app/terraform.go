package app

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	"gopkg.in/yaml.v3"
)

const (
	tfApp   = "aws_kinesis_analytics_application"
	tfAppV2 = "aws_kinesisanalyticsv2_application"
)

// tfField maps one Terraform argument or block to the native shape.
type tfField struct {
	native  string    // native key; "" with block set: merge into the parent
	block   *tfSchema // a nested block
	list    bool      // a repeatable block: a sequence of mappings
	ignored bool      // accepted, meaningful on AWS only
}

type tfSchema map[string]tfField

func attr(native string) tfField            { return tfField{native: native} }
func blk(native string, s tfSchema) tfField { return tfField{native: native, block: &s} }
func blocks(native string, s tfSchema) tfField {
	return tfField{native: native, block: &s, list: true}
}

var tfIgnored = tfField{ignored: true}

func tfResourceRef(role string) tfSchema {
	s := tfSchema{"resource_arn": attr("ResourceARN")}
	if role != "" {
		s["role_arn"] = attr(role)
	}
	return s
}

// tfSourceSchema is the source-schema block of either provider resource.
func tfSourceSchema(columns, json, csv string) tfSchema {
	return tfSchema{
		columns:           blocks("RecordColumns", tfSchema{"name": attr("Name"), "sql_type": attr("SqlType"), "mapping": attr("Mapping")}),
		"record_encoding": attr("RecordEncoding"),
		"record_format": blk("RecordFormat", tfSchema{
			"record_format_type": attr("RecordFormatType"),
			"mapping_parameters": blk("MappingParameters", tfSchema{
				json: blk("JSONMappingParameters", tfSchema{"record_row_path": attr("RecordRowPath")}),
				csv:  blk("CSVMappingParameters", tfSchema{"record_row_delimiter": attr("RecordRowDelimiter"), "record_column_delimiter": attr("RecordColumnDelimiter")}),
			}),
		}),
	}
}

// tfMeta are Terraform's meta-arguments, accepted on either resource.
var tfMeta = []string{"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection", "timeouts"}

func init() {
	for _, m := range tfMeta {
		tfV1[m] = tfIgnored
		tfV2[m] = tfIgnored
	}
}

// The provider's aws_kinesis_analytics_application arguments.
var tfV1 = tfSchema{
	"name":        attr("ApplicationName"),
	"description": attr("ApplicationDescription"),
	"code":        attr("ApplicationCode"),
	"inputs": blocks("Inputs", tfSchema{
		"name_prefix":      attr("NamePrefix"),
		"kinesis_stream":   blk("KinesisStreamsInput", tfResourceRef("RoleARN")),
		"kinesis_firehose": blk("KinesisFirehoseInput", tfResourceRef("RoleARN")),
		"parallelism":      blk("InputParallelism", tfSchema{"count": attr("Count")}),
		"processing_configuration": blk("InputProcessingConfiguration", tfSchema{
			"lambda": blk("InputLambdaProcessor", tfResourceRef("RoleARN"))}),
		"schema":                          blk("InputSchema", tfSourceSchema("record_columns", "json", "csv")),
		"starting_position_configuration": blk("InputStartingPositionConfiguration", tfSchema{"starting_position": attr("InputStartingPosition")}),
		"id":                              tfIgnored,
		"stream_names":                    tfIgnored,
	}),
	"outputs": blocks("Outputs", tfSchema{
		"name":             attr("Name"),
		"schema":           blk("DestinationSchema", tfSchema{"record_format_type": attr("RecordFormatType")}),
		"kinesis_stream":   blk("KinesisStreamsOutput", tfResourceRef("RoleARN")),
		"kinesis_firehose": blk("KinesisFirehoseOutput", tfResourceRef("RoleARN")),
		"lambda":           blk("LambdaOutput", tfResourceRef("RoleARN")),
		"id":               tfIgnored,
	}),
	"reference_data_sources": blocks("ReferenceDataSources", tfSchema{
		"table_name": attr("TableName"),
		"s3":         blk("S3ReferenceDataSource", tfSchema{"bucket_arn": attr("BucketARN"), "file_key": attr("FileKey"), "role_arn": attr("ReferenceRoleARN")}),
		"schema":     blk("ReferenceSchema", tfSourceSchema("record_columns", "json", "csv")),
		"id":         tfIgnored,
	}),
	"cloudwatch_logging_options": tfIgnored,
	"start_application":          tfIgnored,
	"tags":                       tfIgnored,
	"tags_all":                   tfIgnored,
}

// The provider's aws_kinesisanalyticsv2_application arguments (SQL-1_0).
var tfV2 = tfSchema{
	"name":                       attr("ApplicationName"),
	"description":                attr("ApplicationDescription"),
	"runtime_environment":        tfIgnored, // checked before mapping
	"service_execution_role":     tfIgnored,
	"start_application":          tfIgnored,
	"force_stop":                 tfIgnored,
	"application_mode":           tfIgnored,
	"cloudwatch_logging_options": tfIgnored,
	"tags":                       tfIgnored,
	"tags_all":                   tfIgnored,
	"application_configuration": blk("", tfSchema{
		"application_code_configuration": blk("", tfSchema{
			"code_content": blk("", tfSchema{
				"text_content":        attr("ApplicationCode"),
				"s3_content_location": blk("ApplicationCodeS3", tfSchema{"bucket_arn": tfIgnored, "file_key": attr("FileKey"), "object_version": tfIgnored}),
			}),
			"code_content_type": attr("CodeContentType"),
		}),
		"sql_application_configuration": blk("", tfSchema{
			"input": blocks("Inputs", tfSchema{
				"name_prefix":       attr("NamePrefix"),
				"input_parallelism": blk("InputParallelism", tfSchema{"count": attr("Count")}),
				"input_processing_configuration": blk("InputProcessingConfiguration", tfSchema{
					"input_lambda_processor": blk("InputLambdaProcessor", tfResourceRef(""))}),
				"input_schema":                          blk("InputSchema", tfSourceSchema("record_column", "json_mapping_parameters", "csv_mapping_parameters")),
				"input_starting_position_configuration": blk("InputStartingPositionConfiguration", tfSchema{"input_starting_position": attr("InputStartingPosition")}),
				"kinesis_firehose_input":                blk("KinesisFirehoseInput", tfResourceRef("")),
				"kinesis_streams_input":                 blk("KinesisStreamsInput", tfResourceRef("")),
				"in_app_stream_names":                   tfIgnored,
				"input_id":                              tfIgnored,
			}),
			"output": blocks("Outputs", tfSchema{
				"name":                    attr("Name"),
				"destination_schema":      blk("DestinationSchema", tfSchema{"record_format_type": attr("RecordFormatType")}),
				"kinesis_firehose_output": blk("KinesisFirehoseOutput", tfResourceRef("")),
				"kinesis_streams_output":  blk("KinesisStreamsOutput", tfResourceRef("")),
				"lambda_output":           blk("LambdaOutput", tfResourceRef("")),
				"output_id":               tfIgnored,
			}),
			"reference_data_source": blocks("ReferenceDataSources", tfSchema{
				"table_name":               attr("TableName"),
				"reference_schema":         blk("ReferenceSchema", tfSourceSchema("record_column", "json_mapping_parameters", "csv_mapping_parameters")),
				"s3_reference_data_source": blk("S3ReferenceDataSource", tfSchema{"bucket_arn": attr("BucketARN"), "file_key": attr("FileKey")}),
				"reference_id":             tfIgnored,
			}),
		}),
		"environment_properties":                    tfIgnored,
		"flink_application_configuration":           tfIgnored,
		"application_snapshot_configuration":        tfIgnored,
		"vpc_configuration":                         tfIgnored,
		"run_configuration":                         tfIgnored,
		"application_system_rollback_configuration": tfIgnored,
	}),
}

// tf holds a Terraform module: its files, variables and locals.
type tf struct {
	dir      string
	o        LoadOptions
	files    map[string]*hcl.File
	src      map[string][]byte
	vars     map[string]cty.Value
	declared map[string]bool
	complex  map[string]bool // a variable typed other than string, number or bool
	locals   map[string]cty.Value
	refs     map[string]any // placeholder objects for resource references
	funcs    map[string]function.Function
}

type tfResource struct {
	typ, name string
	file      string
	block     *hclsyntax.Block
}

func (r tfResource) addr() string { return r.typ + "." + r.name }

// loadTerraform maps an aws_kinesis_analytics_application or
// aws_kinesisanalyticsv2_application resource. path is a .tf file (its
// directory's other .tf files supply variables and locals) or a directory.
func loadTerraform(path string, o LoadOptions) (*Application, []string, error) {
	dir, only := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, only = filepath.Dir(path), path
	}
	t := &tf{dir: dir, o: o, files: map[string]*hcl.File{}, src: map[string][]byte{}, vars: map[string]cty.Value{},
		declared: map[string]bool{}, complex: map[string]bool{}, locals: map[string]cty.Value{}, refs: map[string]any{}}
	t.funcs = tfFunctions(dir)
	names, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if only != "" && !contains(names, only) {
		names = append(names, only)
	}
	sort.Strings(names)
	p := hclparse.NewParser()
	var diags hcl.Diagnostics
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		f, d := p.ParseHCL(b, name)
		diags = append(diags, d...)
		t.files[name], t.src[name] = f, b
	}
	if diags.HasErrors() {
		return nil, nil, tfDiagError(diags)
	}
	var apps []tfResource
	for _, name := range names {
		body := t.files[name].Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			switch {
			case b.Type == "variable" && len(b.Labels) == 1:
				t.declared[b.Labels[0]] = true
				if ty, ok := b.Body.Attributes["type"]; ok {
					switch hcl.ExprAsKeyword(ty.Expr) {
					case "string", "number", "bool":
					default:
						t.complex[b.Labels[0]] = true
					}
				}
				if d, ok := b.Body.Attributes["default"]; ok {
					v, diags := d.Expr.Value(nil)
					if diags.HasErrors() {
						return nil, nil, tfDiagError(diags)
					}
					t.vars[b.Labels[0]] = v
				}
			case b.Type == "resource" && len(b.Labels) == 2 && (b.Labels[0] == tfApp || b.Labels[0] == tfAppV2):
				if only == "" || name == only {
					apps = append(apps, tfResource{typ: b.Labels[0], name: b.Labels[1], file: name, block: b})
				}
			}
		}
	}
	if err := t.readVarFiles(); err != nil {
		return nil, nil, err
	}
	// Locals and applications may refer to other resources; those
	// references get their placeholders before anything is evaluated.
	for _, name := range names {
		for _, b := range t.files[name].Body.(*hclsyntax.Body).Blocks {
			if b.Type == "locals" {
				t.collectRefs(b.Body)
			}
		}
	}
	for _, a := range apps {
		t.collectRefs(a.block.Body)
	}
	if err := t.evalLocals(names); err != nil {
		return nil, nil, err
	}
	// Flink applications (aws_kinesisanalyticsv2_application with another
	// runtime) are not candidates.
	var notSQL []string
	sqlApps := apps[:0]
	for _, a := range apps {
		if rt, ok := a.block.Body.Attributes["runtime_environment"]; ok && a.typ == tfAppV2 {
			v, err := t.value(rt.Expr, nil)
			if err != nil {
				return nil, nil, err
			}
			if s := ctyText(v); !strings.HasPrefix(strings.ToUpper(s), "SQL") {
				notSQL = append(notSQL, fmt.Sprintf("%s (%s)", a.addr(), s))
				continue
			}
		}
		sqlApps = append(sqlApps, a)
	}
	apps = sqlApps
	if len(apps) == 0 {
		msg := fmt.Sprintf("%s: no resource %q or %q (runtime_environment SQL-1_0)", path, tfApp, tfAppV2)
		if len(notSQL) > 0 {
			msg += "; not SQL: " + strings.Join(notSQL, ", ")
		}
		return nil, nil, fmt.Errorf("%s", msg)
	}
	app, err := t.pick(path, apps)
	if err != nil {
		return nil, nil, err
	}
	n := &native{file: app.file, dir: dir, format: FormatTerraform, origin: map[*yaml.Node]string{}}
	schema := tfV1
	if app.typ == tfAppV2 {
		schema = tfV2
		if rt, ok := app.block.Body.Attributes["runtime_environment"]; ok {
			v, err := t.value(rt.Expr, nil)
			if err != nil {
				return nil, nil, err
			}
			if s := ctyText(v); !strings.HasPrefix(strings.ToUpper(s), "SQL") {
				return nil, nil, fmt.Errorf("%s:%d: %s.runtime_environment: %q is not a SQL application (streamsql runs SQL-1_0 applications only)", app.file, rt.SrcRange.Start.Line, app.addr(), s)
			}
		}
	}
	root := newMap(app.block.TypeRange.Start.Line)
	if err := t.walk(n, app.block.Body, schema, root, app.addr(), nil); err != nil {
		return nil, nil, err
	}
	if err := t.fixups(n, root, app); err != nil {
		return nil, nil, err
	}
	n.root = root
	return n.finish()
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func tfDiagError(diags hcl.Diagnostics) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		where := ""
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		msgs = append(msgs, where+msg)
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

// readVarFiles applies terraform.tfvars, *.auto.tfvars, --var-file and -var
// in Terraform's order of precedence.
func (t *tf) readVarFiles() error {
	files := []string{}
	if _, err := os.Stat(filepath.Join(t.dir, "terraform.tfvars")); err == nil {
		files = append(files, filepath.Join(t.dir, "terraform.tfvars"))
	}
	auto, _ := filepath.Glob(filepath.Join(t.dir, "*.auto.tfvars"))
	sort.Strings(auto)
	files = append(files, auto...)
	files = append(files, t.o.VarFiles...)
	p := hclparse.NewParser()
	for _, name := range files {
		f, diags := p.ParseHCLFile(name)
		if diags.HasErrors() {
			return tfDiagError(diags)
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			return tfDiagError(diags)
		}
		for k, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return tfDiagError(diags)
			}
			if !t.declared[k] {
				return fmt.Errorf("%s:%d: variable %q is not declared in %s", name, a.Range.Start.Line, k, t.dir)
			}
			t.vars[k] = v
		}
	}
	keys := make([]string, 0, len(t.o.Vars))
	for k := range t.o.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !t.declared[k] {
			return fmt.Errorf("-var %s: no variable %q is declared in %s", k, k, t.dir)
		}
		t.vars[k] = cty.StringVal(t.o.Vars[k])
		// As in Terraform, -var for a list, map or object variable is an
		// expression: -var 'cols=["a","b"]'.
		if t.complex[k] {
			e, diags := hclsyntax.ParseExpression([]byte(t.o.Vars[k]), "-var "+k, hcl.Pos{Line: 1, Column: 1})
			if diags.HasErrors() {
				return fmt.Errorf("-var %s: %v", k, tfDiagError(diags))
			}
			v, diags := e.Value(nil)
			if diags.HasErrors() {
				return fmt.Errorf("-var %s: %v", k, tfDiagError(diags))
			}
			t.vars[k] = v
		}
	}
	return nil
}

// evalLocals evaluates every locals block, in dependency order.
func (t *tf) evalLocals(names []string) error {
	pending := map[string]*hclsyntax.Attribute{}
	for _, name := range names {
		for _, b := range t.files[name].Body.(*hclsyntax.Body).Blocks {
			if b.Type == "locals" {
				for k, a := range b.Body.Attributes {
					pending[k] = a
				}
			}
		}
	}
	for len(pending) > 0 {
		progress := false
		for k, a := range pending {
			ready := true
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() == "local" && len(tr) > 1 {
					if at, ok := tr[1].(hcl.TraverseAttr); ok {
						if _, done := t.locals[at.Name]; !done {
							ready = false
						}
					}
				}
			}
			if !ready {
				continue
			}
			v, err := t.value(a.Expr, nil)
			if err != nil {
				return err
			}
			t.locals[k] = v
			delete(pending, k)
			progress = true
		}
		if !progress {
			var left []string
			for k, a := range pending {
				left = append(left, fmt.Sprintf("local.%s (%s:%d)", k, a.SrcRange.Filename, a.SrcRange.Start.Line))
			}
			sort.Strings(left)
			return fmt.Errorf("locals refer to each other in a cycle or to undefined locals: %s", strings.Join(left, ", "))
		}
	}
	return nil
}

// pick chooses the application: the only one, or the one --app names (by
// resource name, address or application name).
func (t *tf) pick(path string, apps []tfResource) (tfResource, error) {
	var names []string
	for _, a := range apps {
		name := ""
		if at, ok := a.block.Body.Attributes["name"]; ok {
			if v, err := t.value(at.Expr, nil); err == nil {
				name = ctyText(v)
			}
		}
		if t.o.App != "" && (t.o.App == a.name || t.o.App == a.addr() || t.o.App == name) {
			return a, nil
		}
		names = append(names, fmt.Sprintf("%s (name %q, %s:%d)", a.addr(), name, a.file, a.block.TypeRange.Start.Line))
	}
	if t.o.App != "" {
		return tfResource{}, fmt.Errorf("%s: --app %s: no such application; found %s", path, t.o.App, strings.Join(names, ", "))
	}
	if len(apps) > 1 {
		return tfResource{}, fmt.Errorf("%s: %d applications are defined; choose one with --app NAME: %s", path, len(apps), strings.Join(names, ", "))
	}
	return apps[0], nil
}

// collectRefs makes placeholder values for references to other resources
// and data sources (aws_kinesis_stream.clicks.arn): --resource gives one a
// value; otherwise it reads as its own address, which stands for an ARN
// or name that has no use locally.
func (t *tf) collectRefs(body *hclsyntax.Body) {
	hclsyntax.VisitAll(body, func(node hclsyntax.Node) hcl.Diagnostics {
		e, ok := node.(hclsyntax.Expression)
		if !ok {
			return nil
		}
		for _, tr := range e.Variables() {
			t.addRef(tr)
		}
		return nil
	})
}

var tfReserved = map[string]bool{"var": true, "local": true, "path": true, "count": true, "each": true, "terraform": true, "self": true}

func (t *tf) addRef(tr hcl.Traversal) {
	root := tr.RootName()
	if tfReserved[root] {
		return
	}
	parts := []string{root}
	for _, step := range tr[1:] {
		a, ok := step.(hcl.TraverseAttr)
		if !ok {
			break
		}
		parts = append(parts, a.Name)
	}
	depth := 3 // type.name.attribute
	if root == "data" {
		depth = 4
	}
	if len(parts) > depth {
		parts = parts[:depth]
	}
	m := t.refs
	for i, p := range parts {
		if i == len(parts)-1 {
			if _, ok := m[p].(map[string]any); !ok {
				m[p] = strings.Join(parts, ".")
			}
			return
		}
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
}

func (t *tf) refValue(prefix string, m map[string]any) cty.Value {
	attrs := map[string]cty.Value{}
	for k, v := range m {
		addr := k
		if prefix != "" {
			addr = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			s := v
			if r, ok := t.o.Resources[addr]; ok {
				s = r
			} else if r, ok := t.o.Resources[prefix]; ok {
				s = r
			}
			attrs[k] = cty.StringVal(s)
		case map[string]any:
			attrs[k] = t.refValue(addr, v)
		}
	}
	return cty.ObjectVal(attrs)
}

func (t *tf) ctx(extra map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(t.vars),
		"local": cty.ObjectVal(t.locals),
		// Terraform runs in the root module's folder: path.module is ".",
		// and file() reads relative to that folder.
		// A resource with count or for_each is read as its first instance.
		"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(0)}),
		"each":  cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(""), "value": cty.StringVal("")}),
		"path":  cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal(".")}),
	}
	for k, v := range t.refValue("", t.refs).AsValueMap() {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: t.funcs}
}

// value evaluates an expression, naming a variable that has no value.
func (t *tf) value(e hclsyntax.Expression, extra map[string]cty.Value) (cty.Value, error) {
	for _, tr := range e.Variables() {
		if tr.RootName() == "var" && len(tr) > 1 {
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				if !t.declared[a.Name] {
					r := tr.SourceRange()
					return cty.NilVal, fmt.Errorf("%s:%d:%d: var.%s: no variable %q is declared", r.Filename, r.Start.Line, r.Start.Column, a.Name, a.Name)
				}
				if _, ok := t.vars[a.Name]; !ok {
					r := tr.SourceRange()
					return cty.NilVal, fmt.Errorf("%s:%d:%d: var.%s has no value: give -var %s=VALUE or a --var-file", r.Filename, r.Start.Line, r.Start.Column, a.Name, a.Name)
				}
			}
		}
	}
	v, diags := e.Value(t.ctx(extra))
	if diags.HasErrors() {
		return cty.NilVal, tfDiagError(diags)
	}
	return v, nil
}

// walk maps a block body onto the native mapping out.
func (t *tf) walk(n *native, body *hclsyntax.Body, s tfSchema, out *yaml.Node, path string, extra map[string]cty.Value) error {
	names := make([]string, 0, len(body.Attributes))
	for k := range body.Attributes {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		return body.Attributes[names[i]].SrcRange.Start.Byte < body.Attributes[names[j]].SrcRange.Start.Byte
	})
	for _, k := range names {
		a := body.Attributes[k]
		f, ok := s[k]
		line := a.SrcRange.Start.Line
		p := path + "." + k
		switch {
		case ok && f.block != nil:
			n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: is a block (%s { ... }), not an argument (line %d); ignored", n.file, p, k, line))
			continue
		case !ok:
			n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown argument (line %d), ignored", n.file, p, line))
			continue
		case f.ignored:
			n.ignored = append(n.ignored, p)
			continue
		}
		v, err := t.value(a.Expr, extra)
		if err != nil {
			return err
		}
		node, err := ctyNode(v, line)
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %v", n.file, line, p, err)
		}
		n.origin[node] = p
		put(out, f.native, line, node)
		if f.native == "ApplicationCode" {
			t.codeSource(n, a)
		}
	}
	for _, b := range body.Blocks {
		typ, content, iter := b.Type, b.Body, ""
		var each []cty.Value
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			typ, iter = b.Labels[0], b.Labels[0]
			fe, ok := b.Body.Attributes["for_each"]
			if !ok {
				return fmt.Errorf("%s:%d: dynamic %q: for_each missing", n.file, b.TypeRange.Start.Line, typ)
			}
			if it, ok := b.Body.Attributes["iterator"]; ok {
				iter = hcl.ExprAsKeyword(it.Expr)
			}
			coll, err := t.value(fe.Expr, extra)
			if err != nil {
				return err
			}
			content = nil
			for _, cb := range b.Body.Blocks {
				if cb.Type == "content" {
					content = cb.Body
				}
			}
			if content == nil {
				return fmt.Errorf("%s:%d: dynamic %q: content block missing", n.file, b.TypeRange.Start.Line, typ)
			}
			if !coll.CanIterateElements() {
				return fmt.Errorf("%s:%d: dynamic %q: for_each is not a collection", n.file, fe.SrcRange.Start.Line, typ)
			}
			for it := coll.ElementIterator(); it.Next(); {
				k, v := it.Element()
				each = append(each, cty.ObjectVal(map[string]cty.Value{"key": k, "value": v}))
			}
		} else {
			each = []cty.Value{cty.NilVal}
		}
		f, ok := s[typ]
		line := b.TypeRange.Start.Line
		p := path + "." + typ
		switch {
		case !ok || (f.block == nil && !f.ignored):
			n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown block (line %d), ignored", n.file, p, line))
			continue
		case f.ignored:
			n.ignored = append(n.ignored, p)
			continue
		}
		for _, item := range each {
			ex := extra
			if item != cty.NilVal {
				ex = map[string]cty.Value{}
				for k, v := range extra {
					ex[k] = v
				}
				ex[iter] = item
			}
			target, bp, err := n.blockTarget(out, f, p, typ, line, line)
			if err != nil {
				return err
			}
			if err := t.walk(n, content, *f.block, target, bp, ex); err != nil {
				return err
			}
		}
	}
	return nil
}

// codeSource records where the SQL of `code`/`text_content` comes from:
// file("x.sql") is that file from line 1; a heredoc starts on the line
// after its marker; a one-line string is on its own line.
func (t *tf) codeSource(n *native, a *hclsyntax.Attribute) {
	switch e := a.Expr.(type) {
	case *hclsyntax.FunctionCallExpr:
		if e.Name == "file" && len(e.Args) == 1 {
			if v, err := t.value(e.Args[0], nil); err == nil && v.Type() == cty.String {
				p := v.AsString()
				if !filepath.IsAbs(p) {
					p = filepath.Join(t.dir, p)
				}
				n.codePath, n.codeLine = p, 1
			}
		}
	case *hclsyntax.TemplateExpr:
		r := e.SrcRange
		src := t.src[r.Filename]
		if r.Start.Byte < len(src) && strings.HasPrefix(string(src[r.Start.Byte:]), "<<") {
			n.codeLine = r.Start.Line + 1
		} else if r.Start.Line == r.End.Line && len(e.Parts) == 1 {
			if lit, ok := e.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && !strings.Contains(lit.Val.AsString(), "\n") {
				n.codeLine = r.Start.Line
			}
		}
	}
}

// fixups finishes what the provider derives: RecordFormatType from the
// mapping parameters (v1), and v2 code content type and S3 code location.
func (t *tf) fixups(n *native, root *yaml.Node, app tfResource) error {
	schemas := func(list, field string) {
		l := get(root, list)
		if l == nil {
			return
		}
		for _, e := range l.Content {
			rf := get(get(e, field), "RecordFormat")
			if rf == nil || get(rf, "RecordFormatType") != nil {
				continue
			}
			mp := get(rf, "MappingParameters")
			switch {
			case get(mp, "JSONMappingParameters") != nil:
				put(rf, "RecordFormatType", rf.Line, newStr("JSON", rf.Line))
			case get(mp, "CSVMappingParameters") != nil:
				put(rf, "RecordFormatType", rf.Line, newStr("CSV", rf.Line))
			}
		}
	}
	schemas("Inputs", "InputSchema")
	schemas("ReferenceDataSources", "ReferenceSchema")
	if ct := get(root, "CodeContentType"); ct != nil {
		if !strings.EqualFold(ct.Value, "PLAINTEXT") {
			return fmt.Errorf("%s:%d: %s: code_content_type %q: a SQL application's code is PLAINTEXT", n.file, ct.Line, app.addr(), ct.Value)
		}
		removeKey(root, "CodeContentType")
	}
	if s3 := get(root, "ApplicationCodeS3"); s3 != nil {
		removeKey(root, "ApplicationCodeS3")
		key := scalarText(get(s3, "FileKey"))
		local := filepath.Join(t.dir, filepath.Base(key))
		if _, err := os.Stat(local); key == "" || err != nil {
			return fmt.Errorf("%s:%d: %s: s3_content_location: the code is in S3 (%s); save it as %s", n.file, s3.Line, app.addr(), key, local)
		}
		put(root, "ApplicationCodeFile", s3.Line, newStr(filepath.Base(key), s3.Line))
	}
	return nil
}

func removeKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// ctyText is a value's string form ("" for non-strings).
func ctyText(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// ctyNode turns an evaluated value into a YAML node.
func ctyNode(v cty.Value, line int) (*yaml.Node, error) {
	if !v.IsKnown() {
		return nil, fmt.Errorf("the value is not known before apply")
	}
	if v.IsNull() {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return newStr(v.AsString(), line), nil
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(new(big.Int))
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: i.String(), Line: line}, nil
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: bf.Text('g', -1), Line: line}, nil
	case ty == cty.Bool:
		return boolNode(v.True(), line), nil
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		out := newSeq(line)
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			c, err := ctyNode(e, line)
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, c)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := newMap(line)
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			c, err := ctyNode(e, line)
			if err != nil {
				return nil, err
			}
			put(out, k.AsString(), line, c)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %s", ty.FriendlyName())
}

// tfFunctions are the Terraform functions an application definition is
// likely to use; file() and templatefile() read relative to dir.
func tfFunctions(dir string) map[string]function.Function {
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	file := function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := os.ReadFile(resolve(args[0].AsString()))
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(b)), nil
		},
	})
	var funcs map[string]function.Function
	templatefile := function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := resolve(args[0].AsString())
			b, err := os.ReadFile(p)
			if err != nil {
				return cty.NilVal, err
			}
			expr, diags := hclsyntax.ParseTemplate(b, p, hcl.Pos{Line: 1, Column: 1})
			if diags.HasErrors() {
				return cty.NilVal, tfDiagError(diags)
			}
			vars := map[string]cty.Value{}
			if args[1].CanIterateElements() {
				for it := args[1].ElementIterator(); it.Next(); {
					k, v := it.Element()
					vars[k.AsString()] = v
				}
			}
			v, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: funcs})
			if diags.HasErrors() {
				return cty.NilVal, tfDiagError(diags)
			}
			return v, nil
		},
	})
	funcs = map[string]function.Function{
		"file": file, "templatefile": templatefile,
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"join": stdlib.JoinFunc, "split": stdlib.SplitFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc, "title": stdlib.TitleFunc,
		"replace": stdlib.ReplaceFunc, "trimspace": stdlib.TrimSpaceFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "chomp": stdlib.ChompFunc,
		"indent": stdlib.IndentFunc, "substr": stdlib.SubstrFunc, "concat": stdlib.ConcatFunc,
		"length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
		"coalesce": stdlib.CoalesceFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc, "min": stdlib.MinFunc, "max": stdlib.MaxFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	}
	return funcs
}

// blockTarget is the mapping a nested block writes into: a new entry of
// out's list f.native, the single mapping f.native (a second block of that
// kind is an error), or out itself when the block has no field of its own.
// It returns the node and its path for messages; line is the block's,
// itemLine the line of this occurrence.
func (n *native) blockTarget(out *yaml.Node, f tfField, p, name string, line, itemLine int) (*yaml.Node, string, error) {
	if f.native == "" {
		return out, p, nil
	}
	target := newMap(itemLine)
	bp := p
	if f.list {
		seq := get(out, f.native)
		if seq == nil {
			seq = newSeq(line)
			put(out, f.native, line, seq)
		}
		bp = fmt.Sprintf("%s[%d]", p, len(seq.Content))
		seq.Content = append(seq.Content, target)
		n.origin[seq] = p
	} else {
		if get(out, f.native) != nil {
			return nil, "", fmt.Errorf("%s:%d: %s: only one %q block is allowed", n.file, itemLine, p, name)
		}
		put(out, f.native, line, target)
	}
	n.origin[target] = bp
	return target, bp, nil
}
