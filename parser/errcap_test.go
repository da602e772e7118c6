package parser

import (
	"strings"
	"testing"
)

// A file of 100 KB of characters that are each an error keeps MaxErrors
// errors and says it stopped; a long line is echoed as a window around
// the column, with the caret under the right character.
func TestErrorsAreCappedAndLinesCut(t *testing.T) {
	_, err := ParseScript("f.sql", strings.Repeat(":", 100000))
	el := err.(ErrorList)
	if len(el) != MaxErrors+1 || !strings.Contains(el[MaxErrors].Msg, "too many errors (more than 50); stopping here") {
		t.Fatalf("%d errors, last %v", len(el), el[len(el)-1])
	}
	if d := el.Detail(); len(d) > 20000 {
		t.Errorf("detail of %d bytes", len(d))
	}
	src := "SELECT STREAM " + strings.Repeat("A, ", 10000) + "é) " + strings.Repeat(", A", 10000) + " FROM S;"
	_, err = ParseScript("f.sql", src)
	el = err.(ErrorList)
	d := el[0].Detail()
	lines := strings.Split(d, "\n")
	if len(lines) != 3 || len(lines[1]) > 180 || !strings.HasPrefix(lines[1], "    ...") || !strings.HasSuffix(lines[1], "...") {
		t.Fatalf("echo:\n%s", d)
	}
	caret := strings.Index(lines[2], "^")
	if caret < 0 || lines[1][caret] != ')' {
		t.Errorf("caret at %d under %q:\n%s", caret, lines[1][max(caret-3, 0):caret+3], d)
	}
	// Short lines are echoed whole.
	_, err = ParseScript("f.sql", "SELECT STREAM ) FROM S;")
	if d := err.(ErrorList)[0].Detail(); !strings.Contains(d, "\n    SELECT STREAM ) FROM S;\n                  ^") {
		t.Errorf("short line:\n%s", d)
	}
}
