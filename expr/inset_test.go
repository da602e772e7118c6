package expr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

func TestInSubquery(t *testing.T) {
	dec := value.Type{Base: value.TDecimal, Precision: 6, Scale: 2}
	tests := []struct {
		src  string
		t    value.Type
		vals []value.Value
		want string
	}{
		{"S IN (SELECT x FROM t)", value.Type{Base: value.TVarchar, Len: 4}, []value.Value{value.NewString("AAPL"), value.NewString("AMZN")}, "TRUE"},
		{"S IN (SELECT x FROM t)", value.Type{Base: value.TVarchar, Len: 4}, []value.Value{value.NewString("AAPL")}, "FALSE"},
		{"S IN (SELECT x FROM t)", value.Type{Base: value.TVarchar, Len: 4}, []value.Value{value.NewString("AAPL"), value.Null}, ""},
		{"S NOT IN (SELECT x FROM t)", value.Type{Base: value.TVarchar, Len: 4}, []value.Value{value.NewString("AAPL"), value.Null}, ""},
		{"S NOT IN (SELECT x FROM t)", value.Type{Base: value.TVarchar, Len: 4}, []value.Value{value.NewString("AAPL")}, "TRUE"},
		// A NULL x: NULL, except against an empty subquery.
		{"N IN (SELECT x FROM t)", value.Integer, []value.Value{value.NewInt(1)}, ""},
		{"N IN (SELECT x FROM t)", value.Integer, nil, "FALSE"},
		{"N NOT IN (SELECT x FROM t)", value.Integer, nil, "TRUE"},
		// Numbers by value: INTEGER 154 is DECIMAL 154.00; DOUBLE 2.5 is DECIMAL 2.50.
		{"I IN (SELECT x FROM t)", dec, []value.Value{value.NewDecimal(15400, 2)}, "TRUE"},
		{"D IN (SELECT x FROM t)", dec, []value.Value{value.NewDecimal(250, 2)}, "TRUE"},
		{"M IN (SELECT x FROM t)", value.Double, []value.Value{value.NewFloat(12.5)}, "TRUE"},
		{"M IN (SELECT x FROM t)", value.Double, []value.Value{value.NewFloat(12.51)}, "FALSE"},
	}
	for _, tc := range tests {
		var rows [][]value.Value
		for _, v := range tc.vals {
			rows = append(rows, []value.Value{v})
		}
		checkSet(t, tc.src, []value.Type{tc.t}, rows, tc.want)
	}
}

func TestInSubqueryErrors(t *testing.T) {
	e, _ := parser.ParseExpr("S IN (SELECT x FROM t)")
	if _, err := Compile(e, rowScope{}); err == nil || !strings.Contains(err.Error(), "a subquery in IN is not allowed here") {
		t.Errorf("a scope without subqueries: %v", err)
	}
	e, _ = parser.ParseExpr("I IN (SELECT x FROM t)")
	if _, err := Compile(e, &rowsScope{types: []value.Type{{Base: value.TVarchar, Len: 4}}, got: new(*InSet)}); err == nil || !strings.Contains(err.Error(), "cannot compare INTEGER with VARCHAR(4) in IN") {
		t.Errorf("types: %v", err)
	}
}

// Row values compare column by column: equal everywhere is TRUE; a row
// that differs only where one side is NULL makes a miss NULL.
func TestInSubqueryRows(t *testing.T) {
	str := value.Type{Base: value.TVarchar, Len: 8}
	rows := func(rs ...[]value.Value) [][]value.Value { return rs }
	s := value.NewString
	tests := []struct {
		src  string
		rows [][]value.Value
		want string
	}{
		{"(S, I) IN (SELECT a, b FROM t)", rows([]value.Value{s("AMZN"), value.NewInt(154)}), "TRUE"},
		{"(S, I) IN (SELECT a, b FROM t)", rows([]value.Value{s("AMZN"), value.NewInt(1)}), "FALSE"},
		{"(S, I) IN (SELECT a, b FROM t)", rows([]value.Value{s("AMZN"), value.Null}), ""},
		{"(S, I) IN (SELECT a, b FROM t)", rows([]value.Value{s("AAPL"), value.Null}), "FALSE"},
		{"(S, N) IN (SELECT a, b FROM t)", rows([]value.Value{s("AMZN"), value.NewInt(1)}), ""},
		{"(S, N) IN (SELECT a, b FROM t)", rows([]value.Value{s("AAPL"), value.NewInt(1)}), "FALSE"},
		{"(S, N) NOT IN (SELECT a, b FROM t)", rows([]value.Value{s("AAPL"), value.NewInt(1)}), "TRUE"},
		{"(S, N) NOT IN (SELECT a, b FROM t)", nil, "TRUE"},
		{"(S, D) IN (SELECT a, b FROM t)", rows([]value.Value{s("AMZN"), value.NewDecimal(250, 2)}), "TRUE"},
	}
	for _, tc := range tests {
		types := []value.Type{str, value.Integer}
		if strings.Contains(tc.src, "D)") {
			types[1] = value.Type{Base: value.TDecimal, Precision: 6, Scale: 2}
		}
		checkSet(t, tc.src, types, tc.rows, tc.want)
	}
	e, _ := parser.ParseExpr("(S, I) IN (SELECT a FROM t)")
	if _, err := Compile(e, &rowsScope{types: []value.Type{str}, got: new(*InSet)}); err == nil || !strings.Contains(err.Error(), "returns 1 columns for 2 values") {
		t.Errorf("column count: %v", err)
	}
	e, _ = parser.ParseExpr("(S, I) = (S, I)")
	if _, err := Compile(e, rowScope{}); err == nil || !strings.Contains(err.Error(), "only allowed before IN (SELECT") {
		t.Errorf("a row value elsewhere: %v", err)
	}
}

