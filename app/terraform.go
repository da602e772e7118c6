package app

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
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

// tf is one Terraform module: the root module, or a local module that the
// root (or another local module) calls with module "x" { source = "./y" }.
// Variables of a called module, locals and module outputs are evaluated
// when an expression first needs them, in whatever order the references
// lead, as Terraform's graph does.
type tf struct {
	dir      string // the module's folder
	base     string // the root module's folder: file() reads from there
	rel      string // path.module
	addr     string // "" for the root module, else "module.x" (nested: "module.x.module.y")
	o        LoadOptions
	parent   *tf
	call     *hclsyntax.Block     // the module block that calls this module
	callEnv  map[string]cty.Value // count and each of that call
	files    map[string]*hcl.File
	names    []string // the module's .tf files, sorted
	src      map[string][]byte
	vars     map[string]cty.Value
	declared map[string]bool
	varTypes map[string]hcl.Expression
	complex  map[string]bool // a variable typed other than string, number or bool
	localDef map[string]*hclsyntax.Attribute
	locals   map[string]cty.Value
	calls    map[string]*hclsyntax.Block // module calls, by name
	children map[string]*tf              // loaded local modules (nil: a source streamsql does not follow)
	outDef   map[string]*hclsyntax.Attribute
	outputs  map[string]cty.Value
	busy     map[string]bool           // what is being evaluated, to report cycles
	iters    map[string]hcl.Expression // dynamic block iterators in scope: their for_each
	refs     map[string]any            // resources and data sources referred to (see addRef)
	funcs    map[string]function.Function
}

type tfResource struct {
	typ, name string
	file      string
	block     *hclsyntax.Block
	mod       *tf
	env       map[string]cty.Value // count.index / each of the instance read
}

