package errtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser"
)

func parseErrors(t *testing.T, src string) []*parser.Error {
	t.Helper()
	_, err := parser.ParseScript("x.sql", src)
	var l parser.ErrorList
	if err != nil && !errors.As(err, &l) {
		t.Fatal(err)
	}
	return l
}

func TestCheckAndRewrite(t *testing.T) {
	src := "SELECT STREAM a + FROM s; /* ERROR \"stale\" */\n" +
		"SELECT STREAM CAST(a VARCHAR(4)) FROM s;\n" +
		"SELECT STREAM a, b"
	errs := parseErrors(t, src)
	fails := Check(parser.NewFile("x.sql", src), errs)
	if len(fails) != 4 { // three unexpected errors, one stale comment
		t.Fatalf("check: %q", fails)
	}
	out := Rewrite(src, errs)
	want := "SELECT STREAM a + FROM /* ERROR \"expected an expression, found FROM\" */ s;\n" +
		"SELECT STREAM CAST(a VARCHAR /* ERROR \"expected AS, found VARCHAR\" */(4)) FROM s;\n" +
		"SELECT STREAM a, b /* ERROR NEXT \"expected FROM, found end of input\" */"
	if out != want {
		t.Fatalf("rewrite:\n%s\nwant:\n%s", out, want)
	}
	if fails := Check(parser.NewFile("x.sql", out), parseErrors(t, out)); len(fails) != 0 {
		t.Fatalf("rewritten text does not check: %q", fails)
	}
	if !Has(out) || Has("SELECT 1 /* note */") {
		t.Error("Has")
	}
}

func TestPatternIsReadableAndMatches(t *testing.T) {
	for _, msg := range []string{
		`unknown column AMOUNT; did you mean "Amount"?`,
		`* cannot be used with GROUP BY; list the group keys and aggregates`,
		`"users".* matches no columns`,
		strings.Repeat("word ", 30),
	} {
		p := pattern(msg)
		if len(p) > 60 || strings.Contains(p, `"`) {
			t.Errorf("pattern %q of %q", p, msg)
		}
		w, err := Wants("a /* ERROR \"" + p + "\" */")
		if err != nil || !w[0].Rx.MatchString(msg) {
			t.Errorf("pattern %q does not match %q (%v)", p, msg, err)
		}
	}
}
