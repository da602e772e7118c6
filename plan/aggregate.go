package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
	"github.com/streamsql/streamsql/window"
)

// collectAggregates finds the aggregate calls of a select (in the select
// list, HAVING and ORDER BY) and its windowed (OVER) calls.
func collectAggregates(s *parser.Select) (aggs, windowed []*parser.FuncCall) {
	visit := func(e parser.Expr) {
		if e == nil {
			return
		}
		parser.Inspect(e, func(n parser.Node) bool {
			switch x := n.(type) {
			case *parser.CursorExpr, *parser.Select, *parser.Union:
				return false // a CURSOR's or a subquery's calls are its own
			case *parser.FuncCall:
				if x.Over != nil || x.OverName != nil {
					windowed = append(windowed, x)
					return false
				}
				if expr.IsAggregateName(x.Name.Name) {
					aggs = append(aggs, x)
					return false
				}
			}
			return true
		})
	}
	for _, it := range s.Items {
		visit(it.Expr)
	}
	visit(s.Having)
	for _, o := range s.OrderBy {
		visit(o.X)
	}
	return aggs, windowed
}

// aggregate plans a streaming GROUP BY: a tumbling window keyed by a
// monotonic time expression, then HAVING and the select list over the
// groups.
func (p *planner) aggregate(s *parser.Select, from rel, calls []*parser.FuncCall) (rel, bool) {
	in, sc, ok := p.filter(s, from)
	if !ok {
		return nil, false
	}
	if len(s.GroupBy) == 0 {
		p.errorf(calls[0].Pos(), "aggregate %s on a stream needs GROUP BY with a time key such as STEP(s.ROWTIME BY INTERVAL '1' MINUTE); without one the query would never emit a row", calls[0].Name.Name)
		return nil, false
	}
	var cfg window.TumblingConfig
	cfg.TimeKey = -1
	keys := groupKeys{slots: map[int]int{}}
	var timeFn eval.Func
	for i, g := range s.GroupBy {
		c, ks, good := p.addKey(&keys, g, sc)
		if !good {
			ok = false
			continue
		}
		if c.Type.Base == value.TTimestamp && ks.usedColumns && !ks.usedRowtime && !isMonotonicCall(g) {
			cfg.EventKeys = append(cfg.EventKeys, i)
		}
		if cfg.TimeKey >= 0 {
			continue
		}
		if fn, isTime := keyTime(g, sc.cols); isTime {
			cfg.TimeKey = i
			timeFn = fn
		}
	}
	if !ok {
		return nil, false
	}
	cfg.Keys = keys.funcs
	keyTypes, keyNames, keySlots := keys.types, keys.names, keys.slots
	// The monotonic key itself is not an event-time key.
	ev := cfg.EventKeys[:0]
	for _, k := range cfg.EventKeys {
		if k != cfg.TimeKey {
			ev = append(ev, k)
		}
	}
	cfg.EventKeys = ev
	if cfg.TimeKey < 0 {
		if s.Distinct {
			p.errorf(s.GroupBy[0].Pos(), "SELECT STREAM DISTINCT needs a time key among its columns, such as FLOOR(s.ROWTIME TO MINUTE) or ROWTIME; distinct %s alone would never emit a row",
				strings.Join(keyNames, ", "))
			return nil, false
		}
		p.errorf(s.GroupBy[0].Pos(), "a streaming GROUP BY needs a time key such as STEP(s.ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(s.ROWTIME TO MINUTE), or MONOTONIC(expr); grouping only by %s would never emit a row",
			strings.Join(keyNames, ", "))
		return nil, false
	}
	if timeFn != nil {
		cfg.KeyAt, cfg.WindowEnd = timeFunctions(timeFn)
	}
	post := &aggScope{in: sc, keys: s.GroupBy, keyTypes: keyTypes, keySlots: keySlots, aggs: map[*parser.FuncCall]int{}, timeKey: cfg.TimeKey}
	aggs, aggCols, ok := p.groupAggregates(post, calls, keyNames, expr.Tumbling)
	if !ok {
		return nil, false
	}
	cfg.Aggs = aggs
	agg := &aggRel{in: in, cfg: cfg, cols: aggCols,
		desc: fmt.Sprintf("TumblingWindow key=%s groups=(%s) aggregates=(%s)", keyNames[cfg.TimeKey], strings.Join(keyNames, ", "), callLabels(calls))}
	return p.finishGroups(s, agg, post)
}

