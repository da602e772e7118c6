package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The describe-application shapes name their parts ...Description; these
// map them to the CreateApplication names of the native file.
var describeRenames = map[string]string{
	"InputDescriptions":                       "Inputs",
	"OutputDescriptions":                      "Outputs",
	"ReferenceDataSourceDescriptions":         "ReferenceDataSources",
	"KinesisStreamsInputDescription":          "KinesisStreamsInput",
	"KinesisFirehoseInputDescription":         "KinesisFirehoseInput",
	"InputProcessingConfigurationDescription": "InputProcessingConfiguration",
	"InputLambdaProcessorDescription":         "InputLambdaProcessor",
	"KinesisStreamsOutputDescription":         "KinesisStreamsOutput",
	"KinesisFirehoseOutputDescription":        "KinesisFirehoseOutput",
	"LambdaOutputDescription":                 "LambdaOutput",
	"S3ReferenceDataSourceDescription":        "S3ReferenceDataSource",
}

// awsOnly are fields with no meaning outside AWS: identifiers, status,
// timestamps, versions, roles, logging, tags, Flink and VPC settings. They
// are accepted and listed in one "ignored" warning.
var awsOnly = setOf(`InputId OutputId ReferenceId ApplicationARN ApplicationStatus CreateTimestamp
	LastUpdateTimestamp ApplicationVersionId CloudWatchLoggingOptionDescriptions CloudWatchLoggingOptions
	ServiceExecutionRole ApplicationMaintenanceConfigurationDescription ApplicationMaintenanceConfiguration
	ApplicationVersionUpdatedFrom ApplicationVersionRolledBackFrom ApplicationVersionRolledBackTo
	ApplicationVersionCreateTimestamp ConditionalToken ApplicationMode RunConfigurationDescription RunConfiguration
	ApplicationSnapshotConfigurationDescription ApplicationSnapshotConfiguration
	ApplicationSystemRollbackConfigurationDescription ApplicationSystemRollbackConfiguration
	EnvironmentPropertyDescriptions EnvironmentProperties FlinkApplicationConfigurationDescription
	FlinkApplicationConfiguration VpcConfigurationDescriptions VpcConfigurations
	ZeppelinApplicationConfigurationDescription ZeppelinApplicationConfiguration Tags CodeMD5 CodeSize
	CodeContentType RuntimeEnvironment`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// copyTree copies src into the native shape: keys renamed by renames,
// AWS-only keys dropped (and noted), each node's source path kept.
func (n *native) copyTree(src *yaml.Node, srcPath string, renames map[string]string) *yaml.Node {
	if n.origin == nil {
		n.origin = map[*yaml.Node]string{}
	}
	var out *yaml.Node
	switch src.Kind {
	case yaml.MappingNode:
		out = newMap(src.Line)
		for i := 0; i+1 < len(src.Content); i += 2 {
			k, v := src.Content[i], src.Content[i+1]
			if awsOnly[k.Value] {
				n.ignored = append(n.ignored, join(srcPath, k.Value))
				continue
			}
			name := k.Value
			if r, ok := renames[name]; ok {
				name = r
			}
			put(out, name, k.Line, n.copyTree(v, join(srcPath, k.Value), renames))
		}
	case yaml.SequenceNode:
		out = newSeq(src.Line)
		for i, c := range src.Content {
			out.Content = append(out.Content, n.copyTree(c, fmt.Sprintf("%s[%d]", srcPath, i), renames))
		}
	default:
		c := *src
		out = &c
	}
	n.origin[out] = srcPath
	return out
}

// loadDescribe maps `describe-application` output, v1 or v2.
func loadDescribe(path string, b []byte, doc *yaml.Node, o LoadOptions) (*Application, []string, error) {
	d := get(doc, "ApplicationDetail")
	if d.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s:%d: ApplicationDetail: expected an object", path, d.Line)
	}
	n := &native{file: path, dir: filepath.Dir(path), format: FormatDescribe}
	const base = "ApplicationDetail"
	if cfg := get(d, "ApplicationConfigurationDescription"); cfg != nil || get(d, "RuntimeEnvironment") != nil {
		n.format = FormatDescribeV2
		if err := n.checkRuntime(d, base); err != nil {
			return nil, nil, err
		}
		root := newMap(d.Line)
		for _, k := range keys(d) {
			v := get(d, k)
			switch {
			case k == "ApplicationConfigurationDescription":
				if err := n.v2Configuration(root, v, join(base, k), true); err != nil {
					return nil, nil, err
				}
			case awsOnly[k]:
				n.ignored = append(n.ignored, join(base, k))
			default:
				kn, _ := getKV(d, k)
				put(root, k, kn.Line, n.copyTree(v, join(base, k), describeRenames))
			}
		}
		n.root = root
		return n.finishDescribe()
	}
	n.root = n.copyTree(d, base, describeRenames)
	if c := get(n.root, "ApplicationCode"); c != nil {
		n.codeLine = scalarCodeLine(c)
	}
	return n.finishDescribe()
}

