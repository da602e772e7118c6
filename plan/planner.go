package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Plan validates a script against the catalog (which it extends with the
// script's streams) and plans every pump. The error, if any, is a
// parser.ErrorList with every problem found, each at its line and column.
func Plan(script *parser.Script, cat *Catalog) (*Graph, error) {
	return planPasses(script, cat) // timecols.go
}

// planOnce plans the script once; hints give what an earlier pass learnt
// of how the columns of each stream follow time (nil on the first pass).
func planOnce(script *parser.Script, cat *Catalog, hints map[string][]colTime) (*planner, *Graph, error) {
	p := &planner{file: script.File, cat: cat, g: &Graph{Catalog: cat}, pumps: map[string]bool{}, hints: hints}
	for _, st := range script.Stmts {
		p.stmt(st)
	}
	if len(p.errs) == 0 {
		p.checkCycles()
	}
	p.errs.Sort()
	if len(p.errs) > 0 {
		return p, p.g, p.errs
	}
	p.g.Unimplemented.Sort()
	p.g.fingerprint = fingerprint(script, cat)
	p.g.split = p.split()
	return p, p.g, nil
}

type planner struct {
	file  *parser.File
	cat   *Catalog
	g     *Graph
	errs  parser.ErrorList
	pumps map[string]bool
	reads []string // streams read by the query being planned
	// windows is the WINDOW clause of the SELECT being planned, for the
	// named windows of its FROM items.
	windows []*parser.WindowDef
	nquery  int
	// hints and readEarly: see planPasses (timecols.go).
	hints     map[string][]colTime
	readEarly bool
}

func (p *planner) errorf(pos parser.Pos, format string, args ...any) {
	p.errs.Add(p.file, pos, format, args...)
}

// warnf records something check should tell the user about although the
// application runs.
func (p *planner) warnf(pos parser.Pos, format string, args ...any) {
	p.g.Warnings.Add(p.file, pos, format, args...)
}

// unimplemented records a feature that validates but cannot run yet.
func (p *planner) unimplemented(pos parser.Pos, feature string) {
	p.g.Unimplemented.Add(p.file, pos, "%s is not implemented yet", feature)
}

// exprErr records a compile error from package expr at its position.
func (p *planner) exprErr(err error, fallback parser.Pos) {
	var e *expr.Error
	if errors.As(err, &e) {
		pos := e.Pos
		if !pos.IsValid() {
			pos = fallback
		}
		p.errorf(pos, "%s", e.Msg)
		return
	}
	p.errorf(fallback, "%v", err)
}

func (p *planner) compile(e parser.Expr, sc expr.Scope) (*expr.Compiled, bool) {
	c, err := expr.Compile(e, subqueryScope{Scope: sc, p: p})
	if err != nil {
		p.exprErr(err, e.Pos())
		return nil, false
	}
	return c, true
}

func (p *planner) stmt(st parser.Stmt) {
	switch s := st.(type) {
	case *parser.CreateStream:
		p.createStream(s)
	case *parser.CreatePump:
		p.createPump(s)
	case *parser.QueryStmt:
		p.queryStmt(s)
	case *parser.Insert:
		p.errorf(s.Pos(), "INSERT runs only inside a pump: CREATE OR REPLACE PUMP \"MY_PUMP\" AS INSERT INTO ...")
	case *parser.CreateFunction:
		p.errorf(s.Pos(), "CREATE FUNCTION (user-defined functions) is not supported")
	default:
		p.errorf(st.Pos(), "unsupported statement")
	}
}

func (p *planner) createStream(s *parser.CreateStream) {
	name := s.Name.Name
	if old := p.cat.Stream(name); old != nil {
		switch {
		case old.Source:
			p.errorf(s.Name.Pos(), "%s is the application's input stream and cannot be re-created", quoteName(name))
			return
		case !s.OrReplace:
			p.errorf(s.Name.Pos(), "stream %s already exists (use CREATE OR REPLACE STREAM)", quoteName(name))
			return
		}
	}
	if name == "error_stream" {
		p.errorf(s.Name.Pos(), "error_stream is owned by the system and cannot be created")
		return
	}
	st := &Stream{Name: name, Def: s.Pos()}
	seen := map[string]bool{}
	for _, c := range s.Columns {
		if seen[c.Name.Name] {
			p.errorf(c.Name.Pos(), "column %s is declared twice", quoteName(c.Name.Name))
			continue
		}
		seen[c.Name.Name] = true
		t, err := value.ColumnType(c.Type.Name, c.Type.Args)
		if err != nil {
			p.errorf(c.Type.Pos(), "%v", err)
			continue
		}
		t.NotNull = c.NotNull
		st.Columns = append(st.Columns, Column{Name: c.Name.Name, Type: t})
	}
	if len(s.Columns) == 0 {
		p.errorf(s.Pos(), "stream %s needs at least one column", quoteName(name))
	}
	p.cat.addStream(st)
}

func (p *planner) createPump(s *parser.CreatePump) {
	name := s.Name.Name
	if p.pumps[name] && !s.OrReplace {
		p.errorf(s.Name.Pos(), "pump %s already exists (use CREATE OR REPLACE PUMP)", quoteName(name))
		return
	}
	if p.pumps[name] {
		for i, pu := range p.g.Pumps {
			if pu.Name == name {
				p.g.Pumps = append(p.g.Pumps[:i], p.g.Pumps[i+1:]...)
				break
			}
		}
	}
	p.pumps[name] = true
	ins := s.Insert
	target := p.cat.Stream(ins.Target.Name)
	if target == nil {
		p.errorf(ins.Target.Pos(), "unknown stream %s%s", quoteName(ins.Target.Name), p.streamHint(ins.Target.Name))
		return
	}
	if target.Source {
		p.errorf(ins.Target.Pos(), "%s is an input stream; pumps insert into streams made with CREATE STREAM", quoteName(target.Name))
		return
	}
	p.reads = nil
	r, ok := p.query(ins.Query)
	if !ok {
		return
	}
	insert, ok := p.insert(target, ins.Columns, r, ins.Query)
	if !ok {
		return
	}
	target.noteWriter(r.columns(), insert)
	p.g.Pumps = append(p.g.Pumps, &Pump{Name: name, Pos: s.Pos(), Target: target, Reads: p.reads, rel: r, insert: insert})
}

func (p *planner) streamHint(name string) string {
	var names []string
	for _, s := range p.cat.Streams() {
		names = append(names, s.Name)
	}
	if sug := suggestName(name, names); sug != "" {
		return fmt.Sprintf("; did you mean %s? (quoted names keep their case, unquoted names are upper-cased)", quoteName(sug))
	}
	return ""
}

// queryStmt plans a bare SELECT: its rows go to an implicit stream that
// the engine prints when nothing else is asked for.
func (p *planner) queryStmt(s *parser.QueryStmt) {
	p.reads = nil
	r, ok := p.query(s.Query)
	if !ok {
		return
	}
	p.nquery++
	name := "QUERY"
	if p.nquery > 1 {
		name = fmt.Sprintf("QUERY_%d", p.nquery)
	}
	st := &Stream{Name: name, Query: true}
	seen := map[string]bool{}
	items := queryItems(s.Query)
	for i, c := range r.columns() {
		if c.SetsRowtime {
			continue
		}
		if seen[c.Name] {
			p.errorf(itemPos(items, i, s.Query), "the select list names column %s twice; give one an alias", quoteName(c.Name))
			return
		}
		seen[c.Name] = true
		st.Columns = append(st.Columns, Column{Name: c.Name, Type: c.Type})
	}
	p.cat.addStream(st)
	p.g.Queries = append(p.g.Queries, st)
	insert, ok := p.insert(st, nil, r, s.Query)
	if !ok {
		return
	}
	p.g.Pumps = append(p.g.Pumps, &Pump{Name: name, Pos: s.Query.Pos(), Target: st, Reads: p.reads, rel: r, insert: insert})
}

// insert matches the query's columns to the target's, by the column list
// or by position, and checks each pair can be assigned.
func (p *planner) insert(target *Stream, cols []*parser.Ident, r rel, q parser.Query) (*operators.Insert, bool) {
	src := r.columns()
	items := queryItems(q)
	ins := &operators.Insert{RowtimeArg: -1}
	for _, c := range target.Columns {
		ins.Types = append(ins.Types, c.Type)
	}
	var values []int // source columns that carry data (all but AS ROWTIME)
	for i, c := range src {
		if c.SetsRowtime {
			if !c.Type.IsDatetime() || c.Type.Base != value.TTimestamp {
				p.errorf(itemPos(items, i, q), "a column named ROWTIME sets the row time and must be a TIMESTAMP, not %s", c.Type)
				return nil, false
			}
			ins.RowtimeArg = i
			continue
		}
		values = append(values, i)
	}
	ins.Slots = make([]int, len(src))
	for i := range ins.Slots {
		ins.Slots[i] = -1
	}
	visible := 0
	for _, c := range target.Columns {
		if !c.Hidden {
			visible++
		}
	}
	if cols != nil {
		if len(cols) != len(values) {
			p.errorf(q.Pos(), "INSERT names %d columns but the query returns %d", len(cols), len(values))
			return nil, false
		}
		for k, id := range cols {
			slot := -1
			for j, c := range target.Columns {
				if c.Name == id.Name {
					slot = j
				}
			}
			if slot < 0 {
				var names []string
				for _, c := range target.Columns {
					names = append(names, c.Name)
				}
				msg := fmt.Sprintf("stream %s has no column %s", quoteName(target.Name), quoteName(id.Name))
				if sug := suggestName(id.Name, names); sug != "" {
					msg += fmt.Sprintf("; did you mean %s?", quoteName(sug))
				}
				p.errorf(id.Pos(), "%s", msg)
				return nil, false
			}
			ins.Slots[values[k]] = slot
		}
	} else {
		if len(values) != visible {
			p.errorf(q.Pos(), "the query returns %d columns but stream %s has %d (%s)",
				len(values), quoteName(target.Name), visible, describeCols(target.Visible()))
			return nil, false
		}
		for k, i := range values {
			ins.Slots[i] = k
		}
		p.warnRepeatedNames(src, values, items, q)
	}
	ok := true
	for i, slot := range ins.Slots {
		if slot < 0 {
			continue
		}
		from, to := src[i].Type, target.Columns[slot].Type
		if !assignable(from, to) {
			p.errorf(itemPos(items, i, q), "cannot insert %s into column %s %s of stream %s",
				from, quoteName(target.Columns[slot].Name), to, quoteName(target.Name))
			ok = false
		}
	}
	return ins, ok
}

// warnRepeatedNames notes a select list that names a column twice in a
// positional INSERT (MIN(x) AS m, MAX(x) AS m): legal, since positions
// decide, but often a copy-and-paste slip.
func (p *planner) warnRepeatedNames(src []relCol, values []int, items []*parser.SelectItem, q parser.Query) {
	seen := map[string]bool{}
	for _, i := range values {
		name := src[i].Name
		// Only an alias written again is suspect; o.id, s.id of a join
		// repeat a name by nature.
		if seen[name] && i < len(items) && items[i].Alias != nil {
			p.warnf(itemPos(items, i, q), "the select list names column %s twice; INSERT fills the stream's columns by position, so both are kept", quoteName(name))
		}
		seen[name] = true
	}
}

// assignable reports whether INSERT may coerce a value of type from into a
// column of type to. Numbers go into numbers, text into text, datetimes into
// datetimes; text also goes into datetimes and numbers (parsed, errors per row).
func assignable(from, to value.Type) bool {
	switch {
	case from.Base == value.TUnknown:
		return true
	case from.IsNumeric():
		return to.IsNumeric() || to.IsString()
	case from.IsString():
		return to.IsString() || to.IsNumeric() || to.IsDatetime() || to.Base == value.TBoolean
	case from.IsDatetime():
		return to.IsDatetime() || to.IsString()
	case from.Base == value.TBoolean:
		return to.Base == value.TBoolean || to.IsString()
	case from.Base == value.TBinary || from.Base == value.TVarbinary:
		return to.Base == value.TBinary || to.Base == value.TVarbinary
	case from.IsInterval():
		return to.IsString()
	case from.Base == value.TRow:
		return to.IsString()
	}
	return false
}

func queryItems(q parser.Query) []*parser.SelectItem {
	for {
		switch x := q.(type) {
		case *parser.Select:
			return x.Items
		case *parser.Union:
			q = x.Left
		default:
			return nil
		}
	}
}

// itemPos finds the select item that produced output column i (after *
// expansion the mapping is approximate; fall back to the query).
func itemPos(items []*parser.SelectItem, i int, q parser.Query) parser.Pos {
	if i < len(items) && !items[i].Star {
		return items[i].Pos()
	}
	return q.Pos()
}

// query plans a SELECT or UNION ALL.
func (p *planner) query(q parser.Query) (rel, bool) {
	switch x := q.(type) {
	case *parser.Select:
		return p.selectQuery(x)
	case *parser.Union:
		return p.union(x)
	}
	p.errorf(q.Pos(), "unsupported query")
	return nil, false
}

func (p *planner) union(u *parser.Union) (rel, bool) {
	if !u.All {
		p.errorf(u.Pos(), "UNION on streams must be UNION ALL")
		return nil, false
	}
	left, ok1 := p.query(u.Left)
	right, ok2 := p.query(u.Right)
	if !ok1 || !ok2 {
		return nil, false
	}
	lc, rc := left.columns(), right.columns()
	if len(lc) != len(rc) {
		p.errorf(u.Right.Pos(), "UNION ALL arms return %d and %d columns", len(lc), len(rc))
		return nil, false
	}
	cols := make([]relCol, len(lc))
	for i := range lc {
		t, ok := value.Common(lc[i].Type, rc[i].Type)
		if !ok {
			p.errorf(u.Right.Pos(), "UNION ALL column %d is %s on one side and %s on the other", i+1, lc[i].Type, rc[i].Type)
			return nil, false
		}
		cols[i] = relCol{Name: lc[i].Name, Type: t, SetsRowtime: lc[i].SetsRowtime, Time: unionTime(lc[i].Time, rc[i].Time)}
	}
	var ins []rel
	for _, r := range []rel{left, right} {
		if ur, ok := r.(*unionRel); ok {
			ins = append(ins, ur.ins...)
		} else {
			ins = append(ins, r)
		}
	}
	ur := &unionRel{ins: ins, cols: cols}
	if len(u.OrderBy) == 0 {
		return ur, true
	}
	top := &selectRel{in: ur, cols: cols, desc: "Project " + colNames(cols)}
	return p.orderBy(u.OrderBy, nil, top, &relScope{cols: cols, hasRowtime: true}, cols)
}

// selectQuery plans one SELECT block.
func (p *planner) selectQuery(s *parser.Select) (rel, bool) {
	if len(s.From) == 0 {
		p.errorf(s.Pos(), "a streaming SELECT needs a FROM clause")
		return nil, false
	}
	saved := p.windows
	p.windows = s.Windows
	var from rel
	ok := false
	if len(s.From) > 1 {
		var where parser.Expr
		from, where, ok = p.commaFrom(s)
		cp := *s
		cp.Where = where
		s = &cp
	} else {
		from, ok = p.from(s.From[0])
	}
	p.windows = saved
	if !ok {
		return nil, false
	}
	if w, isWin := from.(*windowedRel); isWin {
		p.errorf(w.pos, "a window on a stream in FROM is for a stream-to-stream JOIN; for windowed aggregation write AGG(x) OVER (...)")
		return nil, false
	}
	aggs, windowed := collectAggregates(s)
	if s.Distinct {
		return p.distinct(s, from, aggs, windowed)
	}
	if p.isTableOnly(from) {
		p.errorf(s.From[0].Pos(), "a reference table cannot be the source of a streaming query; join it to a stream")
		return nil, false
	}
	if len(windowed) > 0 {
		if len(aggs) > 0 {
			p.errorf(aggs[0].Pos(), "%s without OVER cannot be mixed with windowed (OVER) calls in one query", aggs[0].Name.Name)
			return nil, false
		}
		if s.Stagger != nil {
			p.errorf(s.Stagger.Pos(), "a stagger window cannot be combined with windowed (OVER) calls")
			return nil, false
		}
		return p.sliding(s, from, windowed)
	}
	if len(s.GroupBy) > 0 || len(aggs) > 0 || s.Stagger != nil {
		if s.Stagger != nil {
			return p.stagger(s, from, aggs)
		}
		return p.aggregate(s, from, aggs)
	}
	if s.Having != nil {
		p.errorf(s.Having.Pos(), "HAVING needs GROUP BY")
		return nil, false
	}
	sc := &relScope{cols: from.columns(), hasRowtime: true}
	var where *expr.Compiled
	if s.Where != nil {
		if where, ok = p.predicate(s.Where, sc, "WHERE"); !ok {
			return nil, false
		}
	}
	exprs, cols, ok := p.items(s.Items, from.columns(), sc)
	if !ok {
		return nil, false
	}
	r := &selectRel{in: from, exprs: exprs, cols: cols}
	r.desc = "Project " + colNames(cols)
	if where != nil {
		r.where = where.Eval
		r.desc = "Filter+" + r.desc + " WHERE " + exprLabel(s.Where)
	}
	return p.orderBy(s.OrderBy, s.Items, r, sc, from.columns())
}

func (p *planner) isTableOnly(r rel) bool {
	cols := r.columns()
	if len(cols) == 0 {
		return false
	}
	for _, c := range cols {
		if !c.fromTable() {
			return false
		}
	}
	_, isScan := r.(*tableOnlyRel)
	return isScan
}

// predicate compiles a boolean condition.
func (p *planner) predicate(e parser.Expr, sc expr.Scope, clause string) (*expr.Compiled, bool) {
	c, ok := p.compile(e, sc)
	if !ok {
		return nil, false
	}
	if c.Type.Base != value.TBoolean && c.Type.Base != value.TUnknown {
		p.errorf(e.Pos(), "%s needs a BOOLEAN condition, not %s", clause, c.Type)
		return nil, false
	}
	return c, true
}

func colNames(cols []relCol) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteName(c.Name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}