// distinct plans SELECT STREAM DISTINCT: a streaming GROUP BY of every
// select item, so one of them must be a time key (ROWTIME, a STEP or FLOOR
// of it, MONOTONIC(...)); each distinct row comes out when its window
// closes.
func (p *planner) distinct(s *parser.Select, from rel, aggs, windowed []*parser.FuncCall) (rel, bool) {
	switch {
	case len(aggs) > 0 || len(windowed) > 0 || len(s.GroupBy) > 0 || s.Stagger != nil:
		p.errorf(s.Pos(), "SELECT STREAM DISTINCT cannot be combined with aggregates, GROUP BY or windows; put the aggregation in a subquery")
		return nil, false
	}
	g := *s // Distinct stays set: aggregate words its errors for it
	g.GroupBy = nil
	for _, it := range s.Items {
		if it.Star {
			p.errorf(it.Pos(), "SELECT STREAM DISTINCT needs its columns listed, one of them a time key such as FLOOR(s.ROWTIME TO MINUTE)")
			return nil, false
		}
		g.GroupBy = append(g.GroupBy, it.Expr)
	}
	return p.aggregate(&g, from, nil)
}

// groupKeys are the compiled keys of a GROUP BY or a stagger PARTITION BY.
type groupKeys struct {
	funcs []eval.Func
	types []value.Type
	names []string
	slots map[int]int // input slot of a plain-column key -> key index
}

// addKey compiles one key over the input scope sc; the returned scope tells
// what the key read (ROWTIME, columns).
func (p *planner) addKey(k *groupKeys, e parser.Expr, sc *relScope) (*expr.Compiled, *relScope, bool) {
	ks := &relScope{cols: sc.cols, hasRowtime: true}
	c, ok := p.compile(e, ks)
	if !ok {
		return nil, nil, false
	}
	if cr, isRef := unparen(e).(*parser.ColumnRef); isRef {
		if slot, _, err := sc.Column(cr); err == nil && slot >= 0 {
			k.slots[slot] = len(k.funcs)
		}
	}
	k.funcs = append(k.funcs, c.Eval)
	k.types = append(k.types, c.Type)
	k.names = append(k.names, exprLabel(e))
	return c, ks, true
}

// filter applies the select's WHERE to its input, before any window.
func (p *planner) filter(s *parser.Select, from rel) (rel, *relScope, bool) {
	sc := &relScope{cols: from.columns(), hasRowtime: true}
	if s.Where == nil {
		return from, sc, true
	}
	where, ok := p.predicate(s.Where, sc, "WHERE")
	if !ok {
		return nil, nil, false
	}
	return &selectRel{in: from, where: where.Eval, cols: from.columns(), desc: "Filter WHERE " + exprLabel(s.Where)}, sc, true
}

// groupAggregates compiles the aggregate calls of a grouped select, giving
// each a slot after the keys in post, and returns the columns of the
// grouped rows (keys, then aggregates).
func (p *planner) groupAggregates(post *aggScope, calls []*parser.FuncCall, keyNames []string, w expr.Window) ([]window.AggSpec, []relCol, bool) {
	var specs []window.AggSpec
	ok := true
	for _, call := range calls {
		spec, good := p.aggSpec(call, post.in, w)
		if !good {
			ok = false
			continue
		}
		post.aggs[call] = len(post.keys) + len(specs)
		post.aggTypes = append(post.aggTypes, spec.ResultType)
		specs = append(specs, spec)
	}
	if !ok {
		return nil, nil, false
	}
	var cols []relCol
	for i, t := range post.keyTypes {
		cols = append(cols, relCol{Name: keyNames[i], Type: t})
	}
	for i, t := range post.aggTypes {
		cols = append(cols, relCol{Name: fmt.Sprintf("AGG$%d", i), Type: t})
	}
	return specs, cols, true
}