func (r tfResource) addr() string {
	if r.mod != nil && r.mod.addr != "" {
		return r.mod.addr + "." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

func newTF(dir, base, rel string, o LoadOptions) *tf {
	return &tf{dir: dir, base: base, rel: rel, o: o, files: map[string]*hcl.File{}, src: map[string][]byte{},
		vars: map[string]cty.Value{}, declared: map[string]bool{}, varTypes: map[string]hcl.Expression{},
		complex: map[string]bool{}, localDef: map[string]*hclsyntax.Attribute{}, locals: map[string]cty.Value{},
		calls: map[string]*hclsyntax.Block{}, children: map[string]*tf{}, outDef: map[string]*hclsyntax.Attribute{},
		outputs: map[string]cty.Value{}, busy: map[string]bool{}, iters: map[string]hcl.Expression{}, refs: map[string]any{}, funcs: tfFunctions(base)}
}

// parse reads the module's .tf files (and only, when set, which must be
// one of them or is added) and indexes its blocks.
func (t *tf) parse(only string) error {
	names, _ := filepath.Glob(filepath.Join(t.dir, "*.tf"))
	if only != "" && !contains(names, only) {
		names = append(names, only)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("%s: no .tf files", t.dir)
	}
	t.names = names
	p := hclparse.NewParser()
	var diags hcl.Diagnostics
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, d := p.ParseHCL(b, name)
		diags = append(diags, d...)
		t.files[name], t.src[name] = f, b
	}
	if diags.HasErrors() {
		return tfDiagError(diags)
	}
	for _, name := range names {
		for _, b := range t.files[name].Body.(*hclsyntax.Body).Blocks {
			switch {
			case b.Type == "variable" && len(b.Labels) == 1:
				v := b.Labels[0]
				t.declared[v] = true
				if ty, ok := b.Body.Attributes["type"]; ok {
					t.varTypes[v] = ty.Expr
					switch hcl.ExprAsKeyword(ty.Expr) {
					case "string", "number", "bool":
					default:
						t.complex[v] = true
					}
				}
			case b.Type == "locals":
				for k, a := range b.Body.Attributes {
					t.localDef[k] = a
				}
			case b.Type == "module" && len(b.Labels) == 1:
				t.calls[b.Labels[0]] = b
			case b.Type == "output" && len(b.Labels) == 1:
				if a, ok := b.Body.Attributes["value"]; ok {
					t.outDef[b.Labels[0]] = a
				}
			}
		}
	}
	return nil
}

// variableBlock is the declaration of variable name.
func (t *tf) variableBlock(name string) *hclsyntax.Block {
	for _, f := range t.names {
		for _, b := range t.files[f].Body.(*hclsyntax.Body).Blocks {
			if b.Type == "variable" && len(b.Labels) == 1 && b.Labels[0] == name {
				return b
			}
		}
	}
	return nil
}

// loadTerraform maps an aws_kinesis_analytics_application or
// aws_kinesisanalyticsv2_application resource, in the root module or in a
// local module it calls. path is a .tf file (its directory's other .tf
// files supply variables, locals and module calls) or a directory.
func loadTerraform(path string, o LoadOptions) (*Application, []string, error) {
	dir, only := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, only = filepath.Dir(path), path
	}
	t := newTF(dir, dir, ".", o)
	if err := t.parse(only); err != nil {
		return nil, nil, err
	}
	for v := range t.declared {
		if b := t.variableBlock(v); b != nil {
			if d, ok := b.Body.Attributes["default"]; ok {
				val, diags := d.Expr.Value(nil)
				if diags.HasErrors() {
					return nil, nil, tfDiagError(diags)
				}
				t.vars[v] = val
			}
		}
	}
	if err := t.readVarFiles(); err != nil {
		return nil, nil, err
	}
	for v, val := range t.vars {
		conv, err := t.convertVar(v, val)
		if err != nil {
			return nil, nil, err
		}
		t.vars[v] = conv
	}
	var apps []tfResource
	var skipped []string
	if err := t.findApps(only, &apps, &skipped); err != nil {
		return nil, nil, err
	}
	// Flink applications (aws_kinesisanalyticsv2_application with another
	// runtime) are not candidates.
	var notSQL []string
	sqlApps := apps[:0]
	for _, a := range apps {
		if rt, ok := a.block.Body.Attributes["runtime_environment"]; ok && a.typ == tfAppV2 {
			v, err := a.mod.value(rt.Expr, a.env)
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
		if len(skipped) > 0 {
			msg += "; " + strings.Join(skipped, "; ")
		}
		return nil, nil, fmt.Errorf("%s", msg)
	}
	app, err := t.pick(path, apps)
	if err != nil {
		return nil, nil, err
	}
	m := app.mod
	n := &native{file: app.file, dir: dir, format: FormatTerraform, origin: map[*yaml.Node]string{}}
	schema := tfV1
	if app.typ == tfAppV2 {
		schema = tfV2
	}
	root := newMap(app.block.TypeRange.Start.Line)
	if err := m.walk(n, app.block.Body, schema, root, app.addr(), app.env); err != nil {
		return nil, nil, err
	}
	if err := m.fixups(n, root, app); err != nil {
		return nil, nil, err
	}
	n.root = root
	return n.finish()
}

// findApps lists the application resources of this module and of the
// local modules it calls (depth first, calls in name order). A resource
// or module call whose count is 0 or whose for_each is empty has no
// instance and is listed in skipped.
func (t *tf) findApps(only string, apps *[]tfResource, skipped *[]string) error {
	for _, name := range t.names {
		if only != "" && name != only {
			continue
		}
		for _, b := range t.files[name].Body.(*hclsyntax.Body).Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 || (b.Labels[0] != tfApp && b.Labels[0] != tfAppV2) {
				continue
			}
			r := tfResource{typ: b.Labels[0], name: b.Labels[1], file: name, block: b, mod: t}
			env, n, err := t.instance(b.Body, nil)
			if err != nil {
				return err
			}
			if n == 0 {
				*skipped = append(*skipped, r.addr()+": no instance (count 0 or empty for_each)")
				continue
			}
			r.env = env
			*apps = append(*apps, r)
		}
	}
	if only != "" {
		return nil
	}
	calls := make([]string, 0, len(t.calls))
	for k := range t.calls {
		calls = append(calls, k)
	}
	sort.Strings(calls)
	for _, k := range calls {
		c, err := t.child(k)
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		if _, n, _ := t.instance(t.calls[k].Body, nil); n == 0 {
			*skipped = append(*skipped, c.addr+": no instance (count 0 or empty for_each)")
			continue
		}
		if err := c.findApps("", apps, skipped); err != nil {
			return err
		}
	}
	return nil
}

