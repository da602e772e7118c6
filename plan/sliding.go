package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
	"github.com/streamsql/streamsql/window"
)

// frameDef is a resolved window: partition expressions and its extent.
type frameDef struct {
	partition []parser.Expr
	rows      bool
	n         int64 // ROWS n PRECEDING
	rng       int64 // RANGE, milliseconds
	pos       parser.Pos
}

func (f *frameDef) same(g *frameDef) bool {
	if f.rows != g.rows || f.n != g.n || f.rng != g.rng || len(f.partition) != len(g.partition) {
		return false
	}
	for i := range f.partition {
		if !sameExpr(f.partition[i], g.partition[i]) {
			return false
		}
	}
	return true
}

func (f *frameDef) String() string {
	var b strings.Builder
	if len(f.partition) > 0 {
		b.WriteString("PARTITION BY ")
		for i, e := range f.partition {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(exprLabel(e))
		}
		b.WriteByte(' ')
	}
	if f.rows {
		fmt.Fprintf(&b, "ROWS %d PRECEDING", f.n)
	} else {
		fmt.Fprintf(&b, "RANGE %s PRECEDING", formatMillis(f.rng))
	}
	return b.String()
}

func formatMillis(ms int64) string {
	switch {
	case ms%86400000 == 0 && ms > 0:
		return fmt.Sprintf("INTERVAL '%d' DAY", ms/86400000)
	case ms%3600000 == 0 && ms > 0:
		return fmt.Sprintf("INTERVAL '%d' HOUR", ms/3600000)
	case ms%60000 == 0 && ms > 0:
		return fmt.Sprintf("INTERVAL '%d' MINUTE", ms/60000)
	case ms%1000 == 0:
		return fmt.Sprintf("INTERVAL '%d' SECOND", ms/1000)
	}
	return fmt.Sprintf("%d ms", ms)
}

// windowSpec resolves OVER (...) or OVER name against the WINDOW clause,
// following "base" references (OVER (w ...) refines window w).
func (p *planner) windowSpec(spec *parser.WindowSpec, name *parser.Ident, defs []*parser.WindowDef) (*parser.WindowSpec, bool) {
	lookup := func(id *parser.Ident) *parser.WindowSpec {
		for _, d := range defs {
			if d.Name.Name == id.Name {
				return d.Spec
			}
		}
		var names []string
		for _, d := range defs {
			names = append(names, d.Name.Name)
		}
		hint := ""
		if s := suggestName(id.Name, names); s != "" {
			hint = fmt.Sprintf("; did you mean %s?", quoteName(s))
		}
		p.errorf(id.Pos(), "unknown window %s: define it with WINDOW %s AS (...)%s", quoteName(id.Name), quoteName(id.Name), hint)
		return nil
	}
	if name != nil {
		spec = lookup(name)
		if spec == nil {
			return nil, false
		}
	}
	merged := *spec
	seen := map[string]bool{}
	for cur := spec; cur.Base != nil; {
		if seen[cur.Base.Name] {
			p.errorf(cur.Base.Pos(), "window %s refers to itself", quoteName(cur.Base.Name))
			return nil, false
		}
		seen[cur.Base.Name] = true
		base := lookup(cur.Base)
		if base == nil {
			return nil, false
		}
		if len(merged.PartitionBy) == 0 {
			merged.PartitionBy = base.PartitionBy
		}
		if len(merged.OrderBy) == 0 {
			merged.OrderBy = base.OrderBy
		}
		if merged.Frame == nil {
			merged.Frame = base.Frame
		}
		cur = base
	}
	return &merged, true
}