// finishGroups applies HAVING, the select list and ORDER BY to grouped
// rows (a tumbling or stagger window's output).
func (p *planner) finishGroups(s *parser.Select, grouped rel, post *aggScope) (rel, bool) {
	var having *expr.Compiled
	ok := true
	if s.Having != nil {
		if having, ok = p.predicate(s.Having, post, "HAVING"); !ok {
			return nil, false
		}
	}
	exprs, cols, ok := p.items(s.Items, nil, post)
	if !ok {
		return nil, false
	}
	r := &selectRel{in: grouped, exprs: exprs, cols: cols, desc: "Project " + colNames(cols)}
	if having != nil {
		r.where = having.Eval
		r.desc = "Having+" + r.desc
	}
	return p.orderBy(s.OrderBy, s.Items, r, post, post.in.cols)
}

func isMonotonicCall(e parser.Expr) bool {
	fc, ok := unparen(e).(*parser.FuncCall)
	return ok && fc.Name.Name == "MONOTONIC"
}

// aggCall is an aggregate call checked against the aggregate table.
type aggCall struct {
	agg    *expr.Aggregate
	kind   window.AggKind
	arg    *expr.Compiled // the first argument; nil for COUNT(*)
	result value.Type
}

// checkAggCall checks an aggregate call against the aggregate table for
// the window it runs in (name, DISTINCT, *, arity, nesting) and compiles
// its first argument over the input scope. Tumbling, stagger and sliding
// planning all go through here.
func (p *planner) checkAggCall(call *parser.FuncCall, sc *relScope, w expr.Window) (aggCall, bool) {
	name := call.Name.Name
	a := expr.LookupAggregate(name)
	if a == nil || a.Windows&w == 0 {
		if w == expr.Sliding {
			p.errorf(call.Pos(), "%s cannot be used with OVER; windowed functions are %s", name, strings.Join(expr.AggregateNames(expr.Sliding), ", "))
		} else {
			p.errorf(call.Pos(), "%s needs an OVER window (it is an analytic function)", name)
		}
		return aggCall{}, false
	}
	if call.Distinct && !a.Distinct {
		where := "streaming aggregation; use COUNT_DISTINCT_ITEMS_TUMBLING or a SELECT STREAM DISTINCT subquery"
		if w == expr.Sliding {
			where = "windowed aggregation"
		}
		p.errorf(call.Pos(), "%s(DISTINCT ...) is not allowed in %s", name, where)
		return aggCall{}, false
	}
	if call.Star {
		if !a.Star {
			p.errorf(call.Pos(), "only %s accepts *", strings.Join(expr.StarNames(), ", "))
			return aggCall{}, false
		}
		return aggCall{agg: a, kind: window.AggCountStar, result: value.Bigint}, true
	}
	if len(call.Args) < a.MinArgs || len(call.Args) > a.MaxArgs {
		p.errorf(call.Pos(), "%s takes %s, got %d", name, a.Arity(), len(call.Args))
		return aggCall{}, false
	}
	for _, arg := range call.Args {
		nested := false
		parser.Inspect(arg, func(n parser.Node) bool {
			if fc, ok := n.(*parser.FuncCall); ok && (fc.Over != nil || fc.OverName != nil || expr.IsAggregateName(fc.Name.Name)) {
				nested = true
			}
			return !nested
		})
		if nested {
			p.errorf(arg.Pos(), "aggregate and windowed calls cannot be nested")
			return aggCall{}, false
		}
	}
	c, ok := p.compile(call.Args[0], sc)
	if !ok {
		return aggCall{}, false
	}
	rt, err := a.Return(c.Type)
	if err != nil {
		p.errorf(call.Pos(), "%s: %v", name, err)
		return aggCall{}, false
	}
	return aggCall{agg: a, kind: a.Kind, arg: c, result: rt}, true
}