// instance reads a block's count or for_each: the count.index/each of
// its first instance (the one streamsql reads) and how many there are
// (-1 when not known before apply).
func (t *tf) instance(body *hclsyntax.Body, extra map[string]cty.Value) (map[string]cty.Value, int, error) {
	env := map[string]cty.Value{}
	if c, ok := body.Attributes["count"]; ok {
		v, err := t.value(c.Expr, extra)
		if err != nil {
			return nil, 0, err
		}
		env["count"] = cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(0)})
		v, _ = v.UnmarkDeep()
		if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
			return env, -1, nil
		}
		n, _ := v.AsBigFloat().Int64()
		return env, int(n), nil
	}
	if fe, ok := body.Attributes["for_each"]; ok {
		v, err := t.value(fe.Expr, extra)
		if err != nil {
			return nil, 0, err
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
			env["each"] = cty.ObjectVal(map[string]cty.Value{"key": tfUnknown("for_each"), "value": tfUnknown("for_each")})
			return env, -1, nil
		}
		it := v.ElementIterator()
		if !it.Next() {
			return env, 0, nil
		}
		k, e := it.Element()
		if v.Type().IsSetType() {
			k = e
		}
		env["each"] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": e})
		return env, v.LengthInt(), nil
	}
	return env, 1, nil
}

// child is the local module that call name loads, nil for a source that
// is not a local folder (a registry or Git module: its outputs are
// unknown values).
func (t *tf) child(name string) (*tf, error) {
	if c, ok := t.children[name]; ok {
		return c, nil
	}
	call := t.calls[name]
	if call == nil {
		return nil, fmt.Errorf("%s: no module %q is called", t.where(), name)
	}
	src, ok := call.Body.Attributes["source"]
	if !ok {
		return nil, fmt.Errorf("%s:%d: module %q: source missing", call.TypeRange.Filename, call.TypeRange.Start.Line, name)
	}
	sv, diags := src.Expr.Value(nil)
	if diags.HasErrors() || sv.Type() != cty.String {
		return nil, fmt.Errorf("%s:%d: module %q: source must be a literal string", src.SrcRange.Filename, src.SrcRange.Start.Line, name)
	}
	s := sv.AsString()
	if !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "../") {
		t.children[name] = nil
		return nil, nil
	}
	addr := "module." + name
	if t.addr != "" {
		addr = t.addr + "." + addr
	}
	c := newTF(filepath.Join(t.dir, s), t.base, filepath.ToSlash(filepath.Join(t.rel, s)), t.o)
	c.addr, c.parent, c.call = addr, t, call
	t.children[name] = c
	if err := c.parse(""); err != nil {
		return nil, fmt.Errorf("%s:%d: module %q (source %q): %v", src.SrcRange.Filename, src.SrcRange.Start.Line, name, s, err)
	}
	env, _, err := t.instance(call.Body, nil)
	if err != nil {
		return nil, err
	}
	c.callEnv = env
	return c, nil
}

// where names the module in messages.
func (t *tf) where() string {
	if t.addr == "" {
		return t.dir
	}
	return t.addr + " (" + t.dir + ")"
}

// input is the value of a called module's variable: the call's argument,
// evaluated in the calling module, or the variable's default.
func (t *tf) input(name string, r hcl.Range) error {
	if _, ok := t.vars[name]; ok || t.parent == nil {
		return nil
	}
	key := "var." + name
	if t.busy[key] {
		return fmt.Errorf("%s:%d:%d: var.%s refers to itself through the module call", r.Filename, r.Start.Line, r.Start.Column, name)
	}
	t.busy[key] = true
	defer delete(t.busy, key)
	var v cty.Value
	if a, ok := t.call.Body.Attributes[name]; ok {
		var err error
		if v, err = t.parent.value(a.Expr, t.callEnv); err != nil {
			return err
		}
	} else if b := t.variableBlock(name); b != nil && b.Body.Attributes["default"] != nil {
		var diags hcl.Diagnostics
		if v, diags = b.Body.Attributes["default"].Expr.Value(nil); diags.HasErrors() {
			return tfDiagError(diags)
		}
	} else {
		return fmt.Errorf("%s:%d:%d: var.%s has no value: the call of %s at %s:%d sets no %q and the variable has no default",
			r.Filename, r.Start.Line, r.Start.Column, name, t.addr, t.call.TypeRange.Filename, t.call.TypeRange.Start.Line, name)
	}
	v, err := t.convertVar(name, v)
	if err != nil {
		return err
	}
	t.vars[name] = v
	return nil
}

