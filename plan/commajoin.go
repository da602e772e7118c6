package plan

import (
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/parser"
)

// commaFrom plans FROM a, b, c as the inner joins it means: each item is
// joined to those before it, and each WHERE conjunct becomes part of the
// ON condition of the first join whose columns it can be computed from
// (so stream-to-table equalities are hash lookups). The conjuncts that
// fit no join (none of the items', or invalid) stay in the returned WHERE.
func (p *planner) commaFrom(s *parser.Select) (rel, parser.Expr, bool) {
	rels := make([]rel, len(s.From))
	ok := true
	for i, f := range s.From {
		r, good := p.from(f)
		ok = ok && good
		rels[i] = r
	}
	if !ok {
		return nil, nil, false
	}
	var conj []parser.Expr
	if s.Where != nil {
		conj = conjuncts(s.Where)
	}
	used := make([]bool, len(conj))
	acc, accItem := rels[0], s.From[0]
	for i := 1; i < len(rels); i++ {
		left, right, rightItem := acc, rels[i], s.From[i]
		if _, isTable := left.(*tableOnlyRel); isTable {
			if _, rTable := right.(*tableOnlyRel); !rTable {
				// The stream drives the lookup, whichever comes first.
				left, right, rightItem = right, left, accItem
			}
		}
		cols := append(append([]relCol(nil), left.columns()...), right.columns()...)
		var on []parser.Expr
		for k, c := range conj {
			if used[k] {
				continue
			}
			if _, err := expr.Compile(c, &relScope{cols: cols, hasRowtime: true}); err == nil {
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
