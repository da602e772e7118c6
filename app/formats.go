package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The formats Load recognises, detected from the file's content.
const (
	FormatNative         = "application file"
	FormatDescribe       = "describe-application output (kinesisanalytics)"
	FormatDescribeV2     = "describe-application output (kinesisanalyticsv2)"
	FormatCreateV2       = "CreateApplication request (kinesisanalyticsv2)"
	FormatCloudFormation = "CloudFormation template"
	FormatTerraform      = "Terraform configuration"
)

// LoadOptions carries what some formats need from the command line.
type LoadOptions struct {
	// Parameters gives CloudFormation template parameters (and pseudo
	// parameters such as AWS::Region) their values.
	Parameters map[string]string
	// Resources gives the value of a Ref/!GetAtt of a CloudFormation
	// resource (LOGICALID or LOGICALID.Attribute) or of a Terraform
	// reference (aws_kinesis_stream.clicks.arn, or the address without the
	// attribute).
	Resources map[string]string
	// App picks one application from a file that defines several: its
	// ApplicationName, CloudFormation logical ID or Terraform resource name.
	App string
	// Vars and VarFiles set Terraform input variables (-var, -var-file).
	Vars     map[string]string
	VarFiles []string
}

// LoadWith reads an application definition, detecting its format from the
// content: the native application file (YAML or JSON), `aws
// kinesisanalytics describe-application` or `aws kinesisanalyticsv2
// describe-application` output, a kinesisanalyticsv2 CreateApplication
// request, a CloudFormation template (JSON or YAML, short tags included) or
// Terraform (.tf files; a directory reads every .tf file in it). Warnings
// name every field that is ignored or not honoured.
func LoadWith(path string, o LoadOptions) (*Application, []string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		tf, _ := filepath.Glob(filepath.Join(path, "*.tf"))
		tfJSON, _ := filepath.Glob(filepath.Join(path, "*.tf.json"))
		if len(tf) > 0 || len(tfJSON) != 1 {
			return loadTerraform(path, o)
		}
		path = tfJSON[0]
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if strings.HasSuffix(path, ".tf") || looksLikeHCL(b) {
		return loadTerraform(path, o)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var probe any
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, nil, fmt.Errorf("%s:%s", path, jsonError(b, err))
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var doc *yaml.Node
	if len(root.Content) > 0 {
		doc = root.Content[0]
	}
	switch {
	case doc != nil && doc.Kind == yaml.MappingNode && get(doc, "resource") != nil && (get(get(doc, "resource"), tfApp) != nil || get(get(doc, "resource"), tfAppV2) != nil):
		return loadTerraformJSON(path, doc, o)
	case doc != nil && doc.Kind == yaml.MappingNode && get(doc, "ApplicationDetail") != nil:
		return loadDescribe(path, b, doc, o)
	case doc != nil && doc.Kind == yaml.MappingNode && (get(doc, "Resources") != nil || get(doc, "AWSTemplateFormatVersion") != nil):
		return loadCloudFormation(path, b, doc, o)
	case doc != nil && doc.Kind == yaml.MappingNode && get(doc, "RuntimeEnvironment") != nil && get(doc, "ApplicationConfiguration") != nil:
		return loadCreateV2(path, b, doc, o)
	}
	return loadNative(path, b, &root)
}

var hclStart = regexp.MustCompile(`(?m)^\s*(resource|variable|locals|provider|terraform|module|data|output)\s+("[^"]*"\s*)*\{`)

// looksLikeHCL tells Terraform from YAML/JSON by its block syntax.
func looksLikeHCL(b []byte) bool {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return false
	}
	return hclStart.Match(b)
}

// native is an application in the native shape as a YAML node tree, built
// by each format's mapper. Nodes keep the line of the source file they
// came from; origin names a node's field in the source's own terms.
type native struct {
	file     string
	dir      string
	format   string
	root     *yaml.Node
	codeLine int    // line of the SQL in file, 0 when it does not map
	codePath string // file the SQL came from when not file
	origin   map[*yaml.Node]string
	warnings []string
	ignored  []string // AWS-only fields accepted without effect
}

// finish decodes, validates and reports the tree as an Application.
func (n *native) finish() (*Application, []string, error) {
	var a Application
	if n.root == nil || n.root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: not an application definition (expected a mapping with ApplicationName, ApplicationCode, Inputs...)", n.file)
	}
	if err := n.root.Decode(&a); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", n.file, err)
	}
	warnings := n.warnings
	n.unknownFields(n.root, "", &warnings)
	a.Dir = n.dir
	a.CodePath = n.file
	a.CodeLine = n.codeLine
	a.Format = n.format
	a.FieldError = n.fieldError
	if n.codePath != "" {
		a.CodePath = n.codePath
	} else if n.codeLine == 0 && a.ApplicationCode != "" {
		a.CodePath = n.file + " (ApplicationCode)"
		a.CodeLine = 1
	}
	if err := a.Validate(); err != nil {
		return nil, warnings, n.fieldError(err)
	}
	if a.ApplicationCodeFile != "" {
		p := a.ApplicationCodeFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(a.Dir, p)
		}
		code, err := os.ReadFile(p)
		if err != nil {
			return nil, warnings, fmt.Errorf("%s: ApplicationCodeFile: %w", n.file, err)
		}
		a.ApplicationCode, a.CodePath, a.CodeLine = string(code), p, 1
	}
	if w := n.notHonoured(&a); w != "" {
		warnings = append(warnings, w)
	}
	sort.Strings(n.ignored)
	a.Ignored = dedupe(n.ignored)
	return &a, warnings, nil
}

