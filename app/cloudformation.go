package app

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// CloudFormation resource types streamsql maps.
const (
	cfnApp      = "AWS::KinesisAnalytics::Application"
	cfnOutput   = "AWS::KinesisAnalytics::ApplicationOutput"
	cfnRef      = "AWS::KinesisAnalytics::ApplicationReferenceDataSource"
	cfnAppV2    = "AWS::KinesisAnalyticsV2::Application"
	cfnOutputV2 = "AWS::KinesisAnalyticsV2::ApplicationOutput"
	cfnRefV2    = "AWS::KinesisAnalyticsV2::ApplicationReferenceDataSource"
	cfnLogV2    = "AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption"
)

// cfn evaluates a template's intrinsic functions.
type cfn struct {
	file       string
	o          LoadOptions
	params     *yaml.Node
	mappings   *yaml.Node
	conditions *yaml.Node
	resources  *yaml.Node
	condCache  map[string]bool
	appNames   map[string]string // logical ID -> ApplicationName
	warnings   []string
}

// noValue is what Ref AWS::NoValue evaluates to: the key is removed.
var noValue = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!novalue"}

type cfnError struct {
	file string
	line int
	msg  string
}

func (e *cfnError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.file, e.msg)
}

func (c *cfn) errf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &cfnError{file: c.file, line: line, msg: fmt.Sprintf(format, args...)}
}

// intrinsic recognises a function call: a short tag (!Ref x) or a
// one-key mapping ({"Ref": x}, {"Fn::Join": [...]}).
func intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		t := n.Tag[1:]
		a := *n
		a.Tag = ""
		if n.Kind == yaml.ScalarNode {
			a.Tag = "!!str"
		}
		if t == "Ref" || t == "Condition" {
			return t, &a, true
		}
		return "Fn::" + t, &a, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") || k == "Condition" {
			return k, n.Content[1], true
		}
	}
	return "", nil, false
}

// eval returns n with every intrinsic function replaced by its value.
func (c *cfn) eval(n *yaml.Node) (*yaml.Node, error) {
	if name, arg, ok := intrinsic(n); ok {
		if name == "Condition" && n.Kind == yaml.MappingNode {
			// {"Condition": name} is a value only inside Fn::If/And/Or;
			// elsewhere (a resource's Condition key) it is data.
			v, err := c.condition(scalarText(arg), arg)
			if err != nil {
				return nil, err
			}
			return boolNode(v, n.Line), nil
		}
		return c.call(name, arg, n)
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := *n
		out.Content = nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := c.eval(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if v == noValue {
				continue
			}
			out.Content = append(out.Content, n.Content[i], v)
		}
		return &out, nil
	case yaml.SequenceNode:
		out := *n
		out.Content = nil
		for _, e := range n.Content {
			v, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if v == noValue {
				continue
			}
			out.Content = append(out.Content, v)
		}
		return &out, nil
	case yaml.AliasNode:
		return c.eval(n.Alias)
	}
	return n, nil
}

func boolNode(b bool, line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b), Line: line}
}

// str evaluates n to a string.
func (c *cfn) str(n *yaml.Node, what string) (string, error) {
	v, err := c.eval(n)
	if err != nil {
		return "", err
	}
	if v.Kind != yaml.ScalarNode {
		return "", c.errf(n, "%s: expected a string", what)
	}
	return v.Value, nil
}

// list evaluates n to a sequence.
func (c *cfn) list(n *yaml.Node, what string) ([]*yaml.Node, error) {
	v, err := c.eval(n)
	if err != nil {
		return nil, err
	}
	if v.Kind != yaml.SequenceNode {
		return nil, c.errf(n, "%s: expected a list", what)
	}
	return v.Content, nil
}

