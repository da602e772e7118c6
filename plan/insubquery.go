package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// tableSet is the subquery of one x IN (SELECT c, ... FROM "TABLE" [WHERE
// p]): a reference table's rows, filtered and projected, read into an
// expr.InSet when the run starts and whenever the table is replaced.
type tableSet struct {
	table string
	items []eval.Func
	where eval.Func // nil: every row
	set   *expr.InSet
}

// fill evaluates the subquery over the table's rows; a row whose WHERE or
// column fails to evaluate goes to error_stream and is left out.
func (ts *tableSet) fill(rows [][]value.Value, errs operators.ErrorSink) {
	ctx := &eval.Ctx{}
	out := make([][]value.Value, 0, len(rows))
	for _, row := range rows {
		ctx.Err = nil
		if ts.where != nil {
			if w := ts.where(ctx, row); ctx.Err == nil && (w.K == value.KNull || !w.Bool()) {
				continue
			}
		}
		vals := make([]value.Value, len(ts.items))
		for i, f := range ts.items {
			if ctx.Err == nil {
				vals[i] = f(ctx, row)
			}
		}
		if ctx.Err != nil {
			operators.ReportRow(errs, ctx.Err, 0, row, "")
			continue
		}
		out = append(out, vals)
	}
	ts.set.Fill(out)
}

// subqueryScope gives the planner's scopes the subqueries of IN and
// EXISTS.
type subqueryScope struct {
	expr.Scope
	p *planner
}

func (s subqueryScope) InSubquery(x *parser.InExpr) (*expr.InSet, error) {
	return s.p.inSubquery(x)
}

func (s subqueryScope) ExistsSubquery(x *parser.ExistsExpr) (*expr.InSet, []parser.Expr, error) {
	return s.p.existsSubquery(x)
}

func subqueryErr(n parser.Node, format string, args ...any) error {
	return &expr.Error{Pos: n.Pos(), Msg: fmt.Sprintf(format, args...)}
}

// tableSubquery checks the subquery q of IN or EXISTS (what): one SELECT
// over one reference table, which it returns with a scope of the table's
// columns. Only a reference table can be read: a stream never ends, so
// whether a row is in it is never known.
func (p *planner) tableSubquery(q parser.Query, what string) (*parser.Select, *Table, *relScope, error) {
	const form = `SELECT ... FROM "TABLE" [WHERE ...]`
	sel, ok := q.(*parser.Select)
	if !ok {
		return nil, nil, nil, subqueryErr(q, "a subquery in %s is one %s over a reference table, not a UNION", what, form)
	}
	if len(sel.From) != 1 {
		return nil, nil, nil, subqueryErr(sel, "a subquery in %s reads one reference table: %s", what, form)
	}
	tr, ok := sel.From[0].(*parser.TableRef)
	if !ok {
		return nil, nil, nil, subqueryErr(sel.From[0], "a subquery in %s reads one reference table by name: %s", what, form)
	}
	name := tr.Name.Name
	t := p.cat.Table(name)
	switch {
	case t == nil && p.cat.Stream(name) != nil:
		return nil, nil, nil, subqueryErr(tr, "%s cannot read stream %s: a stream never ends, so whether a row is in it is never known; read a reference table, or join the stream", what, quoteName(name))
	case t == nil:
		return nil, nil, nil, subqueryErr(tr.Name, "unknown reference table %s in the subquery of %s", quoteName(name), what)
	case sel.Stream:
		return nil, nil, nil, subqueryErr(sel, "the subquery of %s reads reference table %s: write SELECT without STREAM", what, quoteName(name))
	case tr.Over != nil || tr.OverName != nil:
		return nil, nil, nil, subqueryErr(tr, "a reference table has no window")
	case len(sel.GroupBy) > 0 || sel.Stagger != nil || sel.Having != nil || len(sel.Windows) > 0 || len(sel.OrderBy) > 0:
		return nil, nil, nil, subqueryErr(sel, "a subquery in %s is %s; GROUP BY, HAVING, WINDOW and ORDER BY are not supported there", what, form)
	}
	quals := []string{name, tableMarker}
	if tr.Alias != nil {
		quals = []string{tr.Alias.Name, name, tableMarker}
	}
	cols := make([]relCol, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = relCol{Quals: quals, Name: c.Name, Type: c.Type}
	}
	return sel, t, &relScope{cols: cols}, nil
}