// convertVar applies a variable's type constraint, optional attributes
// and their defaults included, as Terraform does.
func (t *tf) convertVar(name string, v cty.Value) (cty.Value, error) {
	te, ok := t.varTypes[name]
	if !ok {
		return v, nil
	}
	ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(te)
	if diags.HasErrors() {
		return cty.NilVal, tfDiagError(diags)
	}
	if defaults != nil {
		v = defaults.Apply(v)
	}
	out, err := convert.Convert(v, ty)
	if err != nil {
		r := te.Range()
		return cty.NilVal, fmt.Errorf("%s:%d: var.%s: %v", r.Filename, r.Start.Line, name, err)
	}
	return out, nil
}

// local evaluates local.name the first time it is needed.
func (t *tf) local(name string, r hcl.Range) error {
	a, ok := t.localDef[name]
	if _, done := t.locals[name]; !ok && !done {
		return fmt.Errorf("%s:%d:%d: local.%s is not defined in %s", r.Filename, r.Start.Line, r.Start.Column, name, t.where())
	}
	return t.once("local."+name, a, t.locals, name)
}

// output evaluates a local module's output the first time it is needed.
func (t *tf) output(name string, r hcl.Range) error {
	a, ok := t.outDef[name]
	if !ok {
		return fmt.Errorf("%s:%d:%d: %s has no output %q", r.Filename, r.Start.Line, r.Start.Column, t.where(), name)
	}
	return t.once("output "+name, a, t.outputs, name)
}