func (c *cfn) call(name string, arg, at *yaml.Node) (*yaml.Node, error) {
	line := at.Line
	switch name {
	case "Ref":
		id, err := c.str(arg, "Ref")
		if err != nil {
			return nil, err
		}
		return c.ref(id, at)
	case "Fn::GetAtt":
		var parts []string
		if arg.Kind == yaml.ScalarNode {
			id, attr, ok := strings.Cut(arg.Value, ".")
			if !ok {
				return nil, c.errf(at, "Fn::GetAtt %q: want LOGICALID.Attribute", arg.Value)
			}
			parts = []string{id, attr}
		} else {
			l, err := c.list(arg, "Fn::GetAtt")
			if err != nil {
				return nil, err
			}
			for _, e := range l {
				parts = append(parts, scalarText(e))
			}
			if len(parts) != 2 {
				return nil, c.errf(at, "Fn::GetAtt: want [LOGICALID, Attribute]")
			}
		}
		return newStr(c.getAtt(parts[0], parts[1], at), line), nil
	case "Fn::Sub":
		var tmpl string
		vars := map[string]string{}
		if arg.Kind == yaml.SequenceNode {
			if len(arg.Content) != 2 {
				return nil, c.errf(at, "Fn::Sub: want [template, {variables}]")
			}
			t, err := c.str(arg.Content[0], "Fn::Sub")
			if err != nil {
				return nil, err
			}
			tmpl = t
			m, err := c.eval(arg.Content[1])
			if err != nil {
				return nil, err
			}
			for _, k := range keys(m) {
				vars[k] = scalarText(get(m, k))
			}
		} else {
			tmpl = arg.Value
		}
		s, err := c.sub(tmpl, vars, at)
		if err != nil {
			return nil, err
		}
		out := newStr(s, line)
		out.Style = arg.Style
		if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
			out.Style = arg.Content[0].Style
		}
		return out, nil
	case "Fn::Join":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, c.errf(at, "Fn::Join: want [delimiter, [values]]")
		}
		d, err := c.str(arg.Content[0], "Fn::Join delimiter")
		if err != nil {
			return nil, err
		}
		l, err := c.list(arg.Content[1], "Fn::Join")
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, e := range l {
			if e.Kind != yaml.ScalarNode {
				return nil, c.errf(e, "Fn::Join: element is not a string")
			}
			parts = append(parts, e.Value)
		}
		return newStr(strings.Join(parts, d), line), nil
	case "Fn::Select":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, c.errf(at, "Fn::Select: want [index, [values]]")
		}
		is, err := c.str(arg.Content[0], "Fn::Select index")
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, c.errf(at, "Fn::Select: index %q is not a number", is)
		}
		l, err := c.list(arg.Content[1], "Fn::Select")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(l) {
			return nil, c.errf(at, "Fn::Select: index %d outside the %d values", i, len(l))
		}
		return l[i], nil
	case "Fn::Split":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 {
			return nil, c.errf(at, "Fn::Split: want [delimiter, string]")
		}
		d, err := c.str(arg.Content[0], "Fn::Split delimiter")
		if err != nil {
			return nil, err
		}
		s, err := c.str(arg.Content[1], "Fn::Split")
		if err != nil {
			return nil, err
		}
		out := newSeq(line)
		for _, p := range strings.Split(s, d) {
			out.Content = append(out.Content, newStr(p, line))
		}
		return out, nil
	case "Fn::If":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 3 {
			return nil, c.errf(at, "Fn::If: want [condition, value if true, value if false]")
		}
		ok, err := c.condition(scalarText(arg.Content[0]), arg.Content[0])
		if err != nil {
			return nil, err
		}
		if ok {
			return c.eval(arg.Content[1])
		}
		return c.eval(arg.Content[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		v, err := c.boolean(name, arg, at)
		if err != nil {
			return nil, err
		}
		return boolNode(v, line), nil
	case "Condition":
		v, err := c.condition(scalarText(arg), arg)
		if err != nil {
			return nil, err
		}
		return boolNode(v, line), nil
	case "Fn::FindInMap":
		l, err := c.list(arg, "Fn::FindInMap")
		if err != nil {
			return nil, err
		}
		if len(l) < 3 {
			return nil, c.errf(at, "Fn::FindInMap: want [map, top-level key, second-level key]")
		}
		m := get(c.mappings, scalarText(l[0]))
		top := get(m, scalarText(l[1]))
		v := get(top, scalarText(l[2]))
		if v == nil {
			return nil, c.errf(at, "Fn::FindInMap: Mappings.%s.%s.%s not found", scalarText(l[0]), scalarText(l[1]), scalarText(l[2]))
		}
		return c.eval(v)
	case "Fn::Base64":
		s, err := c.str(arg, "Fn::Base64")
		if err != nil {
			return nil, err
		}
		return newStr(base64.StdEncoding.EncodeToString([]byte(s)), line), nil
	case "Fn::ImportValue":
		s, err := c.str(arg, "Fn::ImportValue")
		if err != nil {
			return nil, err
		}
		if v, ok := c.o.Resources[s]; ok {
			return newStr(v, line), nil
		}
		c.warnings = append(c.warnings, fmt.Sprintf("%s:%d: Fn::ImportValue %s: another stack's export is not known here; used %q (give --resource %s=VALUE if it matters)", c.file, line, s, s, s))
		return newStr(s, line), nil
	}
	return nil, c.errf(at, "%s is not supported here", name)
}

