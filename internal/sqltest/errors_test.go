package sqltest

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the ERROR comments of the scripts to the errors found")

// TestErrorScripts runs every testdata/errors/*.test file: parsing or
// planning its SQL must report exactly the errors its ERROR comments name,
// each at the token the comment follows.
func TestErrorScripts(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/errors/*.test")
	if len(files) == 0 {
		t.Fatal("no error scripts found")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			s, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Annotated() {
				t.Fatal("an error script needs ERROR comments")
			}
			if *rewrite {
				if err := s.Rewrite(); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, msg := range Run(s) {
				t.Error(msg)
			}
		})
	}
}

// plannerUnreachable are planner messages no SQL text can produce, because
// the parser rejects the text first; the planner keeps them for trees
// built otherwise.
var plannerUnreachable = map[string]string{
	"unsupported statement":                                 "the parser produces no other statement",
	"unsupported query":                                     "the parser produces no other query",
	"unsupported FROM item":                                 "the parser produces no other FROM item",
	"stream %s needs at least one column":                   "the parser requires a column",
	"a streaming SELECT needs a FROM clause":                "the parser requires FROM",
	"WINDOWED BY STAGGER needs PARTITION BY keys":           "the parser requires PARTITION BY keys",
	"WINDOWED BY STAGGER needs RANGE INTERVAL '...' <unit>": "the parser requires RANGE INTERVAL",
}

// TestEveryPlannerMessageIsTested reads the error messages the planner
// can give (the format strings of its errorf calls) and checks that each
// is produced by some annotated script, so that a new message cannot go
// untested.
func TestEveryPlannerMessageIsTested(t *testing.T) {
	formats := plannerFormats(t)
	if len(formats) < 80 {
		t.Fatalf("found only %d planner messages", len(formats))
	}
	var got []string
	scripts, _ := filepath.Glob("../../testdata/errors/*.test")
	windows, _ := filepath.Glob("../../testdata/windows/*.test")
	for _, f := range append(scripts, windows...) {
		s, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Annotated() {
			continue
		}
		list, err := s.FoundErrors()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			got = append(got, e.Msg)
		}
	}
	for _, f := range formats {
		if _, ok := plannerUnreachable[f.text]; ok {
			continue
		}
		found := false
		for _, m := range got {
			if f.rx.MatchString(m) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no annotated script gives %q", f.where, f.text)
		}
	}
	for text := range plannerUnreachable {
		seen := false
		for _, f := range formats {
			seen = seen || f.text == text
		}
		if !seen {
			t.Errorf("plannerUnreachable lists %q, which the planner no longer has", text)
		}
	}
}

type format struct {
	text, where string
	rx          *regexp.Regexp
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// plannerFormats finds the messages package plan writes: the literal
// format strings of its errorf calls, and the messages it builds for
// errorf or an expr.Error (msg := fmt.Sprintf(...), msg += ..., Msg: ...).
// A format that is only verbs passes another package's message through and
// is skipped; a built message is matched at its start (msg) or anywhere
// (an appended hint).
func plannerFormats(t *testing.T) []format {
	files, _ := filepath.Glob("../../plan/*.go")
	fset := token.NewFileSet()
	var out []format
	add := func(lit ast.Expr, anchorStart, anchorEnd bool) {
		bl, ok := lit.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return
		}
		text, err := strconv.Unquote(bl.Value)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(verb.ReplaceAllString(text, "")) == "" {
			return
		}
		var rx strings.Builder
		if anchorStart {
			rx.WriteString("^")
		}
		last := 0
		for _, m := range verb.FindAllStringIndex(text, -1) {
			rx.WriteString(regexp.QuoteMeta(text[last:m[0]]))
			if text[m[0]:m[1]] == "%%" {
				rx.WriteString("%")
			} else {
				rx.WriteString("(?s:.*)")
			}
			last = m[1]
		}
		rx.WriteString(regexp.QuoteMeta(text[last:]))
		if anchorEnd {
			rx.WriteString("$")
		}
		out = append(out, format{text: text, where: fset.Position(bl.Pos()).String(), rx: regexp.MustCompile(rx.String())})
	}
	sprintf := func(e ast.Expr) ast.Expr {
		call, ok := e.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return nil
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Sprintf" {
			return nil
		}
		return call.Args[0]
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "errorf" && len(x.Args) >= 2 {
					add(x.Args[1], true, true)
				}
			case *ast.AssignStmt:
				if id, ok := x.Lhs[0].(*ast.Ident); ok && id.Name == "msg" && len(x.Rhs) == 1 {
					if lit := sprintf(x.Rhs[0]); lit != nil {
						add(lit, x.Tok != token.ADD_ASSIGN, false)
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Msg" {
					if lit := sprintf(x.Value); lit != nil {
						add(lit, true, false)
					} else {
						add(x.Value, true, true)
					}
				}
			}
			return true
		})
	}
	return out
}