// tableExpr compiles e of a subquery over a table; hint is added to an
// unknown name's error.
func tableExpr(e parser.Expr, sc *relScope, hint string) (*expr.Compiled, error) {
	c, err := expr.Compile(e, sc)
	if unknownName(err) {
		err.(*expr.Error).Msg += " (" + hint + ")"
	}
	return c, err
}

// unknownName reports whether err is a name the scope does not know.
func unknownName(err error) bool {
	e, ok := err.(*expr.Error)
	return ok && strings.HasPrefix(e.Msg, "unknown ")
}

func onlyTable(what string, t *Table) string {
	return fmt.Sprintf("a subquery in %s reads only the columns of %s", what, quoteName(t.Name))
}

// tableWhere compiles the table-only condition of a subquery.
func tableWhere(ts *tableSet, where parser.Expr, sc *relScope, t *Table, what string) error {
	if where == nil {
		return nil
	}
	w, err := tableExpr(where, sc, onlyTable(what, t))
	if err != nil {
		return err
	}
	if w.Type.Base != value.TBoolean && w.Type.Base != value.TUnknown {
		return subqueryErr(where, "WHERE needs a BOOLEAN condition, not %s", w.Type)
	}
	ts.where = w.Eval
	return nil
}

// inSubquery plans x IN (SELECT c, ... FROM "TABLE" [WHERE p]). The
// subquery is not correlated: it names only the table's columns.
func (p *planner) inSubquery(x *parser.InExpr) (*expr.InSet, error) {
	sel, t, sc, err := p.tableSubquery(x.Query, "IN")
	if err != nil {
		return nil, err
	}
	ts := &tableSet{table: t.Name, set: &expr.InSet{}}
	for _, it := range sel.Items {
		if it.Star {
			return nil, subqueryErr(it, `list the columns the subquery of IN returns: SELECT "column", ... FROM "TABLE"`)
		}
		c, err := tableExpr(it.Expr, sc, onlyTable("IN", t))
		if err != nil {
			return nil, err
		}
		ts.items = append(ts.items, c.Eval)
		ts.set.Types = append(ts.set.Types, c.Type)
	}
	if err := tableWhere(ts, sel.Where, sc, t, "IN"); err != nil {
		return nil, err
	}
	p.g.inSets = append(p.g.inSets, ts)
	return ts.set, nil
}

// existsSubquery plans EXISTS (SELECT ... FROM "TABLE" [WHERE ...]). Each
// condition of its WHERE either names only the table's columns, or is an
// equality of a table expression and an outer one (the correlation); the
// table's rows passing the first kind give the set of the table sides,
// which the outer sides are looked up in. The select list is not used.
func (p *planner) existsSubquery(x *parser.ExistsExpr) (*expr.InSet, []parser.Expr, error) {
	sel, t, sc, err := p.tableSubquery(x.Query, "EXISTS")
	if err != nil {
		return nil, nil, err
	}
	ts := &tableSet{table: t.Name, set: &expr.InSet{}}
	var own, outer []parser.Expr
	if sel.Where != nil {
		for _, c := range conjuncts(sel.Where) {
			_, err := expr.Compile(c, sc)
			if err == nil {
				own = append(own, c)
				continue
			}
			if !unknownName(err) {
				return nil, nil, err // a mistake in a condition on the table alone
			}
			b, ok := unparen(c).(*parser.BinaryExpr)
			if !ok || b.Op != parser.OpEq {
				_, err = tableExpr(c, sc, fmt.Sprintf("a condition of EXISTS names only the columns of %s, or is an equality of a table value and an outer one", quoteName(t.Name)))
				return nil, nil, err
			}
			tside, oside := b.X, b.Y
			k, err := expr.Compile(tside, sc)
			if err != nil {
				tside, oside = b.Y, b.X
				if k, err = expr.Compile(tside, sc); err != nil {
					return nil, nil, subqueryErr(c, "one side of an equality in EXISTS names only the columns of %s (table value = outer value)", quoteName(t.Name))
				}
			}
			ts.items = append(ts.items, k.Eval)
			ts.set.Types = append(ts.set.Types, k.Type)
			outer = append(outer, oside)
		}
	}
	if err := tableWhere(ts, andExprs(own), sc, t, "EXISTS"); err != nil {
		return nil, nil, err
	}
	p.g.inSets = append(p.g.inSets, ts)
	return ts.set, outer, nil
}