var pseudo = map[string]string{
	"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
	"AWS::URLSuffix": "amazonaws.com", "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/streamsql/local",
}

// ref resolves Ref: parameters (--parameter, then Default), pseudo
// parameters, applications (their name), other resources (--resource, else
// the logical ID, which stands for a name or ARN that has no use locally).
func (c *cfn) ref(id string, at *yaml.Node) (*yaml.Node, error) {
	if v, ok := c.o.Parameters[id]; ok {
		return c.paramValue(id, v, at), nil
	}
	if p := get(c.params, id); p != nil {
		if d := get(p, "Default"); d != nil {
			if d.Kind == yaml.ScalarNode {
				return c.paramValue(id, d.Value, at), nil
			}
			return d, nil
		}
		return nil, c.errf(at, "Ref %s: the parameter has no Default; give --parameter %s=VALUE", id, id)
	}
	switch id {
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::StackName":
		return newStr(strings.TrimSuffix(filepath.Base(c.file), filepath.Ext(c.file)), at.Line), nil
	case "AWS::NotificationARNs":
		return newSeq(at.Line), nil
	}
	if v, ok := pseudo[id]; ok {
		return newStr(v, at.Line), nil
	}
	if v, ok := c.o.Resources[id]; ok {
		return newStr(v, at.Line), nil
	}
	if name, ok := c.appNames[id]; ok {
		return newStr(name, at.Line), nil
	}
	if get(c.resources, id) != nil {
		return newStr(id, at.Line), nil
	}
	return nil, c.errf(at, "Ref %s: no parameter or resource of that name", id)
}

// paramValue turns a parameter's text into a list for list-typed
// parameters (CommaDelimitedList, List<...>).
func (c *cfn) paramValue(id, v string, at *yaml.Node) *yaml.Node {
	t := scalarText(get(get(c.params, id), "Type"))
	if t == "CommaDelimitedList" || strings.HasPrefix(t, "List<") {
		out := newSeq(at.Line)
		for _, p := range strings.Split(v, ",") {
			out.Content = append(out.Content, newStr(strings.TrimSpace(p), at.Line))
		}
		return out
	}
	return newStr(v, at.Line)
}

func (c *cfn) getAtt(id, attr string, at *yaml.Node) string {
	if v, ok := c.o.Resources[id+"."+attr]; ok {
		return v
	}
	if v, ok := c.o.Resources[id]; ok {
		return v
	}
	return id + "." + attr
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (c *cfn) sub(tmpl string, vars map[string]string, at *yaml.Node) (string, error) {
	var ferr error
	out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		name = strings.TrimSpace(name)
		if v, ok := vars[name]; ok {
			return v
		}
		if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			return c.getAtt(id, attr, at)
		}
		v, err := c.ref(name, at)
		if err != nil {
			ferr = err
			return m
		}
		if v.Kind == yaml.SequenceNode {
			ferr = c.errf(at, "Fn::Sub: ${%s} is a list", name)
			return m
		}
		return v.Value
	})
	return out, ferr
}

func (c *cfn) condition(name string, at *yaml.Node) (bool, error) {
	if v, ok := c.condCache[name]; ok {
		return v, nil
	}
	def := get(c.conditions, name)
	if def == nil {
		return false, c.errf(at, "condition %q is not defined in Conditions", name)
	}
	c.condCache[name] = false // a cycle evaluates to false rather than looping
	v, err := c.eval(def)
	if err != nil {
		return false, err
	}
	b := v.Value == "true"
	c.condCache[name] = b
	return b, nil
}

func (c *cfn) boolean(name string, arg, at *yaml.Node) (bool, error) {
	l, err := c.list(arg, name)
	if err != nil {
		return false, err
	}
	switch name {
	case "Fn::Equals":
		if len(l) != 2 {
			return false, c.errf(at, "Fn::Equals: want two values")
		}
		return l[0].Value == l[1].Value, nil
	case "Fn::Not":
		if len(l) != 1 {
			return false, c.errf(at, "Fn::Not: want one condition")
		}
		return l[0].Value != "true", nil
	case "Fn::And":
		for _, e := range l {
			if e.Value != "true" {
				return false, nil
			}
		}
		return true, nil
	default: // Fn::Or
		for _, e := range l {
			if e.Value == "true" {
				return true, nil
			}
		}
		return false, nil
	}
}

