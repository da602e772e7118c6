package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Marshal writes a in the native format: YAML, or JSON when asJSON. The
// code is written inline unless a.ApplicationCodeFile is set, in which
// case it is left to that file.
func Marshal(a *Application, asJSON bool) ([]byte, error) {
	out := *a
	if out.ApplicationCodeFile != "" {
		out.ApplicationCode = ""
	} else {
		// Trailing blanks force a quoted YAML string; a block reads better.
		lines := strings.Split(out.ApplicationCode, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " \t\r")
		}
		out.ApplicationCode = strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
	}
	if asJSON {
		b, err := json.MarshalIndent(&out, "", "  ")
		return append(b, '\n'), err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# A KDA SQL application in the CreateApplication shape (streamsql's native file).\n")
	if a.Format != "" && a.Format != FormatNative {
		fmt.Fprintf(&buf, "# Converted from a %s.\n", a.Format)
	}
	if err := EncodeYAML(&buf, &out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeYAML writes v as YAML with a two-space indent, multi-line text as
// literal blocks and short strings holding control characters or only
// blanks (delimiters such as "\n" or "\t") double-quoted.
func EncodeYAML(w io.Writer, v any) error {
	// yaml.v3 loses a lone "\n" string in a round trip of its own; JSON
	// keeps it, and JSON text is YAML.
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return err
	}
	var fix func(*yaml.Node)
	fix = func(n *yaml.Node) {
		n.Style = 0
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			if strings.ContainsAny(n.Value, "\r\t") || strings.TrimSpace(n.Value) == "" || (strings.Contains(n.Value, "\n") && len(strings.TrimSpace(n.Value)) < 2) {
				n.Style = yaml.DoubleQuotedStyle
			} else if strings.Contains(n.Value, "\n") {
				n.Style = yaml.LiteralStyle
			}
		}
		for _, c := range n.Content {
			fix(c)
		}
	}
	fix(&n)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	return enc.Close()
}

// RelativeCodeFile points ApplicationCodeFile at the SQL file the
// application was read from, relative to the folder of a file written at
// outPath; it reports false when the code did not come from a file of its
// own (inline code, heredocs, template strings).
func RelativeCodeFile(a *Application, outPath string) bool {
	if a.CodeLine != 1 || !strings.EqualFold(filepath.Ext(a.CodePath), ".sql") {
		return false
	}
	from, err1 := filepath.Abs(filepath.Dir(outPath))
	to, err2 := filepath.Abs(a.CodePath)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(from, to)
	if err != nil {
		return false
	}
	a.ApplicationCodeFile = filepath.ToSlash(rel)
	return true
}