// finishDescribe fills InputParallelism from InAppStreamNames (the count of
// in-application streams) and drops the names.
func (n *native) finishDescribe() (*Application, []string, error) {
	if ins := get(n.root, "Inputs"); ins != nil && ins.Kind == yaml.SequenceNode {
		for _, in := range ins.Content {
			names := get(in, "InAppStreamNames")
			if names == nil {
				continue
			}
			kept := in.Content[:0]
			for i := 0; i+1 < len(in.Content); i += 2 {
				if in.Content[i].Value != "InAppStreamNames" {
					kept = append(kept, in.Content[i], in.Content[i+1])
				}
			}
			in.Content = kept
			if get(in, "InputParallelism") == nil && names.Kind == yaml.SequenceNode && len(names.Content) > 0 {
				p := newMap(names.Line)
				put(p, "Count", names.Line, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(len(names.Content)), Line: names.Line})
				put(in, "InputParallelism", names.Line, p)
			}
		}
	}
	return n.finish()
}

// checkRuntime refuses a v2 application that is not a SQL one.
func (n *native) checkRuntime(m *yaml.Node, base string) error {
	k, rt := getKV(m, "RuntimeEnvironment")
	if rt == nil {
		return nil
	}
	if v := scalarText(rt); !strings.HasPrefix(strings.ToUpper(v), "SQL") {
		return fmt.Errorf("%s:%d: %s: %q is not a SQL application (streamsql runs SQL-1_0 applications only)", n.file, k.Line, join(base, "RuntimeEnvironment"), v)
	}
	return nil
}

// v2Configuration maps a kinesisanalyticsv2 ApplicationConfiguration (or
// its Description) into root: the SQL inputs, outputs and reference data
// sources and the application code.
func (n *native) v2Configuration(root, cfg *yaml.Node, path string, describe bool) error {
	sfx := ""
	if describe {
		sfx = "Description"
	}
	for _, k := range keys(cfg) {
		v := get(cfg, k)
		kn, _ := getKV(cfg, k)
		p := join(path, k)
		switch k {
		case "SqlApplicationConfiguration" + sfx:
			for _, sk := range keys(v) {
				skn, sv := getKV(v, sk)
				native := sk
				if r, ok := describeRenames[sk]; ok {
					native = r
				}
				if native != "Inputs" && native != "Outputs" && native != "ReferenceDataSources" {
					n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown field (line %d), ignored", n.file, join(p, sk), skn.Line))
					continue
				}
				put(root, native, skn.Line, n.copyTree(sv, join(p, sk), describeRenames))
			}
		case "ApplicationCodeConfiguration" + sfx:
			if err := n.v2Code(root, v, p, sfx); err != nil {
				return err
			}
		default:
			if awsOnly[k] {
				n.ignored = append(n.ignored, p)
			} else {
				n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown field (line %d), ignored", n.file, p, kn.Line))
			}
		}
	}
	return nil
}