// cfnResource is one resource of a mapped type.
type cfnResource struct {
	id    string
	typ   string
	line  int
	props *yaml.Node // raw, not yet evaluated
}

// loadCloudFormation maps the Kinesis Analytics resources of a template.
func loadCloudFormation(path string, b []byte, doc *yaml.Node, o LoadOptions) (*Application, []string, error) {
	c := &cfn{file: path, o: o, params: get(doc, "Parameters"), mappings: get(doc, "Mappings"),
		conditions: get(doc, "Conditions"), resources: get(doc, "Resources"), condCache: map[string]bool{}, appNames: map[string]string{}}
	for k, v := range o.Parameters {
		p := get(c.params, k)
		if p == nil && pseudo[k] == "" && k != "AWS::StackName" {
			return nil, nil, fmt.Errorf("%s: --parameter %s: the template has no such parameter", path, k)
		}
		if allowed := get(p, "AllowedValues"); allowed != nil && allowed.Kind == yaml.SequenceNode {
			var vals []string
			ok := false
			for _, a := range allowed.Content {
				vals = append(vals, a.Value)
				ok = ok || a.Value == v
			}
			if !ok {
				return nil, nil, fmt.Errorf("%s:%d: --parameter %s=%s: Parameters.%s.AllowedValues are %s", path, allowed.Line, k, v, k, strings.Join(vals, ", "))
			}
		}
	}
	if c.resources == nil || c.resources.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: Resources: missing or not a mapping", path)
	}
	var apps, parts []cfnResource
	var others []string
	for i := 0; i+1 < len(c.resources.Content); i += 2 {
		k, r := c.resources.Content[i], c.resources.Content[i+1]
		typ := scalarText(get(r, "Type"))
		res := cfnResource{id: k.Value, typ: typ, line: k.Line, props: get(r, "Properties")}
		if cond := scalarText(get(r, "Condition")); cond != "" {
			ok, err := c.condition(cond, get(r, "Condition"))
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
		}
		switch typ {
		case cfnApp:
			apps = append(apps, res)
		case cfnAppV2:
			rt, err := c.eval(orEmpty(get(res.props, "RuntimeEnvironment")))
			if err != nil {
				return nil, nil, err
			}
			if strings.HasPrefix(strings.ToUpper(scalarText(rt)), "SQL") {
				apps = append(apps, res)
			} else {
				others = append(others, fmt.Sprintf("%s (%s %s)", res.id, typ, scalarText(rt)))
			}
		case cfnOutput, cfnRef, cfnOutputV2, cfnRefV2:
			parts = append(parts, res)
		case cfnLogV2:
			// CloudWatch logging: AWS only.
		}
	}
	if len(apps) == 0 {
		msg := fmt.Sprintf("%s: no %s or %s (RuntimeEnvironment SQL-1_0) resource in Resources", path, cfnApp, cfnAppV2)
		if len(others) > 0 {
			msg += "; not SQL: " + strings.Join(others, ", ")
		}
		return nil, nil, fmt.Errorf("%s", msg)
	}
	// Application names first: Ref of an application is its name.
	for _, a := range apps {
		name := a.id
		if nn := get(a.props, "ApplicationName"); nn != nil {
			s, err := c.str(nn, "ApplicationName")
			if err != nil {
				return nil, nil, err
			}
			name = s
		}
		c.appNames[a.id] = name
	}
	app, err := c.pick(apps)
	if err != nil {
		return nil, nil, err
	}
	n := &native{file: path, dir: filepath.Dir(path), format: FormatCloudFormation}
	base := "Resources." + app.id + ".Properties"
	props, err := c.eval(orEmpty(app.props))
	if err != nil {
		return nil, nil, err
	}
	root := newMap(app.line)
	if app.typ == cfnApp {
		root = n.copyTree(props, base, nil)
		if raw := get(app.props, "ApplicationCode"); raw != nil {
			n.codeLine = cfnCodeLine(raw)
		}
	} else {
		for _, k := range keys(props) {
			kn, v := getKV(props, k)
			switch {
			case k == "ApplicationConfiguration":
				if err := n.v2Configuration(root, v, join(base, k), false); err != nil {
					return nil, nil, err
				}
				if tc := get(get(get(get(app.props, k), "ApplicationCodeConfiguration"), "CodeContent"), "TextContent"); tc != nil {
					n.codeLine = cfnCodeLine(tc)
				}
			case awsOnly[k]:
				n.ignored = append(n.ignored, join(base, k))
			default:
				put(root, k, kn.Line, n.copyTree(v, join(base, k), nil))
			}
		}
	}
	if get(root, "ApplicationName") == nil {
		put(root, "ApplicationName", app.line, newStr(c.appNames[app.id], app.line))
	}
	// Outputs and reference data sources are resources of their own that
	// name their application.
	for _, p := range parts {
		if (p.typ == cfnOutput || p.typ == cfnRef) != (app.typ == cfnApp) {
			continue
		}
		owner, err := c.owner(p)
		if err != nil {
			return nil, nil, err
		}
		if owner != app.id {
			continue
		}
		props, err := c.eval(orEmpty(p.props))
		if err != nil {
			return nil, nil, err
		}
		pbase := "Resources." + p.id + ".Properties"
		field, list := "Output", "Outputs"
		if p.typ == cfnRef || p.typ == cfnRefV2 {
			field, list = "ReferenceDataSource", "ReferenceDataSources"
		}
		for _, k := range keys(props) {
			kn, v := getKV(props, k)
			switch k {
			case "ApplicationName":
			case field:
				seq := get(root, list)
				if seq == nil {
					seq = newSeq(kn.Line)
					put(root, list, kn.Line, seq)
				}
				seq.Content = append(seq.Content, n.copyTree(v, join(pbase, k), nil))
			default:
				n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown field (line %d), ignored", path, join(pbase, k), kn.Line))
			}
		}
	}
	n.root = root
	n.warnings = append(c.warnings, n.warnings...)
	return n.finish()
}

