package plan

import (
	"fmt"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// join plans stream JOIN reference-table. Stream-to-stream joins validate
// and are reported as not implemented yet.
func (p *planner) join(j *parser.Join) (rel, bool) {
	left, ok1 := p.from(j.Left)
	right, ok2 := p.from(j.Right)
	if !ok1 || !ok2 {
		return nil, false
	}
	return p.joinRels(j, left, right)
}

// joinRels plans join j of the planned relations left and right.
func (p *planner) joinRels(j *parser.Join, left, right rel) (rel, bool) {
	lt, lIsTable := left.(*tableOnlyRel)
	rt, rIsTable := right.(*tableOnlyRel)
	cols := append(append([]relCol(nil), left.columns()...), right.columns()...)
	switch {
	case lIsTable && rIsTable:
		p.errorf(j.Pos(), "a join of two reference tables has no stream to drive it")
		return nil, false
	case lIsTable:
		_ = lt
		p.errorf(j.Left.Pos(), "put the stream first: FROM stream JOIN %s ON ...", quoteName(lt.table.Name))
		return nil, false
	case !rIsTable:
		return p.streamJoin(j, left, right)
	}
	if w, ok := left.(*windowedRel); ok {
		p.errorf(w.pos, "a join with a reference table needs no window: the table is looked up for every stream row")
		return nil, false
	}
	switch j.Kind {
	case parser.JoinRight, parser.JoinFull:
		p.errorf(j.JoinPos, "%s JOIN with a reference table would emit table rows without a stream row; use INNER or LEFT JOIN", j.Kind)
		return nil, false
	}
	r := &refJoinRel{in: left, table: rt.table, left: j.Kind == parser.JoinLeft, cols: cols}
	// Table columns are NULL on unmatched rows of a LEFT join.
	if r.left {
		for i := len(left.columns()); i < len(cols); i++ {
			cols[i].Type.NotNull = false
		}
	}
	r.desc = fmt.Sprintf("%s JOIN reference table %s", j.Kind, quoteName(rt.table.Name))
	if j.On == nil {
		if j.Kind != parser.JoinCross {
			p.errorf(j.JoinPos, "JOIN needs an ON condition")
			return nil, false
		}
		return r, true
	}
	streamScope := &relScope{cols: left.columns(), hasRowtime: true}
	tableScope := &relScope{cols: right.columns()}
	var residual []parser.Expr
	for _, c := range conjuncts(j.On) {
		if sk, tk, ok := p.equiKey(c, streamScope, tableScope); ok {
			r.streamKeys = append(r.streamKeys, sk)
			r.tableKeys = append(r.tableKeys, tk)
			continue
		}
		residual = append(residual, c)
	}
	if len(residual) > 0 {
		all := &relScope{cols: cols, hasRowtime: true}
		var fs []eval.Func
		for _, e := range residual {
			c, ok := p.predicate(e, all, "ON")
			if !ok {
				return nil, false
			}
			fs = append(fs, c.Eval)
		}
		r.residual = andAll(fs)
		r.desc += " (lookup + condition)"
	} else if len(r.streamKeys) > 0 {
		r.desc += " (hash lookup)"
	}
	r.desc += " ON " + exprLabel(j.On)
	return r, true
}

// equiKey recognises stream-expr = table-column (either way round) whose
// values hash alike, so the join can look rows up instead of scanning.
func (p *planner) equiKey(e parser.Expr, ss, ts *relScope) (eval.Func, int, bool) {
	b, ok := unparen(e).(*parser.BinaryExpr)
	if !ok || b.Op != parser.OpEq {
		return nil, 0, false
	}
	try := func(se, te parser.Expr) (eval.Func, int, bool) {
		cr, ok := unparen(te).(*parser.ColumnRef)
		if !ok {
			return nil, 0, false
		}
		slot, tt, err := ts.Column(cr)
		if err != nil {
			return nil, 0, false
		}
		sc, err := expr.Compile(se, ss)
		if err != nil {
			return nil, 0, false
		}
		if !hashCompatible(sc.Type, tt) {
			return nil, 0, false
		}
		return sc.Eval, slot, true
	}
	if f, slot, ok := try(b.X, b.Y); ok {
		return f, slot, true
	}
	return try(b.Y, b.X)
}

// hashCompatible: value.AppendKey encodes equal values alike within these pairs.
func hashCompatible(a, b value.Type) bool {
	switch {
	case a.IsString() && b.IsString():
		return true
	case a.IsInteger() && b.IsInteger():
		return true
	case a.Base == b.Base && a.Base != value.TChar:
		return true
	}
	return false
}

func conjuncts(e parser.Expr) []parser.Expr {
	if b, ok := unparen(e).(*parser.BinaryExpr); ok && b.Op == parser.OpAnd {
		return append(conjuncts(b.X), conjuncts(b.Y)...)
	}
	return []parser.Expr{e}
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// andAll combines residual conditions; a NULL or false one rejects the row.
func andAll(fs []eval.Func) eval.Func {
	if len(fs) == 1 {
		return fs[0]
	}
	return func(c *eval.Ctx, row []value.Value) value.Value {
		for _, f := range fs {
			if !f(c, row).Bool() {
				return value.NewBool(false)
			}
		}
		return value.NewBool(true)
	}
}