// frame checks a window's extent: KDA windows end at the current row and
// reach back a time interval (RANGE) or a number of rows (ROWS).
func (p *planner) frame(spec *parser.WindowSpec, join bool) (*frameDef, bool) {
	fd := &frameDef{partition: spec.PartitionBy, pos: spec.Lparen}
	if len(spec.OrderBy) > 0 && !join {
		p.errorf(spec.OrderBy[0].X.Pos(), "ORDER BY is not allowed in the window of a windowed aggregation; rows are ordered by ROWTIME")
		return nil, false
	}
	if join && len(spec.PartitionBy) > 0 {
		p.errorf(spec.PartitionBy[0].Pos(), "a join window cannot be partitioned (PARTITION BY is for windowed aggregation)")
		return nil, false
	}
	f := spec.Frame
	if f == nil {
		p.errorf(spec.Rparen, "the window needs an extent: RANGE INTERVAL '1' MINUTE PRECEDING or ROWS 10 PRECEDING (KDA has no unbounded windows)")
		return nil, false
	}
	fd.rows = f.Kind == parser.FrameRows
	if f.End != nil && f.End.Kind != parser.BoundCurrentRow {
		p.errorf(f.FramePos, "a window must end at CURRENT ROW (offset and FOLLOWING windows are not supported)")
		return nil, false
	}
	switch f.Start.Kind {
	case parser.BoundCurrentRow:
		return fd, true
	case parser.BoundUnboundedPreceding:
		p.errorf(f.FramePos, "UNBOUNDED PRECEDING windows are infinite and not supported on streams; give a RANGE interval or a ROWS count")
		return nil, false
	case parser.BoundFollowing, parser.BoundUnboundedFollowing:
		p.errorf(f.FramePos, "FOLLOWING windows are not supported: a window ends at the current row")
		return nil, false
	}
	off := unparen(f.Start.Offset)
	if fd.rows {
		n, ok := off.(*parser.NumberLit)
		var v int64
		var err error
		if ok {
			v, err = strconv.ParseInt(n.Raw, 10, 64)
		}
		if !ok || err != nil || v < 0 {
			p.errorf(f.Start.Offset.Pos(), "ROWS needs a non-negative integer literal, as in ROWS 10 PRECEDING")
			return nil, false
		}
		if v == 0 {
			p.errorf(f.Start.Offset.Pos(), "0 PRECEDING cannot be used in a window; write CURRENT ROW")
			return nil, false
		}
		fd.n = v
		return fd, true
	}
	il, ok := off.(*parser.IntervalLit)
	if !ok {
		p.errorf(f.Start.Offset.Pos(), "RANGE needs a time interval on ROWTIME, as in RANGE INTERVAL '1' MINUTE PRECEDING")
		return nil, false
	}
	ms, ok := p.intervalMillis(il)
	if !ok {
		return nil, false
	}
	if ms == 0 {
		p.errorf(il.Pos(), "0 PRECEDING cannot be used in a window; write CURRENT ROW")
		return nil, false
	}
	fd.rng = ms
	return fd, true
}

// intervalMillis evaluates a day-time interval literal.
func (p *planner) intervalMillis(il *parser.IntervalLit) (int64, bool) {
	v, _, err := expr.IntervalValue(il)
	if err != nil {
		p.errorf(il.Pos(), "%v", exprErrMsg(err))
		return 0, false
	}
	if v.K != value.KIntervalDT {
		p.errorf(il.Pos(), "a window needs a day-time interval (SECOND, MINUTE, HOUR, DAY), not a year-month interval")
		return 0, false
	}
	if v.I < 0 {
		p.errorf(il.Pos(), "a window cannot have a negative size")
		return 0, false
	}
	return v.I, true
}

func exprErrMsg(err error) string {
	if e, ok := err.(*expr.Error); ok {
		return e.Msg
	}
	return err.Error()
}

