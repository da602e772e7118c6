package expr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
)

// TestExtremeArgumentsNeverPanic calls every function of the table with
// extreme and odd arguments: the result may be a value, NULL, a row error
// or a plan-time error, but never a panic.
func TestExtremeArgumentsNeverPanic(t *testing.T) {
	pool := []string{
		"9223372036854775807", "(-9223372036854775807 - 1)", "0", "-1", "2147483647", "1e308", "-1e-308", "2.5",
		"''", "'日本語'", "'%h %u'", "'(a)(b)'", "'yyyy'", "'A TYPE INTEGER START 999999999999 FOR 9999999999'",
		"CAST(NULL AS VARCHAR(1))", "N", "S", "T", "TIMESTAMP '9999-12-31 23:59:59.999'", "TIMESTAMP '0001-01-01 00:00:00'",
		"DATE '2000-02-29'", "TIME '23:59:59.999'",
	}
	for _, f := range Functions() {
		if f.Syntax != "" {
			continue
		}
		lo, hi := f.MinArgs, f.MaxArgs
		if hi < 0 || hi > 3 {
			hi = 3
		}
		for n := lo; n <= hi; n++ {
			for _, args := range combos(pool, n) {
				src := f.Name
				if n > 0 || !niladic(f.Name) {
					src += "(" + strings.Join(args, ", ") + ")"
				}
				callNoPanic(t, src)
			}
		}
	}
}

func niladic(name string) bool {
	return strings.HasPrefix(name, "CURRENT_") || strings.HasPrefix(name, "LOCAL")
}

// combos gives n-argument lists: every pair for n <= 2, and for n = 3 the
// pool in each position with the others fixed to a few values.
func combos(pool []string, n int) [][]string {
	switch n {
	case 0:
		return [][]string{nil}
	case 1:
		var out [][]string
		for _, a := range pool {
			out = append(out, []string{a})
		}
		return out
	case 2:
		var out [][]string
		for _, a := range pool {
			for _, b := range pool {
				out = append(out, []string{a, b})
			}
		}
		return out
	}
	var out [][]string
	for _, fill := range []string{"S", "'x'", "1", "-1", "N"} {
		for i := 0; i < n; i++ {
			for _, a := range pool {
				args := make([]string, n)
				for j := range args {
					args[j] = fill
				}
				args[i] = a
				out = append(out, args)
			}
		}
	}
	return out
}

func callNoPanic(t *testing.T, src string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", src, r)
		}
	}()
	e, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c, err := Compile(e, rowScope{})
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Errorf("%s: compile error of type %T: %v", src, err, err)
		}
		return
	}
	ctx := &eval.Ctx{Rowtime: t0, QueryStart: t0, Now: func() int64 { return t0 }}
	_ = fmt.Sprint(c.Eval(ctx, row))
}
