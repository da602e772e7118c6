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

// items compiles the select list against sc, expanding * and t.* over in.
func (p *planner) items(items []*parser.SelectItem, in []relCol, sc expr.Scope) ([]eval.Func, []relCol, bool) {
	var exprs []eval.Func
	var cols []relCol
	ok := true
	for i, it := range items {
		if it.Star {
			if in == nil {
				p.errorf(it.Pos(), "* cannot be used with GROUP BY; list the group keys and aggregates")
				ok = false
				continue
			}
			n := 0
			for slot, c := range in {
				if c.Hidden {
					continue
				}
				if it.Qualifier != nil && !hasQual(c, it.Qualifier.Name) {
					continue
				}
				exprs = append(exprs, slotFunc(slot))
				cols = append(cols, relCol{Name: c.Name, Type: c.Type, SetsRowtime: c.SetsRowtime, Time: c.Time})
				n++
			}
			if n == 0 && it.Qualifier != nil {
				p.errorf(it.Pos(), "%s.* matches no columns", quoteName(it.Qualifier.Name))
				ok = false
			}
			continue
		}
		c, good := p.compile(it.Expr, sc)
		if !good {
			ok = false
			continue
		}
		exprs = append(exprs, c.Eval)
		cols = append(cols, relCol{Name: itemName(it, i), Type: c.Type,
			SetsRowtime: it.Alias != nil && it.Alias.Name == "ROWTIME", Time: itemTime(it.Expr, sc)})
	}
	// A name given twice is fine until something refers to it (the
	// reference is then ambiguous); a positional INSERT ignores names.
	return exprs, cols, ok
}

func hasQual(c relCol, q string) bool {
	for _, cq := range c.Quals {
		if cq == q {
			return true
		}
	}
	return false
}

func slotFunc(slot int) eval.Func {
	return func(_ *eval.Ctx, row []value.Value) value.Value { return row[slot] }
}

// itemName is the output name of a select item: its alias, the name of a
// plain column, or EXPR$n.
func itemName(it *parser.SelectItem, i int) string {
	if it.Alias != nil {
		return it.Alias.Name
	}
	if cr, ok := it.Expr.(*parser.ColumnRef); ok {
		return cr.Parts[len(cr.Parts)-1].Name
	}
	return fmt.Sprintf("EXPR$%d", i)
}

// from plans one FROM item.
func (p *planner) from(item parser.FromItem) (rel, bool) {
	switch f := item.(type) {
	case *parser.TableRef:
		return p.tableRef(f)
	case *parser.SubqueryRef:
		r, ok := p.query(f.Query)
		if !ok {
			return nil, false
		}
		cols := append([]relCol(nil), r.columns()...)
		if len(f.ColAliases) > 0 {
			if len(f.ColAliases) != len(cols) {
				p.errorf(f.ColAliases[0].Pos(), "%d column aliases for a subquery returning %d columns", len(f.ColAliases), len(cols))
				return nil, false
			}
		}
		for i := range cols {
			cols[i].Quals = nil
			if f.Alias != nil {
				cols[i].Quals = []string{f.Alias.Name}
			}
			if len(f.ColAliases) > 0 {
				cols[i].Name = f.ColAliases[i].Name
			}
		}
		return &renameRel{rel: r, cols: cols}, true
	case *parser.TableFunc:
		return p.tableFunc(f)
	case *parser.Join:
		return p.join(f)
	}
	p.errorf(item.Pos(), "unsupported FROM item")
	return nil, false
}