// sliding plans a windowed aggregation: every input row comes out with the
// values of its OVER calls, computed over the window ending at that row.
func (p *planner) sliding(s *parser.Select, from rel, calls []*parser.FuncCall) (rel, bool) {
	if len(s.GroupBy) > 0 {
		p.errorf(s.GroupBy[0].Pos(), "a query cannot mix GROUP BY with windowed (OVER) aggregation; compute one in a separate stream")
		return nil, false
	}
	if s.Having != nil {
		p.errorf(s.Having.Pos(), "HAVING cannot filter windowed (OVER) aggregates; filter in a downstream query")
		return nil, false
	}
	in, sc, ok := p.filter(s, from)
	if !ok {
		return nil, false
	}
	// The window keeps a copy of each row it emits: narrow the rows to the
	// columns the query uses first.
	inCols := from.columns()
	if keep, cols, ok := usedColumns(s, calls, inCols); ok && len(keep) < len(inCols) {
		exprs := make([]eval.Func, len(keep))
		for i, k := range keep {
			exprs[i] = slotFunc(k)
		}
		in = &selectRel{in: in, exprs: exprs, cols: cols, desc: "Keep " + colNames(cols)}
		inCols = cols
	}
	sc = &relScope{cols: inCols, hasRowtime: true}
	var cfg window.SlidingConfig
	cfg.Width = len(inCols)
	var frames []*frameDef
	ws := &windowScope{relScope: relScope{cols: inCols, hasRowtime: true}, calls: map[*parser.FuncCall]int{}}
	ok = true
	for _, call := range calls {
		spec, good := p.windowSpec(call.Over, call.OverName, s.Windows)
		if !good {
			ok = false
			continue
		}
		fd, good := p.frame(spec, false)
		if !good {
			ok = false
			continue
		}
		fi := -1
		for i, f := range frames {
			if f.same(fd) {
				fi = i
			}
		}
		if fi < 0 {
			fi = len(frames)
			frames = append(frames, fd)
			var parts []eval.Func
			for _, e := range fd.partition {
				c, good := p.compile(e, &relScope{cols: inCols, hasRowtime: true})
				if !good {
					ok = false
					continue
				}
				parts = append(parts, c.Eval)
			}
			cfg.Frames = append(cfg.Frames, window.Frame{Partition: parts, Rows: fd.rows, N: fd.n, Range: fd.rng})
		}
		sp, good := p.analyticSpec(call, sc)
		if !good {
			ok = false
			continue
		}
		sp.Frame = fi
		ws.calls[call] = cfg.Width + len(cfg.Calls)
		ws.types = append(ws.types, sp.ResultType)
		cfg.Calls = append(cfg.Calls, sp)
	}
	if !ok {
		return nil, false
	}
	cols := append([]relCol(nil), inCols...)
	for i, t := range ws.types {
		cols = append(cols, relCol{Name: fmt.Sprintf("OVER$%d", i), Type: t, Hidden: true})
	}
	var fdesc []string
	for _, f := range frames {
		fdesc = append(fdesc, f.String())
	}
	sl := &opRel{in: in, cols: cols,
		desc: fmt.Sprintf("SlidingWindow calls=(%s) windows=[%s]", callLabels(calls), strings.Join(fdesc, "; ")),
		make: func(b *builder, out operators.Operator) operators.Operator {
			c := cfg
			c.Errors, c.Pump = b.errs, b.pump
			return window.NewSliding(c, out)
		}}
	ws.width = cfg.Width
	exprs, outCols, ok := p.items(s.Items, inCols, ws)
	if !ok {
		return nil, false
	}
	top := &selectRel{in: sl, exprs: exprs, cols: outCols, desc: "Project " + colNames(outCols)}
	if identity(s.Items, ws, len(cols)) {
		top.exprs = nil // the window's rows are already the select list
	}
	return p.orderBy(s.OrderBy, s.Items, top, ws, inCols)
}

// analyticSpec compiles one OVER call.
func (p *planner) analyticSpec(call *parser.FuncCall, sc *relScope) (window.AnalyticSpec, bool) {
	name := call.Name.Name
	c, ok := p.checkAggCall(call, sc, expr.Sliding)
	if !ok {
		return window.AnalyticSpec{}, false
	}
	kind := c.kind
	sp := window.AnalyticSpec{Kind: kind, ResultType: c.result, IgnoreNulls: call.Nulls == parser.NullsIgnore, FromLast: call.FromLast}
	if c.arg == nil {
		return sp, true
	}
	sp.Arg, sp.ArgType = c.arg.Eval, c.arg.Type
	switch kind {
	case window.AggLag, window.AggNthValue:
		sp.Offset = 1
		if len(call.Args) > 1 {
			n, good := p.constInt(call.Args[1], name)
			if !good {
				return sp, false
			}
			if n < 0 || (kind == window.AggNthValue && n == 0) {
				p.errorf(call.Args[1].Pos(), "%s needs a positive offset", name)
				return sp, false
			}
			sp.Offset = n
		}
		if len(call.Args) > 2 {
			d, good := p.compile(call.Args[2], sc)
			if !good {
				return sp, false
			}
			if _, assignable := value.Common(c.arg.Type, d.Type); !assignable {
				p.errorf(call.Args[2].Pos(), "LAG's default is %s but the value is %s", d.Type, c.arg.Type)
				return sp, false
			}
			sp.Default = d.Eval
		}
	case window.AggExpAvg:
		il, isLit := unparen(call.Args[1]).(*parser.IntervalLit)
		if !isLit {
			p.errorf(call.Args[1].Pos(), "EXP_AVG needs a time interval literal as its half-life, as in INTERVAL '10' SECOND")
			return sp, false
		}
		ms, good := p.intervalMillis(il)
		if !good {
			return sp, false
		}
		if ms <= 0 {
			p.errorf(il.Pos(), "EXP_AVG needs a positive half-life")
			return sp, false
		}
		sp.HalfLife = ms
	}
	return sp, true
}

