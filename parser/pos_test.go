package parser

import (
	"strings"
	"testing"
)

// SQL that starts on line 7 of an application file reports the file's
// lines, and the caret shows the right source line.
func TestParseScriptAtLine(t *testing.T) {
	_, err := ParseScriptAt("app.yaml", "CREATE STREAM s (a INTEGER,\n  b VARCHR(4));", 7)
	if err == nil || err.Error() != "app.yaml:8:5: unknown type VARCHR" {
		t.Fatalf("got %v", err)
	}
	if d := err.(ErrorList).Detail(); !strings.Contains(d, "      b VARCHR(4));\n        ^") {
		t.Fatalf("detail:\n%s", d)
	}
	f := NewFileAt("x", "a\nb", 3)
	if got := f.LineText(4); got != "b" {
		t.Errorf("LineText(4) = %q", got)
	}
	if got := f.LineText(2); got != "" {
		t.Errorf("LineText(2) = %q, want nothing above the first line", got)
	}
}