// v2Code takes the SQL from CodeContent(Description).TextContent, or, for
// code kept in S3, from a file next to the definition named like the S3
// object (the same rule as reference data).
func (n *native) v2Code(root, cc *yaml.Node, path, sfx string) error {
	if t := scalarText(get(cc, "CodeContentType")); t != "" && !strings.EqualFold(t, "PLAINTEXT") {
		k, _ := getKV(cc, "CodeContentType")
		return fmt.Errorf("%s:%d: %s: %q: a SQL application's code is PLAINTEXT", n.file, k.Line, join(path, "CodeContentType"), t)
	}
	content := get(cc, "CodeContent"+sfx)
	cpath := join(path, "CodeContent"+sfx)
	if content == nil {
		return nil
	}
	for _, k := range keys(content) {
		kn, v := getKV(content, k)
		switch k {
		case "TextContent":
			c := n.copyTree(v, join(cpath, k), nil)
			put(root, "ApplicationCode", kn.Line, c)
			n.codeLine = scalarCodeLine(v)
		case "S3ContentLocation", "S3ApplicationCodeLocationDescription":
			key := scalarText(get(v, "FileKey"))
			local := filepath.Join(n.dir, filepath.Base(key))
			if key == "" {
				return fmt.Errorf("%s:%d: %s.FileKey: missing", n.file, kn.Line, join(cpath, k))
			}
			if _, err := os.Stat(local); err != nil {
				return fmt.Errorf("%s:%d: %s: the code is in S3 (%s); save it as %s", n.file, kn.Line, join(cpath, k), key, local)
			}
			put(root, "ApplicationCodeFile", kn.Line, newStr(filepath.Base(key), kn.Line))
		case "ZipFileContent":
			return fmt.Errorf("%s:%d: %s: zipped code is for Flink applications, not SQL", n.file, kn.Line, join(cpath, k))
		default:
			if awsOnly[k] {
				n.ignored = append(n.ignored, join(cpath, k))
			} else {
				n.warnings = append(n.warnings, fmt.Sprintf("%s: %s: unknown field (line %d), ignored", n.file, join(cpath, k), kn.Line))
			}
		}
	}
	return nil
}

// loadCreateV2 maps a kinesisanalyticsv2 CreateApplication request (the
// JSON given to `aws kinesisanalyticsv2 create-application --cli-input-json`).
func loadCreateV2(path string, b []byte, doc *yaml.Node, o LoadOptions) (*Application, []string, error) {
	n := &native{file: path, dir: filepath.Dir(path), format: FormatCreateV2}
	if err := n.checkRuntime(doc, ""); err != nil {
		return nil, nil, err
	}
	root := newMap(doc.Line)
	for _, k := range keys(doc) {
		kn, v := getKV(doc, k)
		switch {
		case k == "ApplicationConfiguration":
			if err := n.v2Configuration(root, v, k, false); err != nil {
				return nil, nil, err
			}
		case awsOnly[k]:
			n.ignored = append(n.ignored, k)
		default:
			put(root, k, kn.Line, n.copyTree(v, k, nil))
		}
	}
	n.root = root
	return n.finish()
}

// scalarCodeLine is the line where a scalar's text starts in the file, or
// 0 when the text's lines do not match the file's (quoted with \n escapes).
func scalarCodeLine(v *yaml.Node) int {
	if v == nil || v.Kind != yaml.ScalarNode {
		return 0
	}
	switch v.Style &^ yaml.TaggedStyle {
	case yaml.LiteralStyle:
		return v.Line + 1
	case yaml.FoldedStyle:
		return 0
	}
	if !strings.Contains(v.Value, "\n") {
		return v.Line
	}
	return 0
}