// rowsScope answers subqueries with a set of the given column types.
type rowsScope struct {
	rowScope
	types []value.Type
	got   **InSet
}

func (r *rowsScope) InSubquery(*parser.InExpr) (*InSet, error) {
	*r.got = &InSet{Types: r.types}
	return *r.got, nil
}

// ExistsSubquery correlates the subquery's columns with the outer S and I.
func (r *rowsScope) ExistsSubquery(*parser.ExistsExpr) (*InSet, []parser.Expr, error) {
	*r.got = &InSet{Types: r.types}
	outer := []parser.Expr{
		&parser.ColumnRef{Parts: []*parser.Ident{{Name: "S"}}},
		&parser.ColumnRef{Parts: []*parser.Ident{{Name: "I"}}},
	}
	return *r.got, outer[:len(r.types)], nil
}

// EXISTS is two-valued: a row equal to the outer values is TRUE, anything
// else (NULLs included) FALSE; without correlations, any row is TRUE.
func TestExists(t *testing.T) {
	str := value.Type{Base: value.TVarchar, Len: 8}
	s := value.NewString
	tests := []struct {
		src   string
		types []value.Type
		rows  [][]value.Value
		want  string
	}{
		{"EXISTS (SELECT 1 FROM t)", []value.Type{str, value.Integer}, [][]value.Value{{s("AMZN"), value.NewInt(154)}}, "TRUE"},
		{"EXISTS (SELECT 1 FROM t)", []value.Type{str, value.Integer}, [][]value.Value{{s("AMZN"), value.Null}}, "FALSE"},
		{"NOT EXISTS (SELECT 1 FROM t)", []value.Type{str, value.Integer}, [][]value.Value{{s("AMZN"), value.Null}}, "TRUE"},
		{"EXISTS (SELECT 1 FROM t)", []value.Type{str}, [][]value.Value{{s("AAPL")}, {s("AMZN")}}, "TRUE"},
		{"EXISTS (SELECT 1 FROM t)", nil, [][]value.Value{{}}, "TRUE"},
		{"EXISTS (SELECT 1 FROM t)", nil, nil, "FALSE"},
	}
	for _, tc := range tests {
		checkSet(t, tc.src, tc.types, tc.rows, tc.want)
	}
}

// checkSet compiles src against a subquery of the given column types,
// fills its set with rows and evaluates src over the test row.
func checkSet(t *testing.T, src string, types []value.Type, rows [][]value.Value, want string) {
	t.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	var set *InSet
	c, err := Compile(e, &rowsScope{types: types, got: &set})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	set.Fill(rows)
	ctx := &eval.Ctx{}
	if got := value.Text(c.Eval(ctx, row), value.Boolean); got != want || ctx.Err != nil {
		t.Errorf("%s over %v = %q (%v), want %q", src, rows, got, ctx.Err, want)
	}
}

// BenchmarkInSubquery: one lookup of x IN (SELECT ...) over 10,000 table
// values, beside the same test as an IN list of 20 literals.
func BenchmarkInSubquery(b *testing.B) {
	str := value.Type{Base: value.TVarchar, Len: 8}
	var rows [][]value.Value
	for i := 0; i < 10000; i++ {
		rows = append(rows, []value.Value{value.NewString(fmt.Sprintf("K%05d", i))})
	}
	var set *InSet
	sub := mustCompile(b, "S IN (SELECT a FROM t)", &rowsScope{types: []value.Type{str}, got: &set})
	set.Fill(rows)
	var lits []string
	for i := 0; i < 20; i++ {
		lits = append(lits, fmt.Sprintf("'K%05d'", i*500))
	}
	list := mustCompile(b, "S IN ("+strings.Join(lits, ", ")+")", rowScope{})
	in := []value.Value{value.Null, value.Null, value.Null, value.NewString("K09999")}
	for _, bc := range []struct {
		name string
		c    *Compiled
	}{{"Subquery10000", sub}, {"List20", list}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := &eval.Ctx{}
			for i := 0; i < b.N; i++ {
				bc.c.Eval(ctx, in)
			}
		})
	}
}

func mustCompile(tb testing.TB, src string, sc Scope) *Compiled {
	tb.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := Compile(e, sc)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
