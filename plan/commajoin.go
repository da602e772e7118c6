package plan

import (
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/parser"
)

// commaFrom plans FROM a, b, c as the inner joins it means: each item is
// joined to those before it, and a WHERE conjunct that reads the item
// joined becomes part of that join's ON condition (so stream-to-table
// equalities are hash lookups). The other conjuncts (of the first item
// alone, of none, or invalid) stay in the returned WHERE, applied after
// the joins, which is the same for inner joins.
func (p *planner) commaFrom(s *parser.Select) (rel, parser.Expr, bool) {
	var rels, tables []rel
	var items, tableItems []parser.FromItem
	ok := true
	for _, f := range s.From {
		r, good := p.from(f)
		ok = ok && good
		// Streams drive the joins: reference tables are looked up from
		// them whatever their place in the list.
		if _, isTable := r.(*tableOnlyRel); isTable {
			tables, tableItems = append(tables, r), append(tableItems, f)
		} else {
			rels, items = append(rels, r), append(items, f)
		}
	}
	if !ok {
		return nil, nil, false
	}
	rels, items = append(rels, tables...), append(items, tableItems...)
	var conj []parser.Expr
	if s.Where != nil {
		conj = conjuncts(s.Where)
	}
	used := make([]bool, len(conj))
	acc, accItem := rels[0], items[0]
	for i := 1; i < len(rels); i++ {
		left, right, rightItem := acc, rels[i], items[i]
		cols := append(append([]relCol(nil), left.columns()...), right.columns()...)
		var on []parser.Expr
		for k, c := range conj {
			if used[k] {
				continue
			}
			if compiles(c, cols) && !compiles(c, left.columns()) {
				on = append(on, c)
				used[k] = true
			}
		}
		j := &parser.Join{Left: accItem, Kind: parser.JoinCross, JoinPos: rightItem.Pos(), Right: rightItem}
		if len(on) > 0 {
			j.Kind, j.On = parser.JoinInner, andExprs(on)
		}
		var good bool
		if acc, good = p.joinRels(j, left, right); !good {
			return nil, nil, false
		}
		accItem = j
	}
	var rest []parser.Expr
	for k, c := range conj {
		if !used[k] {
			rest = append(rest, c)
		}
	}
	return acc, andExprs(rest), true
}

// andExprs is the conjunction of es (nil for none).
func andExprs(es []parser.Expr) parser.Expr {
	var out parser.Expr
	for _, e := range es {
		if out == nil {
			out = e
			continue
		}
		out = &parser.BinaryExpr{X: out, Op: parser.OpAnd, OpPos: e.Pos(), Y: e}
	}
	return out
}

// compiles reports whether e can be computed from cols.
func compiles(e parser.Expr, cols []relCol) bool {
	_, err := expr.Compile(e, &relScope{cols: cols, hasRowtime: true})
	return err == nil
}