// once evaluates a's expression into into[name] unless it is there,
// reporting a definition that (through others) refers to itself.
func (t *tf) once(what string, a *hclsyntax.Attribute, into map[string]cty.Value, name string) error {
	if _, ok := into[name]; ok {
		return nil
	}
	if t.busy[what] {
		return fmt.Errorf("%s:%d:%d: %s refers to itself (a cycle)", a.SrcRange.Filename, a.SrcRange.Start.Line, a.SrcRange.Start.Column, what)
	}
	t.busy[what] = true
	defer delete(t.busy, what)
	v, err := t.value(a.Expr, nil)
	if err != nil {
		return err
	}
	into[name] = v
	return nil
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

// pick chooses the application: the only one, or the one --app names (by
// resource name, address or application name).
func (t *tf) pick(path string, apps []tfResource) (tfResource, error) {
	var names []string
	for _, a := range apps {
		name := ""
		if at, ok := a.block.Body.Attributes["name"]; ok {
			if v, err := a.mod.value(at.Expr, a.env); err == nil {
				name = ctyText(v)
			}
		}
		if t.o.App != "" && (t.o.App == a.name || t.o.App == a.addr() || t.o.App == a.typ+"."+a.name || t.o.App == name) {
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

// tfReserved are the roots of references that are not resources.
var tfReserved = map[string]bool{"var": true, "local": true, "path": true, "count": true, "each": true, "terraform": true, "self": true, "module": true}

// addRef records a reference to a resource, data source or module that
// streamsql does not model or follow (aws_kinesis_stream.clicks.arn,
// data.aws_iam_role.r.arn, module.registry_mod.out): its attributes are
// values known only after apply, unless --resource gives one. refs is a
// tree of names; a leaf is an attribute (its address, a string) or
// tfWhole where the resource is used as a whole (indexed, splatted,
// iterated), which only an unknown value can stand for.
func (t *tf) addRef(tr hcl.Traversal) {
	root := tr.RootName()
	if tfReserved[root] && root != "module" {
		return
	}
	depth := 3 // type.name.attribute, module.name.output
	if root == "data" {
		depth = 4
	}
	parts := []string{root}
	for _, step := range tr[1:] {
		a, ok := step.(hcl.TraverseAttr)
		if !ok || len(parts) == depth {
			break
		}
		parts = append(parts, a.Name)
	}
	m := t.refs
	for _, p := range parts[:len(parts)-1] {
		switch sub := m[p].(type) {
		case map[string]any:
			m = sub
		case tfWhole:
			return
		default:
			next := map[string]any{}
			m[p] = next
			m = next
		}
	}
	last := parts[len(parts)-1]
	switch {
	case len(parts) < depth:
		m[last] = tfWhole{}
	case m[last] == nil:
		m[last] = strings.Join(parts, ".")
	}
}

// tfWhole marks a resource used as a whole in refs.
type tfWhole struct{}

func (t *tf) refValue(prefix string, m map[string]any) cty.Value {
	attrs := map[string]cty.Value{}
	for k, v := range m {
		addr := k
		if prefix != "" {
			addr = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			if r, ok := t.resource(addr); ok {
				attrs[k] = cty.StringVal(r)
			} else if r, ok := t.resource(prefix); ok && strings.Contains(prefix, ".") {
				attrs[k] = cty.StringVal(r) // --resource for the whole resource
			} else {
				attrs[k] = tfUnknown(t.qualify(addr))
			}
		case tfWhole:
			attrs[k] = tfUnknown(t.qualify(addr))
		case map[string]any:
			attrs[k] = t.refValue(addr, v)
		}
	}
	return cty.ObjectVal(attrs)
}

// qualify prefixes an address with the module's.
func (t *tf) qualify(addr string) string {
	if t.addr != "" {
		return t.addr + "." + addr
	}
	return addr
}

// resource is the --resource value for an address, given with the
// module's address or without.
func (t *tf) resource(addr string) (string, bool) {
	if r, ok := t.o.Resources[t.qualify(addr)]; ok {
		return r, true
	}
	r, ok := t.o.Resources[addr]
	return r, ok
}

// prepare evaluates what expression e refers to: variables of a called
// module, locals, outputs of local modules, and records the resources.
func (t *tf) prepare(e hcl.Expression, extra map[string]cty.Value) error {
	for _, tr := range e.Variables() {
		root := tr.RootName()
		if _, ok := extra[root]; ok {
			continue
		}
		name := ""
		if len(tr) > 1 {
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		r := tr.SourceRange()
		switch root {
		case "var":
			if name == "" {
				continue
			}
			if !t.declared[name] {
				return fmt.Errorf("%s:%d:%d: var.%s: no variable %q is declared", r.Filename, r.Start.Line, r.Start.Column, name, name)
			}
			if err := t.input(name, r); err != nil {
				return err
			}
			if _, ok := t.vars[name]; !ok {
				return fmt.Errorf("%s:%d:%d: var.%s has no value: give -var %s=VALUE or a --var-file", r.Filename, r.Start.Line, r.Start.Column, name, name)
			}
		case "local":
			if name != "" {
				if err := t.local(name, r); err != nil {
					return err
				}
			}
		case "module":
			if name == "" {
				continue
			}
			c, err := t.child(name)
			if err != nil {
				return err
			}
			if c == nil {
				t.addRef(tr)
				continue
			}
			out := ""
			if len(tr) > 2 {
				if a, ok := tr[2].(hcl.TraverseAttr); ok {
					out = a.Name
				}
			}
			if out != "" {
				if err := c.output(out, r); err != nil {
					return err
				}
				continue
			}
			for o := range c.outDef {
				if err := c.output(o, r); err != nil {
					return err
				}
			}
		default:
			if !tfReserved[root] {
				t.addRef(tr)
			}
		}
	}
	return nil
}

func (t *tf) ctx(extra map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(t.vars),
		"local": cty.ObjectVal(t.locals),
		// Terraform runs in the root module's folder: path.root and
		// path.cwd are ".", path.module the module's folder from there.
		// A resource with count or for_each is read as its first instance.
		"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(0)}),
		"each":  cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(""), "value": cty.StringVal("")}),
		"path":  cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(t.rel), "root": cty.StringVal("."), "cwd": cty.StringVal(".")}),
	}
	for k, v := range t.refValue("", t.refs).AsValueMap() {
		vars[k] = v
	}
	mods := map[string]cty.Value{}
	if m, ok := vars["module"]; ok {
		mods = m.AsValueMap()
	}
	for name, c := range t.children {
		if c == nil {
			continue
		}
		outs := cty.ObjectVal(c.outputs)
		// module "x" with count or for_each is a list or map of instances;
		// its first is the one read.
		call := t.calls[name].Body.Attributes
		if _, ok := call["count"]; ok {
			outs = cty.TupleVal([]cty.Value{outs})
		} else if _, ok := call["for_each"]; ok {
			if each, ok := c.callEnv["each"]; ok {
				if k := each.GetAttr("key"); k.IsKnown() && k.Type() == cty.String {
					outs = cty.ObjectVal(map[string]cty.Value{k.AsString(): outs})
				}
			}
		}
		mods[name] = outs
	}
	if len(mods) > 0 {
		vars["module"] = cty.ObjectVal(mods)
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: t.funcs}
}

