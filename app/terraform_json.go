package app

import (
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"
)

// loadTerraformJSON maps an application from Terraform's JSON syntax
// (.tf.json, as CDK for Terraform writes it): the same arguments as the
// HCL form, strings being templates ("${var.stage}"), nested blocks as
// objects or arrays of objects.
func loadTerraformJSON(path string, doc *yaml.Node, o LoadOptions) (*Application, []string, error) {
	dir := filepath.Dir(path)
	t := newTF(dir, dir, ".", o)
	j := &tfJSON{tf: t, file: path}
	for _, name := range keys(get(doc, "variable")) {
		v := get(get(doc, "variable"), name)
		t.declared[name] = true
		if ty := scalarText(get(v, "type")); ty != "" && ty != "string" && ty != "number" && ty != "bool" {
			t.complex[name] = true
		}
		if d := get(v, "default"); d != nil {
			val, err := j.value(d, false, nil)
			if err != nil {
				return nil, nil, err
			}
			t.vars[name] = val
		}
	}
	if err := t.readVarFiles(); err != nil {
		return nil, nil, err
	}
	var apps []tfJSONResource
	res := get(doc, "resource")
	for _, typ := range []string{tfApp, tfAppV2} {
		for _, name := range keys(get(res, typ)) {
			body := get(get(res, typ), name)
			if body.Kind == yaml.SequenceNode && len(body.Content) > 0 {
				body = body.Content[0]
			}
			apps = append(apps, tfJSONResource{typ: typ, name: name, body: body})
		}
	}
	locals := get(doc, "locals")
	j.collectRefs(locals)
	for _, a := range apps {
		j.collectRefs(a.body)
	}
	// Locals in dependency order: evaluate what can be, until nothing moves.
	pending := keys(locals)
	for len(pending) > 0 {
		var left []string
		for _, k := range pending {
			v, err := j.value(get(locals, k), true, nil)
			if err != nil {
				left = append(left, k)
				continue
			}
			t.locals[k] = v
			if e := j.expr(get(locals, k)); e != nil {
				// For deps: what an unknown value through this local
				// depends on, as in HCL.
				t.localDef[k] = &hclsyntax.Attribute{Name: k, Expr: e, SrcRange: e.Range()}
			}
		}
		if len(left) == len(pending) {
			_, err := j.value(get(locals, left[0]), true, nil)
			return nil, nil, fmt.Errorf("locals.%s: %v", left[0], err)
		}
		pending = left
	}
	var sqlApps []tfJSONResource
	var names []string
	for _, a := range apps {
		if a.typ == tfAppV2 {
			if rt := get(a.body, "runtime_environment"); rt != nil {
				v, err := j.value(rt, true, nil)
				if err != nil {
					return nil, nil, err
				}
				if !strings.HasPrefix(strings.ToUpper(ctyText(v)), "SQL") {
					continue
				}
			}
		}
		sqlApps = append(sqlApps, a)
		names = append(names, fmt.Sprintf("%s.%s (line %d)", a.typ, a.name, a.body.Line))
	}
	var app tfJSONResource
	switch {
	case len(sqlApps) == 0:
		return nil, nil, fmt.Errorf("%s: no resource %q or %q (runtime_environment SQL-1_0)", path, tfApp, tfAppV2)
	case o.App != "":
		found := false
		for _, a := range sqlApps {
			name, _ := j.value(orEmpty(get(a.body, "name")), true, nil)
			if o.App == a.name || o.App == a.typ+"."+a.name || (name.Type() == cty.String && o.App == ctyText(name)) {
				app, found = a, true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("%s: --app %s: no such application; found %s", path, o.App, strings.Join(names, ", "))
		}
	case len(sqlApps) > 1:
		return nil, nil, fmt.Errorf("%s: %d applications are defined; choose one with --app NAME: %s", path, len(sqlApps), strings.Join(names, ", "))
	default:
		app = sqlApps[0]
	}
	n := &native{file: path, dir: dir, format: FormatTerraform, origin: map[*yaml.Node]string{}}
	schema := tfV1
	if app.typ == tfAppV2 {
		schema = tfV2
	}
	root := newMap(app.body.Line)
	addr := app.typ + "." + app.name
	if err := j.walk(n, app.body, schema, root, addr, nil); err != nil {
		return nil, nil, err
	}
	if err := t.fixups(n, root, tfResource{typ: app.typ, name: app.name, file: path}); err != nil {
		return nil, nil, err
	}
	n.root = root
	return n.finish()
}

type tfJSONResource struct {
	typ, name string
	body      *yaml.Node
}

type tfJSON struct {
	tf   *tf
	file string
}

// template parses a JSON string as a Terraform template.
func (j *tfJSON) template(s *yaml.Node) (hclsyntax.Expression, error) {
	e, diags := hclsyntax.ParseTemplate([]byte(s.Value), j.file, hcl.Pos{Line: s.Line, Column: s.Column, Byte: 0})
	if diags.HasErrors() {
		return nil, tfDiagError(diags)
	}
	return e, nil
}

// expr is the template of a JSON string that holds one, else nil.
func (j *tfJSON) expr(v *yaml.Node) hclsyntax.Expression {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !strings.Contains(v.Value, "${") {
		return nil
	}
	e, err := j.template(v)
	if err != nil {
		return nil
	}
	return e
}

// deps lists what the JSON value v depends on that is known only after
// apply (tf.deps of its template), for a value whose marks an operation
// dropped.
func (j *tfJSON) deps(v *yaml.Node) func() []string {
	return func() []string {
		if e := j.expr(v); e != nil {
			return j.tf.deps(e, map[string]bool{})
		}
		return nil
	}
}

func (j *tfJSON) collectRefs(n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.Contains(n.Value, "${") {
		if e, err := j.template(n); err == nil {
			for _, tr := range e.Variables() {
				j.tf.addRef(tr)
			}
		}
	}
	for _, c := range n.Content {
		j.collectRefs(c)
	}
}

// value turns a JSON value into a cty value, evaluating strings as
// templates when eval is set.
func (j *tfJSON) value(n *yaml.Node, eval bool, extra map[string]cty.Value) (cty.Value, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			if !eval || !strings.Contains(n.Value, "${") {
				return cty.StringVal(strings.ReplaceAll(n.Value, "$${", "${")), nil
			}
			e, err := j.template(n)
			if err != nil {
				return cty.NilVal, err
			}
			return j.tf.value(e, extra)
		case "!!int", "!!float":
			f, _, err := big.ParseFloat(n.Value, 10, 512, big.ToNearestEven)
			if err != nil {
				return cty.NilVal, fmt.Errorf("%s:%d: %v", j.file, n.Line, err)
			}
			return cty.NumberVal(f), nil
		case "!!bool":
			return cty.BoolVal(n.Value == "true"), nil
		}
		return cty.NullVal(cty.DynamicPseudoType), nil
	case yaml.SequenceNode:
		var vals []cty.Value
		for _, c := range n.Content {
			v, err := j.value(c, eval, extra)
			if err != nil {
				return cty.NilVal, err
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(vals), nil
	case yaml.MappingNode:
		attrs := map[string]cty.Value{}
		for _, k := range keys(n) {
			v, err := j.value(get(n, k), eval, extra)
			if err != nil {
				return cty.NilVal, err
			}
			attrs[k] = v
		}
		if len(attrs) == 0 {
			return cty.EmptyObjectVal, nil
		}
		return cty.ObjectVal(attrs), nil
	}
	return cty.NilVal, fmt.Errorf("%s:%d: unexpected value", j.file, n.Line)
}

var tfJSONFile = regexp.MustCompile(`^\$\{file\("([^"]+)"\)\}$`)

// walk maps a JSON block body onto the native mapping out; extra holds
// the iterators of the dynamic blocks it is inside.
func (j *tfJSON) walk(n *native, body *yaml.Node, s tfSchema, out *yaml.Node, path string, extra map[string]cty.Value) error {
	if body.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: %s: expected an object", n.file, body.Line, path)
	}
	for _, m := range members(body, path) {
		k, v, line, p := m.key, m.val, m.line, m.path
		if k == "//" {
			continue
		}
		if k == "dynamic" {
			if err := j.dynamic(n, v, s, out, path, extra); err != nil {
				return err
			}
			continue
		}
		f, ok := s[k]
		switch {
		case !ok:
			n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown argument (line %d), ignored", n.file, p, line))
			continue
		case f.ignored:
			n.ignored = append(n.ignored, p)
			continue
		case f.block == nil:
			val, err := j.value(v, true, extra)
			if err != nil {
				return err
			}
			if val, err = known(val, f.native, n.file, line, p, j.deps(v)); err != nil {
				return err
			}
			node, err := ctyNode(val, line)
			if err != nil {
				return fmt.Errorf("%s:%d: %s: %v", n.file, line, p, err)
			}
			n.origin[node] = p
			put(out, f.native, line, node)
			if f.native == "ApplicationCode" && v.Kind == yaml.ScalarNode {
				if m := tfJSONFile.FindStringSubmatch(v.Value); m != nil {
					n.codePath, n.codeLine = filepath.Join(j.tf.dir, m[1]), 1
				}
			}
			continue
		}
		for _, item := range oneOrMany(v) {
			target, bp, err := n.blockTarget(out, f, p, k, line, item.Line)
			if err != nil {
				return err
			}
			if err := j.walk(n, item, *f.block, target, bp, extra); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonMember is one member of a JSON object: its key, value, the key's
// line and the member's path.
type jsonMember struct {
	key  string
	val  *yaml.Node
	line int
	path string
}

// members lists the members of the JSON object obj, below path, in order.
func members(obj *yaml.Node, path string) []jsonMember {
	var out []jsonMember
	for _, k := range keys(obj) {
		kn, v := getKV(obj, k)
		out = append(out, jsonMember{k, v, kn.Line, path + "." + k})
	}
	return out
}

// oneOrMany is a JSON block value: one object, or an array of them.
func oneOrMany(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// dynamic expands the dynamic blocks of a JSON body, as tf.walk does in
// HCL: {"TYPE": {"for_each": ..., "iterator": "NAME", "content": {...}}},
// or an array of such objects for several dynamic blocks of one type.
func (j *tfJSON) dynamic(n *native, v *yaml.Node, s tfSchema, out *yaml.Node, path string, extra map[string]cty.Value) error {
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: %s.dynamic: expected an object of block types", n.file, v.Line, path)
	}
	for _, m := range members(v, path) {
		typ, bv, line, p := m.key, m.val, m.line, m.path
		f, ok := n.blockField(s, typ, p, line)
		if !ok {
			continue
		}
		for _, b := range oneOrMany(bv) {
			fe, content := get(b, "for_each"), get(b, "content")
			switch {
			case fe == nil:
				return fmt.Errorf("%s:%d: dynamic %q: for_each missing", n.file, b.Line, typ)
			case content == nil:
				return fmt.Errorf("%s:%d: dynamic %q: content block missing", n.file, b.Line, typ)
			}
			iter := typ
			if it := get(b, "iterator"); it != nil {
				iter = scalarText(it)
			}
			coll, err := j.value(fe, true, extra)
			if err != nil {
				return err
			}
			if e := j.expr(fe); e != nil {
				j.tf.iters[iter] = e
			}
			each, err := dynamicEach(coll, j.deps(fe), n.file, fe.Line, typ, iter, extra)
			if err != nil {
				return err
			}
			for _, ex := range each {
				target, bp, err := n.blockTarget(out, f, p, typ, line, content.Line)
				if err != nil {
					return err
				}
				if err := j.walk(n, content, *f.block, target, bp, ex); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