func dedupe(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// notHonoured names, in one warning, every field the engine accepts but
// cannot honour yet.
func (n *native) notHonoured(a *Application) string {
	var items []string
	add := func(path, why string) {
		where := n.describe(path)
		items = append(items, fmt.Sprintf("  - %s: %s", where, why))
	}
	for i, in := range a.Inputs {
		if in.InputProcessingConfiguration != nil {
			add(fmt.Sprintf("Inputs[%d].InputProcessingConfiguration", i), "the Lambda preprocessor is not run; replay records as the preprocessor would return them")
		}
		if p := in.InputStartingPositionConfiguration; p != nil && p.InputStartingPosition != "" && !strings.EqualFold(p.InputStartingPosition, "TRIM_HORIZON") {
			add(fmt.Sprintf("Inputs[%d].InputStartingPositionConfiguration.InputStartingPosition", i), fmt.Sprintf("%s is not applied; a replay reads its recording from the first record (TRIM_HORIZON)", p.InputStartingPosition))
		}
	}
	for i, r := range a.ReferenceDataSources {
		for j, c := range r.ReferenceSchema.RecordColumns {
			if c.IsDropped {
				add(fmt.Sprintf("ReferenceDataSources[%d].ReferenceSchema.RecordColumns[%d].IsDropped", i, j), "the column is still loaded")
			}
		}
	}
	if len(items) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: not honoured yet (accepted, no effect on the run):\n%s", n.file, strings.Join(items, "\n"))
}

// describe names a native field path with its source line and, where the
// source uses other names, the source's own field name.
func (n *native) describe(path string) string {
	node, key := n.lookup(path)
	s := path
	if node != nil {
		if o := n.origin[node]; o != "" && o != path {
			s = fmt.Sprintf("%s (%s)", o, path)
		}
		line := node.Line
		if key != nil {
			line = key.Line
		}
		if line > 0 {
			s = fmt.Sprintf("%s (line %d)", s, line)
		}
	}
	return s
}

var pathPart = regexp.MustCompile(`^([A-Za-z0-9]+)((?:\[\d+\])*)`)

// lookup finds the deepest node along a native path such as
// Inputs[0].InputSchema.RecordColumns[2].SqlType, and its key node when the
// last step is a mapping key.
func (n *native) lookup(path string) (node, key *yaml.Node) {
	cur := n.root
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil || cur == nil || cur.Kind != yaml.MappingNode {
			return cur, key
		}
		k, v := getKV(cur, m[1])
		if v == nil {
			return cur, key
		}
		cur, key = v, k
		for _, idx := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			i, _ := strconv.Atoi(idx)
			if cur.Kind != yaml.SequenceNode || i >= len(cur.Content) {
				return cur, key
			}
			cur, key = cur.Content[i], nil
		}
	}
	return cur, key
}

// fieldError adds the file, the line and the source's field name to a
// Validate error ("Inputs[0].NamePrefix: missing").
func (n *native) fieldError(err error) error {
	msg := err.Error()
	field, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return fmt.Errorf("%s: %s", n.file, msg)
	}
	node, key := n.lookup(field)
	line := 0
	if key != nil {
		line = key.Line
	} else if node != nil {
		line = node.Line
	}
	where := n.file
	if line > 0 {
		where = fmt.Sprintf("%s:%d", n.file, line)
	}
	if o := n.origin[node]; o != "" && node != nil {
		return fmt.Errorf("%s: %s: %s (in %s)", where, field, rest, o)
	}
	return fmt.Errorf("%s: %s: %s", where, field, rest)
}

// unknownFields walks a mapping node and reports keys the model lacks.
func (n *native) unknownFields(node *yaml.Node, path string, warnings *[]string) {
	known := knownKeys(path)
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i].Value
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			if known != nil && !known[k] && !ignored[k] {
				name := sub
				if o := n.origin[node.Content[i+1]]; o != "" {
					name = o
				}
				*warnings = append(*warnings, fmt.Sprintf("%s: %s: unknown field (line %d), ignored", n.file, name, node.Content[i].Line))
				continue
			}
			n.unknownFields(node.Content[i+1], sub, warnings)
		}
	}
	if node.Kind == yaml.SequenceNode {
		for i, c := range node.Content {
			n.unknownFields(c, fmt.Sprintf("%s[%d]", path, i), warnings)
		}
	}
}

// Node helpers shared by the mappers.

func get(m *yaml.Node, key string) *yaml.Node {
	_, v := getKV(m, key)
	return v
}

func getKV(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func newMap(line int) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line} }
func newSeq(line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
}
func newStr(s string, line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: line}
}

// put adds key: v to the mapping m (replacing an existing key).
func put(m *yaml.Node, key string, line int, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, newStr(key, line), v)
}

// keys lists a mapping's keys in order.
func keys(m *yaml.Node) []string {
	var out []string
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// scalarText is a scalar's text, "" for other kinds.
func scalarText(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