func orEmpty(n *yaml.Node) *yaml.Node {
	if n == nil {
		return newMap(0)
	}
	return n
}

// pick chooses the application: the only one, or the one --app names (by
// logical ID or ApplicationName).
func (c *cfn) pick(apps []cfnResource) (cfnResource, error) {
	var names []string
	for _, a := range apps {
		if c.o.App != "" && (c.o.App == a.id || c.o.App == c.appNames[a.id]) {
			return a, nil
		}
		names = append(names, fmt.Sprintf("%s (ApplicationName %s, line %d)", a.id, c.appNames[a.id], a.line))
	}
	if c.o.App != "" {
		return cfnResource{}, fmt.Errorf("%s: --app %s: no such application; the template has %s", c.file, c.o.App, strings.Join(names, ", "))
	}
	if len(apps) > 1 {
		sort.Strings(names)
		return cfnResource{}, fmt.Errorf("%s: the template defines %d applications; choose one with --app NAME: %s", c.file, len(apps), strings.Join(names, ", "))
	}
	return apps[0], nil
}

// owner finds the application an output or reference data source belongs
// to: its ApplicationName is a Ref to the application, or its name.
func (c *cfn) owner(p cfnResource) (string, error) {
	raw := get(p.props, "ApplicationName")
	if raw == nil {
		return "", c.errf(get(c.resources, p.id), "Resources.%s.Properties.ApplicationName: missing", p.id)
	}
	if name, arg, ok := intrinsic(raw); ok && name == "Ref" {
		if _, ok := c.appNames[scalarText(arg)]; ok {
			return scalarText(arg), nil
		}
	}
	s, err := c.str(raw, "ApplicationName")
	if err != nil {
		return "", err
	}
	for id, name := range c.appNames {
		if name == s {
			return id, nil
		}
	}
	return "", nil
}

// cfnCodeLine is the template line where the SQL starts, when the code is
// a block scalar (plain, !Sub or a Fn::Join of one line per element).
func cfnCodeLine(raw *yaml.Node) int {
	if name, arg, ok := intrinsic(raw); ok {
		switch name {
		case "Fn::Sub":
			if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
				return scalarCodeLine(arg.Content[0])
			}
			return scalarCodeLine(arg)
		case "Fn::Join":
			if arg.Kind != yaml.SequenceNode || len(arg.Content) != 2 || arg.Content[0].Value != "\n" || arg.Content[1].Kind != yaml.SequenceNode {
				return 0
			}
			lines := arg.Content[1].Content
			for i, l := range lines {
				if l.Kind != yaml.ScalarNode || strings.Contains(l.Value, "\n") || (i > 0 && l.Line != lines[i-1].Line+1) {
					return 0
				}
			}
			if len(lines) > 0 {
				return lines[0].Line
			}
		}
		return 0
	}
	return scalarCodeLine(raw)
}
