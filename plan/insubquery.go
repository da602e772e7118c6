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

// subqueryScope gives the planner's scopes the subqueries of IN.
type subqueryScope struct {
	expr.Scope
	p *planner
}

func (s subqueryScope) InSubquery(x *parser.InExpr) (*expr.InSet, error) {
	return s.p.inSubquery(x)
}

// inSubquery plans x IN (SELECT c, ... FROM "TABLE" [WHERE p]). Only a
// reference table can be read: a stream never ends, so whether a value is
// in it is never known. The subquery is not correlated: it names only the
// table's columns.
func (p *planner) inSubquery(x *parser.InExpr) (*expr.InSet, error) {
	fail := func(n parser.Node, format string, args ...any) (*expr.InSet, error) {
		return nil, &expr.Error{Pos: n.Pos(), Msg: fmt.Sprintf(format, args...)}
	}
	const form = `SELECT "column", ... FROM "TABLE" [WHERE ...]`
	sel, ok := x.Query.(*parser.Select)
	if !ok {
		return fail(x.Query, "a subquery in IN is one %s over a reference table, not a UNION", form)
	}
	if len(sel.From) != 1 {
		return fail(sel, "a subquery in IN reads one reference table: %s", form)
	}
	tr, ok := sel.From[0].(*parser.TableRef)
	if !ok {
		return fail(sel.From[0], "a subquery in IN reads one reference table by name: %s", form)
	}
	name := tr.Name.Name
	t := p.cat.Table(name)
	if t == nil {
		if p.cat.Stream(name) != nil {
			return fail(tr, "IN cannot read stream %s: a stream never ends, so whether a value is in it is never known; read a reference table, or join the stream", quoteName(name))
		}
		return fail(tr.Name, "unknown reference table %s in the subquery of IN", quoteName(name))
	}
	switch {
	case sel.Stream:
		return fail(sel, "the subquery of IN reads reference table %s: write SELECT without STREAM", quoteName(name))
	case tr.Over != nil || tr.OverName != nil:
		return fail(tr, "a reference table has no window")
	case len(sel.GroupBy) > 0 || sel.Stagger != nil || sel.Having != nil || len(sel.Windows) > 0 || len(sel.OrderBy) > 0:
		return fail(sel, "a subquery in IN is %s; GROUP BY, HAVING, WINDOW and ORDER BY are not supported there", form)
	}
	for _, it := range sel.Items {
		if it.Star {
			return fail(it, "list the columns the subquery of IN returns: %s", form)
		}
	}
	quals := []string{name, tableMarker}
	if tr.Alias != nil {
		quals = []string{tr.Alias.Name, name, tableMarker}
	}
	cols := make([]relCol, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = relCol{Quals: quals, Name: c.Name, Type: c.Type}
	}
	sc := &relScope{cols: cols}
	own := func(err error) error {
		if e, ok := err.(*expr.Error); ok && strings.HasPrefix(e.Msg, "unknown ") {
			e.Msg += fmt.Sprintf(" (a subquery in IN reads only the columns of %s)", quoteName(name))
		}
		return err
	}
	ts := &tableSet{table: t.Name, set: &expr.InSet{}}
	for _, it := range sel.Items {
		c, err := expr.Compile(it.Expr, sc)
		if err != nil {
			return nil, own(err)
		}
		ts.items = append(ts.items, c.Eval)
		ts.set.Types = append(ts.set.Types, c.Type)
	}
	if sel.Where != nil {
		w, err := expr.Compile(sel.Where, sc)
		if err != nil {
			return nil, own(err)
		}
		if w.Type.Base != value.TBoolean && w.Type.Base != value.TUnknown {
			return fail(sel.Where, "WHERE needs a BOOLEAN condition, not %s", w.Type)
		}
		ts.where = w.Eval
	}
	p.g.inSets = append(p.g.inSets, ts)
	return ts.set, nil
}