// aggSpec compiles one aggregate call of a tumbling or stagger window.
func (p *planner) aggSpec(call *parser.FuncCall, sc *relScope, w expr.Window) (window.AggSpec, bool) {
	c, ok := p.checkAggCall(call, sc, w)
	if !ok {
		return window.AggSpec{}, false
	}
	spec := window.AggSpec{Kind: c.kind, ResultType: c.result}
	if c.arg != nil {
		spec.Arg, spec.ArgType = c.arg.Eval, c.arg.Type
	}
	return spec, true
}

// aggScope resolves names over the groups: GROUP BY expressions and
// aggregate calls map to slots of the window's output rows.
type aggScope struct {
	in       *relScope
	keys     []parser.Expr
	keyTypes []value.Type
	keySlots map[int]int // input slot of a plain-column key -> key index
	aggs     map[*parser.FuncCall]int
	aggTypes []value.Type
	timeKey  int // index in keys of the window's time key; -1 for none (stagger)
}

func (s *aggScope) Replace(e parser.Expr) (int, value.Type, bool) {
	if fc, ok := e.(*parser.FuncCall); ok {
		if slot, ok := s.aggs[fc]; ok {
			return slot, s.aggTypes[slot-len(s.keys)], true
		}
	}
	for i, k := range s.keys {
		if sameExpr(e, k) {
			return i, s.keyTypes[i], true
		}
	}
	if cr, ok := e.(*parser.ColumnRef); ok {
		probe := &relScope{cols: s.in.cols, hasRowtime: true}
		if slot, _, err := probe.Column(cr); err == nil && slot >= 0 {
			if k, ok := s.keySlots[slot]; ok {
				return k, s.keyTypes[k], true
			}
		}
	}
	return 0, value.Type{}, false
}

func (s *aggScope) Column(ref *parser.ColumnRef) (int, value.Type, error) {
	if len(ref.Parts) == 1 && ref.Parts[0].Name == "ROWTIME" {
		// Unqualified ROWTIME is the time of the row being produced: the window end.
		return expr.SlotRowtime, value.Type{Base: value.TTimestamp, NotNull: true}, nil
	}
	probe := &relScope{cols: s.in.cols, hasRowtime: true}
	if _, _, err := probe.Column(ref); err != nil {
		return 0, value.Type{}, err
	}
	return 0, value.Type{}, &expr.Error{Pos: ref.Parts[0].NamePos, Msg: fmt.Sprintf(
		"column %s must appear in GROUP BY or inside an aggregate function", ref.Name())}
}

// Time range searched for window ends: years 1 to 9999.
const (
	minTime = -62135596800000
	maxTime = 253402300799999
)

// timeFunctions derives, from a group key that depends on ROWTIME alone,
// the key at a bound (KeyAt) and the end of a window (WindowEnd): the first
// instant whose key is greater. The key is monotonic in ROWTIME, so the end
// is found by binary search; this covers STEP, FLOOR and the legacy
// FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)
// form alike, without special cases.
func timeFunctions(key eval.Func) (func(int64) value.Value, func(value.Value) int64) {
	ctx := &eval.Ctx{}
	keyAt := func(t int64) value.Value {
		ctx.Rowtime = t
		ctx.Err = nil
		v := key(ctx, nil)
		if ctx.Err != nil {
			return value.Null
		}
		return v
	}
	var lastKey value.Value
	var lastEnd int64
	var have bool
	windowEnd := func(k value.Value) int64 {
		if have && value.Identical(k, lastKey) {
			return lastEnd
		}
		after := func(t int64) bool {
			v := keyAt(t)
			c, ok := value.Compare(v, k)
			return ok && c > 0
		}
		lo, hi := int64(minTime), int64(maxTime)
		if !after(hi) {
			return hi
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			if after(mid) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		lastKey, lastEnd, have = k, lo, true
		return lo
	}
	return keyAt, windowEnd
}

// exprLabel is an expression as SQL, for explain output and generated
// column names.
func exprLabel(e parser.Expr) string { return parser.Format(unparen(e)) }

// callLabels lists calls for explain: "COUNT(*), AVG(PRICE)".
func callLabels(calls []*parser.FuncCall) string {
	parts := make([]string, len(calls))
	for i, c := range calls {
		parts[i] = exprLabel(c)
	}
	return strings.Join(parts, ", ")
}
