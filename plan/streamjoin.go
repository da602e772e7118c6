package plan

import (
	"fmt"
	"github.com/streamsql/streamsql/eval"
	"strings"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// windowedRel is a stream named in FROM with OVER (...): one side of a
// stream-to-stream join.
type windowedRel struct {
	rel
	frame *frameDef
	pos   parser.Pos
}

// streamJoin plans a join of two streams. At least one side needs a
// window; a side without one contributes only its current row.
func (p *planner) streamJoin(j *parser.Join, left, right rel) (rel, bool) {
	sides := [2]operators.JoinSide{}
	ins := [2]rel{left, right}
	descs := [2]string{"current row", "current row"}
	for i, r := range ins {
		sides[i].Width = len(r.columns())
		if w, ok := r.(*windowedRel); ok {
			ins[i] = w.rel
			sides[i].Windowed = true
			sides[i].Rows, sides[i].N, sides[i].Range = w.frame.rows, w.frame.n, w.frame.rng
			descs[i] = w.frame.String()
		}
	}
	if !sides[0].Windowed && !sides[1].Windowed {
		// Each side contributes its current row: rows with equal ROWTIMEs
		// meet (two per-minute aggregates joined on a.ROWTIME = b.ROWTIME).
		descs[0], descs[1] = "rows with the same ROWTIME", "rows with the same ROWTIME"
	}
	switch j.Kind {
	case parser.JoinLeft:
		sides[0].Outer = true
	case parser.JoinRight:
		sides[1].Outer = true
	case parser.JoinFull:
		sides[0].Outer, sides[1].Outer = true, true
	}
	// Each side's columns are followed by its ROWTIME, named o.ROWTIME;
	// unqualified ROWTIME stays the output row's time.
	var cols []relCol
	for i, r := range []rel{left, right} {
		rc := r.columns()
		var quals []string
		if len(rc) > 0 {
			quals = rc[0].Quals
		}
		for _, c := range append(append([]relCol(nil), rc...), relCol{Quals: quals, Name: "ROWTIME", Type: rowtimeType, Hidden: true}) {
			if sides[1-i].Outer {
				c.Type.NotNull = false
			}
			c.Time = timeNone // a joined row takes the later side's ROWTIME
			cols = append(cols, c)
		}
	}
	r := &streamJoinRel{left: ins[0], right: ins[1], sides: sides, cols: cols,
		desc: fmt.Sprintf("%s JOIN of streams (left: %s; right: %s)", j.Kind, descs[0], descs[1])}
	if j.On == nil {
		if j.Kind != parser.JoinCross {
			p.errorf(j.JoinPos, "JOIN needs an ON condition")
			return nil, false
		}
		return r, true
	}
	c, ok := p.predicate(j.On, &relScope{cols: cols, hasRowtime: true}, "ON")
	if !ok {
		return nil, false
	}
	r.on = c.Eval
	r.desc += " ON " + exprLabel(j.On)
	return r, true
}

var rowtimeType = value.Type{Base: value.TTimestamp, NotNull: true}

type streamJoinRel struct {
	left, right rel
	sides       [2]operators.JoinSide
	on          eval.Func
	cols        []relCol
	desc        string
}

func (r *streamJoinRel) columns() []relCol { return r.cols }
func (r *streamJoinRel) build(b *builder, out operators.Operator) error {
	n, o := b.add(out, func(out operators.Operator) any {
		op := &operators.StreamJoin{L: r.sides[0], R: r.sides[1], On: r.on, Out: out, Errors: b.errs, Pump: b.pump, Ctx: b.ctx}
		op.Init()
		return op
	})
	op := o.(*operators.StreamJoin)
	if err := r.left.build(b, n.input(op.Left())); err != nil {
		return err
	}
	return r.right.build(b, n.input(op.Right()))
}
func (r *streamJoinRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.left.describe(w, d+1)
	r.right.describe(w, d+1)
}
