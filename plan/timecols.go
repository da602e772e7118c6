package plan

import (
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
)

// colTime says how a column's values follow time, so that a time key can
// be recognised after a projection, a subquery or an in-application
// stream: GROUP BY wt over (SELECT STREAM ROWTIME AS wt ...) is grouped by
// ROWTIME, and a MONOTONIC value stays monotonic downstream.
type colTime uint8

const (
	timeNone  colTime = iota
	timeMono          // never decreases from row to row (MONOTONIC(...), a window's time key)
	timeExact         // equal to the row's ROWTIME
)

// unionTime is what a column of UNION ALL keeps: both arms equal to their
// ROWTIME stay so (rows merge in ROWTIME order); monotonic arms need not
// interleave monotonically.
func unionTime(a, b colTime) colTime {
	if a == timeExact && b == timeExact {
		return timeExact
	}
	return timeNone
}

// itemTime is the colTime of a select item computed over scope sc.
func itemTime(e parser.Expr, sc expr.Scope) colTime {
	if isMonotonicCall(e) {
		return timeMono
	}
	switch s := sc.(type) {
	case *relScope:
		probe := &relScope{cols: s.cols, hasRowtime: s.hasRowtime}
		c, err := expr.Compile(e, probe)
		if err != nil || c.Type.IsInterval() {
			return timeNone
		}
		if probe.usedColumns || !(probe.usedRowtime || probe.usedExact || probe.usedMono) {
			return timeNone
		}
		if _, ok := unparen(e).(*parser.ColumnRef); ok && !probe.usedMono {
			// ROWTIME itself or a column equal to it (o.ROWTIME of a join
			// side is a hidden column without a time property).
			return timeExact
		}
		return timeMono
	case *aggScope:
		// The time key never decreases from window to window; unqualified
		// ROWTIME that is not a key is the window end, the row's own time.
		if slot, _, ok := s.Replace(unparen(e)); ok {
			if slot == s.timeKey {
				return timeMono
			}
			return timeNone
		}
		if cr, ok := unparen(e).(*parser.ColumnRef); ok && len(cr.Parts) == 1 && cr.Parts[0].Name == "ROWTIME" {
			return timeExact
		}
	}
	return timeNone
}

// keyTime classifies a GROUP BY or leading ORDER BY key over cols:
// isTime reports a time key; timeFn, when not nil, evaluates it from ROWTIME
// alone (the key reads ROWTIME or columns equal to it and nothing else).
// A key over monotonic columns is a time key without timeFn, like
// MONOTONIC(col).
func keyTime(e parser.Expr, cols []relCol) (timeFn eval.Func, isTime bool) {
	probe := &relScope{cols: cols, hasRowtime: true, exactAsRowtime: true}
	c, err := expr.Compile(e, probe)
	if err != nil {
		return nil, isMonotonicCall(e)
	}
	switch {
	case probe.usedColumns:
		return nil, isMonotonicCall(e)
	case probe.usedMono:
		return nil, true
	case probe.usedRowtime || probe.usedExact:
		return c.Eval, true
	}
	return nil, isMonotonicCall(e)
}

// noteWriter records what a pump inserting into st puts in each column:
// a column stays equal to ROWTIME when every pump fills it with its own
// ROWTIME (the stream merges its pumps in ROWTIME order), and monotonic
// only while a single pump writes it. A pump that sets ROWTIME with
// AS ROWTIME breaks the link to its old time.
func (st *Stream) noteWriter(src []relCol, ins *operators.Insert) {
	times := make([]colTime, len(st.Columns))
	if ins.RowtimeArg < 0 {
		for i, slot := range ins.Slots {
			// A value converted on the way (a time written as text) keeps
			// nothing.
			if slot >= 0 && st.Columns[slot].Type.Base == src[i].Type.Base {
				times[slot] = src[i].Time
			}
		}
	}
	if st.writers == 0 {
		st.times = times
	} else {
		for i := range st.times {
			if st.times[i] != timeExact || times[i] != timeExact {
				st.times[i] = timeNone
			}
		}
	}
	st.writers++
}

// columnTime is how column i of stream st follows time: what every pump
// writing st puts there. A pump may read a stream before the pumps that
// write it are planned; then the hint of an earlier pass answers.
func (p *planner) columnTime(st *Stream, i int) colTime {
	if h, ok := p.hints[st.Name]; ok {
		if i < len(h) {
			return h[i]
		}
		return timeNone
	}
	if !st.Source && !st.Query && st.writers == 0 {
		p.readEarly = true
	}
	if i < len(st.times) {
		return st.times[i]
	}
	return timeNone
}

// planPasses plans a script; when a pump read a stream before the pumps
// writing it were planned, it plans again, from the pristine catalog, with
// what the last pass learnt of every stream's columns, until that holds
// (a chain of such streams takes one pass per link; pump cycles are
// rejected, so it ends).
func planPasses(script *parser.Script, cat *Catalog) (*Graph, error) {
	pristine := cat.clone()
	p, g, err := planOnce(script, cat, nil)
	if !p.readEarly {
		return g, err
	}
	hints := streamTimes(cat)
	for pass := 0; pass < 64; pass++ {
		c := pristine.clone()
		_, g, err = planOnce(script, c, hints)
		next := streamTimes(c)
		if sameTimes(next, hints) {
			cat.replaceWith(c)
			g.Catalog = cat
			return g, err
		}
		hints = next
	}
	return g, err
}

// streamTimes collects how the columns of every planned stream follow time.
func streamTimes(c *Catalog) map[string][]colTime {
	out := map[string][]colTime{}
	for _, st := range c.Streams() {
		if !st.Source {
			out[st.Name] = append([]colTime(nil), st.times...)
		}
	}
	return out
}

func sameTimes(a, b map[string][]colTime) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
	}
	return true
}
