package parser

import (
	"strings"
	"testing"
)

// Expressions nested past MaxDepth are a positioned error naming the
// bound, in time linear in their length, instead of a stack overflow in a
// later stage; the statements after them are still checked.
func TestDeepNestingIsAPositionedError(t *testing.T) {
	head := "SELECT STREAM "
	tests := []struct{ name, expr, where string }{
		{"300k + terms", strings.Repeat("A + ", 300000) + "1", "f.sql:1:"},
		{"1M parentheses", strings.Repeat("(", 1000000) + "1" + strings.Repeat(")", 1000000), "f.sql:1:10014:"},
		{"unary minus", strings.Repeat("- ", 20000) + "1", "f.sql:1:"},
		{"NOT", strings.Repeat("NOT ", 20000) + "TRUE", "f.sql:1:"},
		{"subqueries", strings.Repeat("(SELECT STREAM * FROM ", 20000) + "S" + strings.Repeat(")", 20000), "f.sql:1:"},
	}
	for _, tt := range tests {
		src := head + tt.expr + " FROM S;\nSELECT STREAM FROM;"
		if tt.name == "subqueries" {
			src = head + "* FROM " + tt.expr + ";\nSELECT STREAM FROM;"
		}
		_, err := ParseScript("f.sql", src)
		el, ok := err.(ErrorList)
		if !ok || len(el) != 2 {
			t.Fatalf("%s: %.300v", tt.name, err)
		}
		if msg := el[0].Error(); !strings.HasPrefix(msg, tt.where) || !strings.Contains(msg, "expression nested too deeply: more than 10000 levels") {
			t.Errorf("%s: %.300s", tt.name, msg)
		}
		if el[1].Pos.Line != 2 {
			t.Errorf("%s: the next statement is not checked: %v", tt.name, el[1])
		}
	}
	// At the bound, a chain parses.
	if _, err := ParseExpr(strings.Repeat("A + ", MaxDepth-5) + "1"); err != nil {
		t.Errorf("%d terms: %.200v", MaxDepth-5, err)
	}
}
