package expr

import (
	"sync/atomic"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// SubqueryScope is a Scope that can plan the subquery of x IN (SELECT ...):
// the planner answers with a set over a reference table that the run fills
// (docs/semantics.md: IN with a subquery).
type SubqueryScope interface {
	Scope
	InSubquery(x *parser.InExpr) (*InSet, error)
	// ExistsSubquery plans EXISTS (SELECT ... FROM "TABLE" WHERE ...): the
	// set holds the table side of its correlations (table expression =
	// outer expression), outer their outer sides, to compile in this scope.
	ExistsSubquery(x *parser.ExistsExpr) (set *InSet, outer []parser.Expr, err error)
}

// InSet holds the rows a subquery of x IN (SELECT ...) returns. The planner
// creates it with the subquery's column types; the running plan fills it
// when it starts and again whenever the table is replaced, while no row is
// being evaluated.
type InSet struct {
	Types []value.Type // the subquery's columns
	float []bool       // numbers of that column compare as DOUBLE (a REAL or DOUBLE side)
	cur   atomic.Pointer[inSetData]
}

type inSetData struct {
	keys     map[string]struct{} // rows without a NULL: their columns' keys, concatenated
	rows     [][]string          // every row, one key per column ("" for NULL)
	nullRows [][]string          // the rows with a NULL column
}

// Fill replaces the set's rows (each as wide as Types).
func (s *InSet) Fill(rows [][]value.Value) {
	d := &inSetData{keys: make(map[string]struct{}, len(rows))}
	var buf []byte
	for _, r := range rows {
		comps := make([]string, len(r))
		null := false
		buf = buf[:0]
		for i, v := range r {
			if v.K == value.KNull {
				null = true
				continue
			}
			n := len(buf)
			buf = s.key(buf, i, v)
			comps[i] = string(buf[n:])
		}
		d.rows = append(d.rows, comps)
		if null {
			d.nullRows = append(d.nullRows, comps)
		} else {
			d.keys[string(buf)] = struct{}{}
		}
	}
	s.cur.Store(d)
}

// key appends the encoding of column i's value v, such that values
// comparing equal encode alike: AppendKey already folds integers and
// decimals of equal value; a REAL or DOUBLE on either side makes both
// compare as DOUBLE.
func (s *InSet) key(buf []byte, i int, v value.Value) []byte {
	if s.float != nil && s.float[i] && v.K != value.KFloat {
		v = value.NewFloat(v.Float64())
	}
	return value.AppendKey(buf, v)
}

// lookup is xs IN (set), SQL's way: TRUE when a row equals xs; else NULL
// when a row could equal it but for NULLs; else FALSE (an empty or
// unfilled set: FALSE whatever xs holds).
func (s *InSet) lookup(buf []byte, xs []value.Value) (value.Value, []byte) {
	d := s.cur.Load()
	if d == nil || len(d.rows) == 0 {
		return value.NewBool(false), buf
	}
	buf = buf[:0]
	null := false
	for i, v := range xs {
		if v.K == value.KNull {
			null = true
			break
		}
		buf = s.key(buf, i, v)
	}
	if !null {
		if _, ok := d.keys[string(buf)]; ok {
			return value.NewBool(true), buf
		}
		if len(d.nullRows) == 0 {
			return value.NewBool(false), buf
		}
	}
	comps := make([]string, len(xs))
	for i, v := range xs {
		if v.K != value.KNull {
			comps[i] = string(s.key(nil, i, v))
		}
	}
	rows := d.nullRows
	if null {
		rows = d.rows
	}
	for _, r := range rows {
		if unknown(comps, r) {
			return value.Null, buf
		}
	}
	return value.NewBool(false), buf
}

// unknown reports whether rows a and b (one key per column, "" for NULL)
// are equal wherever both are known.
func unknown(a, b []string) bool {
	for i := range a {
		if a[i] != "" && b[i] != "" && a[i] != b[i] {
			return false
		}
	}
	return true
}

// exists compiles EXISTS (SELECT ...): TRUE when a row of the subquery
// equals the outer values of its correlations (with none: when the
// subquery returns a row), else FALSE; a NULL outer value matches nothing.
func exists(x *parser.ExistsExpr, sc Scope) (*Compiled, error) {
	ss, ok := sc.(SubqueryScope)
	if !ok {
		return nil, errorf(x, "EXISTS (SELECT ...) is not allowed here")
	}
	set, outer, err := ss.ExistsSubquery(x)
	if err != nil {
		return nil, err
	}
	fs, err := setKeys(set, outer, sc, "EXISTS")
	if err != nil {
		return nil, err
	}
	var buf []byte
	xs := make([]value.Value, len(fs))
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		for i, f := range fs {
			if xs[i] = f(c, row); xs[i].K == value.KNull {
				return value.NewBool(false)
			}
		}
		var r value.Value
		r, buf = set.lookup(buf, xs)
		return value.NewBool(r.K != value.KNull && r.Bool())
	}), nil
}

// setKeys compiles the outer values compared with a subquery's columns and
// decides how each column's numbers compare.
func setKeys(set *InSet, lhs []parser.Expr, sc Scope, what string) ([]eval.Func, error) {
	fs := make([]eval.Func, len(lhs))
	set.float = make([]bool, len(lhs))
	isFloat := func(t value.Type) bool { return t.Base == value.TReal || t.Base == value.TDouble }
	for i, e := range lhs {
		c, err := compile(e, sc)
		if err != nil {
			return nil, err
		}
		t := set.Types[i]
		if _, ok := value.Common(c.Type, t); !ok {
			return nil, errorf(e, "cannot compare %s with %s in %s", c.Type, t, what)
		}
		fs[i] = c.Eval
		set.float[i] = c.Type.IsNumeric() && t.IsNumeric() && (isFloat(c.Type) || isFloat(t))
	}
	return fs, nil
}

// inSubquery compiles x [NOT] IN (SELECT ...) (x a value or a row value
// (a, b, ...)) against a set the scope plans.
func inSubquery(x *parser.InExpr, sc Scope) (*Compiled, error) {
	ss, ok := sc.(SubqueryScope)
	if !ok {
		return nil, errorf(x.Query, "a subquery in IN is not allowed here")
	}
	lhs := []parser.Expr{x.X}
	if row, ok := x.X.(*parser.RowExpr); ok {
		lhs = row.Items
	}
	set, err := ss.InSubquery(x)
	if err != nil {
		return nil, err
	}
	if len(set.Types) != len(lhs) {
		return nil, errorf(x.Query, "the subquery of IN returns %d columns for %d values", len(set.Types), len(lhs))
	}
	fs, err := setKeys(set, lhs, sc, "IN")
	if err != nil {
		return nil, err
	}
	not := x.Not
	var buf []byte
	xs := make([]value.Value, len(fs))
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		for i, f := range fs {
			xs[i] = f(c, row)
		}
		var r value.Value
		r, buf = set.lookup(buf, xs)
		if not && r.K != value.KNull {
			r = value.NewBool(!r.Bool())
		}
		return r
	}), nil
}