// constInt evaluates a constant integer argument.
func (p *planner) constInt(e parser.Expr, fn string) (int64, bool) {
	c, ok := p.compile(e, &relScope{})
	if !ok {
		return 0, false
	}
	if !c.Const || c.Value.K != value.KInt {
		p.errorf(e.Pos(), "%s needs an integer literal here", fn)
		return 0, false
	}
	return c.Value.I, true
}

// windowScope resolves a windowed select list: OVER calls are slots after
// the input columns; everything else is the input row.
type windowScope struct {
	relScope
	calls map[*parser.FuncCall]int
	types []value.Type
	width int
}

func (s *windowScope) Replace(e parser.Expr) (int, value.Type, bool) {
	if fc, ok := e.(*parser.FuncCall); ok {
		if slot, ok := s.calls[fc]; ok {
			return slot, s.types[slot-s.width], true
		}
	}
	return 0, value.Type{}, false
}

// usedColumns lists the input slots a windowed select reads after its
// WHERE (select list, ORDER BY, window partitions), in order of first use,
// with their columns. ok is false when that cannot be told (SELECT *, a name
// that does not resolve): then every column is kept.
func usedColumns(s *parser.Select, calls []*parser.FuncCall, cols []relCol) ([]int, []relCol, bool) {
	sc := &relScope{cols: cols, hasRowtime: true}
	used := map[int]bool{}
	var keep []int // in order of first use, so a plain select list maps straight onto the window's rows
	ok := true
	visit := func(e parser.Expr) {
		if e == nil {
			return
		}
		parser.Inspect(e, func(n parser.Node) bool {
			switch x := n.(type) {
			case *parser.CursorExpr:
				ok = false
				return false
			case *parser.ExistsExpr:
				ok = false // its correlations name outer columns inside its query
				return false
			case *parser.Select, *parser.Union:
				return false // an IN subquery names its table's columns
			case *parser.ColumnRef:
				slot, _, err := sc.Column(x)
				if err != nil {
					ok = false
				} else if slot >= 0 && !used[slot] {
					used[slot] = true
					keep = append(keep, slot)
				}
				return false
			}
			return true
		})
	}
	for _, it := range s.Items {
		if it.Star {
			return nil, nil, false
		}
		visit(it.Expr)
	}
	for _, o := range s.OrderBy {
		visit(o.X)
	}
	for _, w := range s.Windows {
		for _, e := range w.Spec.PartitionBy {
			visit(e)
		}
	}
	for _, c := range calls {
		if c.Over != nil {
			for _, e := range c.Over.PartitionBy {
				visit(e)
			}
		}
	}
	if !ok {
		return nil, nil, false
	}
	out := make([]relCol, len(keep))
	for i, k := range keep {
		out[i] = cols[k]
	}
	return keep, out, true
}

// identity reports whether a select list over a window's rows (width
// columns: the kept input columns, then the OVER results) is exactly those
// rows in order, so no projection is needed.
func identity(items []*parser.SelectItem, ws *windowScope, width int) bool {
	if len(items) != width {
		return false
	}
	for i, it := range items {
		if it.Star {
			return false
		}
		slot := -1
		switch x := unparen(it.Expr).(type) {
		case *parser.ColumnRef:
			probe := &relScope{cols: ws.cols, hasRowtime: true}
			if k, _, err := probe.Column(x); err == nil {
				slot = k
			}
		case *parser.FuncCall:
			if k, ok := ws.calls[x]; ok {
				slot = k
			}
		}
		if slot != i {
			return false
		}
	}
	return true
}