// value evaluates an expression, naming a variable that has no value.
func (t *tf) value(e hclsyntax.Expression, extra map[string]cty.Value) (cty.Value, error) {
	if err := t.prepare(e, extra); err != nil {
		return cty.NilVal, err
	}
	v, diags := e.Value(t.ctx(extra))
	if diags.HasErrors() {
		return cty.NilVal, tfDiagError(diags)
	}
	return v, nil
}

// tfPlaceholder are the fields whose value may be unknown before apply:
// names and ARNs of AWS resources, which a local run does not use. Such a
// field reads as the addresses it depends on.
var tfPlaceholder = map[string]bool{"ResourceARN": true, "RoleARN": true, "BucketARN": true, "ReferenceRoleARN": true,
	"ApplicationName": true, "ApplicationDescription": true}

// known strips v of its marks. A value not known before apply is an error
// naming what it depends on (its marks, or when an operation dropped
// them, what deps finds), except in a field of tfPlaceholder.
func known(v cty.Value, field, file string, line int, p string, deps func() []string) (cty.Value, error) {
	v, marks := v.UnmarkDeep()
	if v.IsWhollyKnown() {
		return v, nil
	}
	names := tfDeps(marks)
	if len(names) == 0 && deps != nil {
		names = deps()
	}
	if tfPlaceholder[field] && (v.Type() == cty.String || v.Type() == cty.DynamicPseudoType) {
		if len(names) == 0 {
			names = []string{"(known after apply)"}
		}
		return cty.StringVal(strings.Join(names, " ")), nil
	}
	return cty.NilVal, tfUnknownError(names, file, line, p)
}

// tfImpure are the functions whose result is known only after apply.
var tfImpure = map[string]bool{"timestamp": true, "uuid": true, "bcrypt": true}