func (p *planner) tableRef(f *parser.TableRef) (rel, bool) {
	name := f.Name.Name
	quals := []string{name}
	if f.Alias != nil {
		quals = []string{f.Alias.Name, name}
	}
	if s := p.cat.Stream(name); s != nil {
		p.reads = append(p.reads, name)
		cols := make([]relCol, len(s.Columns))
		for i, c := range s.Columns {
			cols[i] = relCol{Quals: quals, Name: c.Name, Type: c.Type, Hidden: c.Hidden, Time: p.columnTime(s, i)}
		}
		scan := &scanRel{stream: s, cols: cols}
		if f.Over != nil || f.OverName != nil {
			spec, ok := p.windowSpec(f.Over, f.OverName, p.windows)
			if !ok {
				return nil, false
			}
			fd, ok := p.frame(spec, true)
			if !ok {
				return nil, false
			}
			return &windowedRel{rel: scan, frame: fd, pos: f.Pos()}, true
		}
		return scan, true
	}
	if t := p.cat.Table(name); t != nil {
		cols := make([]relCol, len(t.Columns))
		for i, c := range t.Columns {
			cols[i] = relCol{Quals: append(append([]string(nil), quals...), tableMarker), Name: c.Name, Type: c.Type}
		}
		return &tableOnlyRel{table: t, cols: cols}, true
	}
	if name == "error_stream" {
		p.errorf(f.Pos(), "error_stream cannot be read by SQL; route it to an output instead")
		return nil, false
	}
	var names []string
	for _, s := range p.cat.Streams() {
		names = append(names, s.Name)
	}
	for _, t := range p.cat.Tables() {
		names = append(names, t.Name)
	}
	msg := fmt.Sprintf("unknown stream or table %s", quoteName(name))
	if sug := suggestName(name, names); sug != "" {
		msg += fmt.Sprintf("; did you mean %s? (quoted names keep their case, unquoted names are upper-cased)", quoteName(sug))
	} else if len(names) > 0 {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = quoteName(n)
		}
		msg += "; known: " + strings.Join(q, ", ")
	}
	p.errorf(f.Name.Pos(), "%s", msg)
	return nil, false
}

// tableOnlyRel is a reference table named in FROM; it is valid only as the
// right side of a join with a stream.
type tableOnlyRel struct {
	table *Table
	cols  []relCol
}

func (r *tableOnlyRel) columns() []relCol { return r.cols }
func (r *tableOnlyRel) build(*builder, operators.Operator) error {
	return fmt.Errorf("reference table %s read without a stream", quoteName(r.table.Name))
}
func (r *tableOnlyRel) describe(w *strings.Builder, d int) {
	indent(w, d, "Table %s", quoteName(r.table.Name))
}

// renameRel gives a subquery's columns their alias.
type renameRel struct {
	rel
	cols []relCol
}

func (r *renameRel) columns() []relCol { return r.cols }

// tableFunc plans TABLE(fn(CURSOR(...), ...)), an analytic table function
// (see tablefn.go).
func (p *planner) tableFunc(f *parser.TableFunc) (rel, bool) {
	call := f.Call
	name := call.Name.Name
	if len(call.Args) == 0 {
		p.errorf(call.Pos(), "%s needs a CURSOR(SELECT STREAM ...) argument", name)
		return nil, false
	}
	cur, ok := call.Args[0].(*parser.CursorExpr)
	if !ok {
		p.errorf(call.Args[0].Pos(), "the first argument of %s must be CURSOR(SELECT STREAM ...)", name)
		return nil, false
	}
	in, ok := p.query(cur.Query)
	if !ok {
		return nil, false
	}
	var r rel
	if name == "GROUP_RANK" {
		r, ok = p.groupRank(call, in)
	} else {
		r, ok = p.planTableFunc(call, in, cur.Pos())
	}
	if !ok {
		return nil, false
	}
	cols := r.columns()
	if len(f.ColAliases) > 0 {
		if len(f.ColAliases) != len(cols) {
			p.errorf(f.ColAliases[0].Pos(), "%d column aliases for %s returning %d columns", len(f.ColAliases), name, len(cols))
			return nil, false
		}
		for i := range cols {
			cols[i].Name = f.ColAliases[i].Name
		}
	}
	if f.Alias != nil {
		for i := range cols {
			cols[i].Quals = []string{f.Alias.Name}
		}
	}
	return r, true
}
