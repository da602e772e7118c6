package testrunner

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/agext/levenshtein"
	"gopkg.in/yaml.v3"

	"github.com/streamsql/streamsql/input"
)

// CaseError is a mistake in a case.yaml: the file, the line and the key,
// and what would be valid. It is the user's to fix (exit 2).
type CaseError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *CaseError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// Detail marks the error as a configuration error.
func (e *CaseError) Detail() string { return "streamsql: " + e.Error() }

// Keys lists every key a case.yaml may hold, in the order of the docs.
func Keys() []string {
	var keys []string
	t := reflect.TypeOf(Case{})
	for i := 0; i < t.NumField(); i++ {
		if k := t.Field(i).Tag.Get("yaml"); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}

// ReadCase reads dir/case.yaml. Every key is checked on its own, so an
// error names the key and its line: an unknown key (with the nearest known
// one), a value of the wrong kind, a missing app or expect.
func ReadCase(dir string) (*Case, error) {
	file := filepath.Join(dir, "case.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &CaseError{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &CaseError{File: file, Line: 1, Msg: "a case is a mapping of keys: app, replay, expect... (docs/case-yaml.md)"}
	}
	c := Case{Dir: dir}
	fields := map[string]reflect.Value{}
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if k := v.Type().Field(i).Tag.Get("yaml"); k != "" && k != "-" {
			fields[k] = v.Field(i)
		}
	}
	doc := root.Content[0]
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i], doc.Content[i+1]
		f, ok := fields[key.Value]
		if !ok {
			return nil, &CaseError{File: file, Line: key.Line, Key: key.Value, Msg: "unknown key" + suggestKey(key.Value) + " (keys: " + strings.Join(Keys(), ", ") + ")"}
		}
		if prev, dup := seen[key.Value]; dup {
			return nil, &CaseError{File: file, Line: key.Line, Key: key.Value, Msg: fmt.Sprintf("given twice (first on line %d)", prev)}
		}
		seen[key.Value] = key.Line
		if err := val.Decode(f.Addr().Interface()); err != nil {
			return nil, &CaseError{File: file, Line: val.Line, Key: key.Value, Msg: "want " + kind(f.Type()) + ", got " + describe(val)}
		}
	}
	line := func(k string) int {
		if l, ok := seen[k]; ok {
			return l
		}
		return 0
	}
	switch {
	case c.App == "":
		return nil, &CaseError{File: file, Line: line("app"), Key: "app", Msg: "missing: the application file (app.yaml, a template, a .sql file with schema)"}
	case len(c.Expect) == 0:
		return nil, &CaseError{File: file, Line: line("expect"), Key: "expect", Msg: "missing: the streams to check, STREAM: FILE"}
	case c.FloatTolerance < 0:
		return nil, &CaseError{File: file, Line: line("float_tolerance"), Key: "float_tolerance", Msg: "must not be negative"}
	case c.Start != "" && c.Rate == 0:
		return nil, &CaseError{File: file, Line: line("start"), Key: "start", Msg: "is the start of rate's synthetic clock: give rate too"}
	}
	if c.Start != "" {
		if _, err := input.ParseTime(c.Start); err != nil {
			return nil, &CaseError{File: file, Line: line("start"), Key: "start", Msg: err.Error()}
		}
	}
	return &c, nil
}

func suggestKey(k string) string {
	best, bestD := "", 0
	for _, known := range Keys() {
		if d := levenshtein.Distance(k, known, nil); best == "" || d < bestD {
			best, bestD = known, d
		}
	}
	if best != "" && bestD <= max(2, len(k)/3) {
		return "; did you mean " + best + "?"
	}
	return ""
}

// kind names what a field takes, for messages.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of strings ([a, b])"
	case reflect.Map:
		return "a mapping of NAME: VALUE"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return fmt.Sprintf("%q", n.Value)
}