// deps lists what an expression depends on that has no value before
// apply, following variables of called modules, locals and module outputs
// to the resources, data sources, modules not followed and impure
// functions at their end.
func (t *tf) deps(e hcl.Expression, seen map[string]bool) []string {
	var out []string
	have := map[string]bool{}
	add := func(l ...string) {
		for _, d := range l {
			if !have[d] {
				have[d] = true
				out = append(out, d)
			}
		}
	}
	if se, ok := e.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if fc, ok := n.(*hclsyntax.FunctionCallExpr); ok && tfImpure[fc.Name] {
				add(fc.Name + "()")
			}
			return nil
		})
	}
	for _, tr := range e.Variables() {
		root, name := tr.RootName(), ""
		if len(tr) > 1 {
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		key := t.addr + "/" + root + "." + name
		if name == "" || seen[key] {
			continue
		}
		seen[key] = true
		if it, ok := t.iters[root]; ok {
			add(t.deps(it, seen)...)
			continue
		}
		switch root {
		case "var":
			if t.parent != nil && t.call != nil {
				if a, ok := t.call.Body.Attributes[name]; ok {
					add(t.parent.deps(a.Expr, seen)...)
				}
			}
		case "local":
			if a, ok := t.localDef[name]; ok {
				add(t.deps(a.Expr, seen)...)
			}
		case "module":
			c := t.children[name]
			if c == nil {
				add(t.qualify("module." + name))
				continue
			}
			for o, a := range c.outDef {
				if len(tr) > 2 {
					if at, ok := tr[2].(hcl.TraverseAttr); ok && at.Name != o {
						continue
					}
				}
				add(c.deps(a.Expr, seen)...)
			}
		case "path", "count", "each", "terraform", "self":
		default:
			addr := root + "." + name
			if root == "data" && len(tr) > 2 {
				if a, ok := tr[2].(hcl.TraverseAttr); ok {
					addr += "." + a.Name
				}
			}
			if _, given := t.resource(addr); !given {
				add(t.qualify(addr))
			}
		}
	}
	sort.Strings(out)
	return out
}

func tfDeps(marks cty.ValueMarks) []string {
	var deps []string
	for m := range marks {
		if s, ok := m.(tfUnknownMark); ok {
			deps = append(deps, string(s))
		}
	}
	sort.Strings(deps)
	return deps
}

