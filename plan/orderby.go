package plan

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// orderBy adds ORDER BY to a planned select: the keys are computed with
// the select list (by the same scope), carried as extra columns, and a
// Sort operator orders each batch of rows sharing the leading key. The
// leading key must be time-based (a function of ROWTIME) or MONOTONIC.
// in are the columns of the select's input, for checking the leading key.
func (p *planner) orderBy(order []*parser.OrderItem, items []*parser.SelectItem, top *selectRel, sc expr.Scope, in []relCol) (rel, bool) {
	if len(order) == 0 {
		return top, true
	}
	exprs := top.exprs
	if exprs == nil { // pass-through projection
		for i := range top.cols {
			exprs = append(exprs, slotFunc(i))
		}
	}
	// itemExpr maps output positions back to select items (nil for *).
	var itemExpr []parser.Expr
	for _, it := range items {
		if it.Star {
			n := len(top.cols) - len(items) + 1
			for k := 0; k < n; k++ {
				itemExpr = append(itemExpr, nil)
			}
			continue
		}
		itemExpr = append(itemExpr, it.Expr)
	}
	srt := &operators.Sort{Width: len(top.cols)}
	keys := make([]eval.Func, 0, len(order))
	ok := true
	for k, o := range order {
		var f eval.Func
		var src parser.Expr = o.X
		switch x := unparen(o.X).(type) {
		case *parser.NumberLit:
			n, err := strconv.Atoi(x.Raw)
			if err != nil || n < 1 || n > len(exprs) {
				p.errorf(x.Pos(), "ORDER BY %s: the select list has %d columns", x.Raw, len(exprs))
				ok = false
				continue
			}
			f = exprs[n-1]
			if n-1 < len(itemExpr) {
				src = itemExpr[n-1]
			}
		case *parser.ColumnRef:
			if len(x.Parts) == 1 {
				for i, c := range top.cols {
					if c.Name == x.Parts[0].Name {
						f = exprs[i]
						if i < len(itemExpr) {
							src = itemExpr[i]
						}
						break
					}
				}
			}
		}
		if f == nil {
			c, good := p.compile(o.X, sc)
			if !good {
				ok = false
				continue
			}
			f = c.Eval
		}
		keys = append(keys, f)
		srt.Desc = append(srt.Desc, o.Desc)
		if k == 0 {
			if src == nil {
				src = o.X // a column of SELECT *: the input's own
			}
			lead, good := p.leadingKey(src, in)
			if !good {
				p.errorf(o.X.Pos(), "ORDER BY on a stream needs a leading time-based expression, such as ROWTIME or FLOOR(s.ROWTIME TO SECOND) (or MONOTONIC(expr)), so that each batch can be emitted")
				ok = false
				continue
			}
			srt.LeadAt = lead
		}
	}
	if !ok {
		return nil, false
	}
	proj := *top
	proj.exprs = append(append([]eval.Func(nil), exprs...), keys...)
	cols := append([]relCol(nil), top.cols...)
	for range keys {
		cols = append(cols, relCol{Name: "ORDER$", Hidden: true, Type: value.Type{Base: value.TUnknown}})
	}
	proj.cols = cols
	var desc []string
	for _, o := range order {
		d := exprLabel(o.X)
		if o.Desc {
			d += " DESC"
		}
		desc = append(desc, d)
	}
	op := *srt
	return &opRel{in: &proj, cols: top.cols, desc: "OrderBy " + strings.Join(desc, ", "),
		make: func(_ *builder, out operators.Operator) operators.Operator {
			s := op
			s.Out = out
			s.Init()
			return &s
		}}, true
}

// leadingKey reports whether e is usable as the leading ORDER BY key and,
// when it is a function of ROWTIME alone, returns its value at a bound.
func (p *planner) leadingKey(e parser.Expr, in []relCol) (func(int64) value.Value, bool) {
	if e == nil {
		return nil, false
	}
	fn, isTime := keyTime(e, in)
	if !isTime {
		return nil, false
	}
	if fn == nil {
		return nil, true
	}
	keyAt, _ := timeFunctions(fn)
	return keyAt, true
}