func tfUnknownError(deps []string, file string, line int, p string) error {
	if len(deps) == 0 {
		return fmt.Errorf("%s:%d: %s: the value is not known before apply", file, line, p)
	}
	hint := ""
	for _, d := range deps {
		if !strings.HasSuffix(d, "()") && d != "for_each" {
			hint = fmt.Sprintf("; give it with --resource %s=VALUE", d)
			break
		}
	}
	return fmt.Errorf("%s:%d: %s depends on %s, known only after apply (streamsql does not model it)%s",
		file, line, p, strings.Join(deps, ", "), hint)
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
		if v, err = known(v, f.native, n.file, line, p, func() []string { return t.deps(a.Expr, map[string]bool{}) }); err != nil {
			return err
		}
		node, err := ctyNode(v, line)
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %v", n.file, line, p, err)
		}
		n.origin[node] = p
		put(out, f.native, line, node)
		if f.native == "ApplicationCode" {
			t.codeSource(n, a.Expr, extra)
		}
	}
	for _, b := range body.Blocks {
		typ, dynamic := b.Type, b.Type == "dynamic" && len(b.Labels) == 1
		if dynamic {
			typ = b.Labels[0]
		}
		line := b.TypeRange.Start.Line
		p := path + "." + typ
		f, ok := n.blockField(s, typ, p, line)
		if !ok {
			continue
		}
		content, each := b.Body, []map[string]cty.Value{extra}
		if dynamic {
			var err error
			if content, each, err = t.dynamic(n, b, extra); err != nil {
				return err
			}
			iter := b.Labels[0]
			if it, ok := b.Body.Attributes["iterator"]; ok {
				iter = hcl.ExprAsKeyword(it.Expr)
			}
			t.iters[iter] = b.Body.Attributes["for_each"].Expr
		}
		for _, ex := range each {
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

// dynamic expands a dynamic block: its content and one set of variables
// per element of for_each (the iterator named after the block, or by
// iterator = NAME). A for_each not known before apply is an error naming
// what it depends on: the number of blocks would be unknown.
func (t *tf) dynamic(n *native, b *hclsyntax.Block, extra map[string]cty.Value) (*hclsyntax.Body, []map[string]cty.Value, error) {
	typ, iter := b.Labels[0], b.Labels[0]
	line := b.TypeRange.Start.Line
	fe, ok := b.Body.Attributes["for_each"]
	if !ok {
		return nil, nil, fmt.Errorf("%s:%d: dynamic %q: for_each missing", n.file, line, typ)
	}
	if it, ok := b.Body.Attributes["iterator"]; ok {
		iter = hcl.ExprAsKeyword(it.Expr)
	}
	var content *hclsyntax.Body
	for _, cb := range b.Body.Blocks {
		if cb.Type == "content" {
			content = cb.Body
		}
	}
	if content == nil {
		return nil, nil, fmt.Errorf("%s:%d: dynamic %q: content block missing", n.file, line, typ)
	}
	coll, err := t.value(fe.Expr, extra)
	if err != nil {
		return nil, nil, err
	}
	each, err := dynamicEach(coll, func() []string { return t.deps(fe.Expr, map[string]bool{}) }, n.file, fe.SrcRange.Start.Line, typ, iter, extra)
	return content, each, err
}

// dynamicEach is one set of variables per element of a dynamic block's
// for_each value coll, the element under iter (HCL and JSON syntax); deps
// names what an unknown coll depends on when its marks do not.
func dynamicEach(coll cty.Value, deps func() []string, file string, line int, typ, iter string, extra map[string]cty.Value) ([]map[string]cty.Value, error) {
	coll, marks := coll.Unmark()
	if !coll.IsKnown() {
		d := tfDeps(marks)
		if len(d) == 0 {
			d = deps()
		}
		return nil, tfUnknownError(d, file, line, fmt.Sprintf("dynamic %q: for_each", typ))
	}
	if coll.IsNull() || !coll.CanIterateElements() {
		return nil, fmt.Errorf("%s:%d: dynamic %q: for_each is not a collection", file, line, typ)
	}
	var each []map[string]cty.Value
	for it := coll.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if coll.Type().IsSetType() {
			k = v
		}
		ex := map[string]cty.Value{}
		for name, val := range extra {
			ex[name] = val
		}
		ex[iter] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
		each = append(each, ex)
	}
	return each, nil
}

// codeSource records where the SQL of `code`/`text_content` comes from:
// file("x.sql") is that file from line 1 (also through a local); a
// heredoc starts on the line after its marker; a one-line string is on
// its own line.
func (t *tf) codeSource(n *native, e hclsyntax.Expression, extra map[string]cty.Value) {
	switch e := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		if e.Traversal.RootName() == "local" && len(e.Traversal) == 2 {
			if a, ok := e.Traversal[1].(hcl.TraverseAttr); ok && t.localDef[a.Name] != nil {
				t.codeSource(n, t.localDef[a.Name].Expr, nil)
			}
		}
	case *hclsyntax.FunctionCallExpr:
		if e.Name == "file" && len(e.Args) == 1 {
			if v, err := t.value(e.Args[0], extra); err == nil {
				if p := ctyText(v); p != "" {
					if !filepath.IsAbs(p) {
						p = filepath.Join(t.base, p)
					}
					n.codePath, n.codeLine = p, 1
				}
			}
		}
	case *hclsyntax.TemplateExpr:
		for _, part := range e.Parts {
			switch part.(type) {
			case *hclsyntax.TemplateJoinExpr, *hclsyntax.ConditionalExpr:
				return // %{ for } and %{ if } move lines: positions count from the code's own first line
			}
		}
		r := e.SrcRange
		src := t.src[r.Filename]
		if r.Start.Byte < len(src) && strings.HasPrefix(string(src[r.Start.Byte:]), "<<") {
			n.codeLine = r.Start.Line + 1
			if r.Filename != n.file {
				n.codePath = r.Filename
			}
		} else if r.Start.Line == r.End.Line && len(e.Parts) == 1 {
			if lit, ok := e.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && !strings.Contains(lit.Val.AsString(), "\n") {
				n.codeLine = r.Start.Line
				if r.Filename != n.file {
					n.codePath = r.Filename
				}
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
		local := filepath.Join(t.base, filepath.Base(key))
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
	v, _ = v.UnmarkDeep()
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

// blockField is the schema's field for a block of type typ at p (HCL and
// JSON syntax); false, with a warning or the path noted as ignored, when
// the block is not mapped.
func (n *native) blockField(s tfSchema, typ, p string, line int) (tfField, bool) {
	f, ok := s[typ]
	switch {
	case !ok || (f.block == nil && !f.ignored):
		n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown block (line %d), ignored", n.file, p, line))
		return f, false
	case f.ignored:
		n.ignored = append(n.ignored, p)
		return f, false
	}
	return f, true
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

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
