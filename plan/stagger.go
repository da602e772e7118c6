package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
	"github.com/streamsql/streamsql/window"
)

// stagger plans WINDOWED BY STAGGER: a window per partition key that
// opens with the key's first row and closes the range later.
func (p *planner) stagger(s *parser.Select, from rel, calls []*parser.FuncCall) (rel, bool) {
	st := s.Stagger
	if len(s.GroupBy) > 0 {
		p.errorf(s.GroupBy[0].Pos(), "WINDOWED BY STAGGER replaces GROUP BY; put the keys in its PARTITION BY")
		return nil, false
	}
	if len(st.PartitionBy) == 0 {
		p.errorf(st.Pos(), "WINDOWED BY STAGGER needs PARTITION BY keys")
		return nil, false
	}
	il, isLit := unparen(st.Range).(*parser.IntervalLit)
	if st.Range == nil || !isLit {
		pos := st.Pos()
		if st.Range != nil {
			pos = st.Range.Pos()
		}
		p.errorf(pos, "WINDOWED BY STAGGER needs RANGE INTERVAL '...' <unit>")
		return nil, false
	}
	ms, ok := p.intervalMillis(il)
	if !ok {
		return nil, false
	}
	if ms <= 0 {
		p.errorf(il.Pos(), "a stagger window needs a positive length")
		return nil, false
	}
	in := from
	sc := &relScope{cols: from.columns(), hasRowtime: true}
	if s.Where != nil {
		where, ok := p.predicate(s.Where, sc, "WHERE")
		if !ok {
			return nil, false
		}
		in = &selectRel{in: from, where: where.Eval, cols: from.columns(), desc: "Filter"}
	}
	cfg := window.StaggerConfig{Range: ms}
	var keyTypes []value.Type
	var keyNames []string
	keySlots := map[int]int{}
	for i, k := range st.PartitionBy {
		c, good := p.compile(k, &relScope{cols: sc.cols, hasRowtime: true})
		if !good {
			ok = false
			continue
		}
		cfg.Keys = append(cfg.Keys, c.Eval)
		keyTypes = append(keyTypes, c.Type)
		keyNames = append(keyNames, exprLabel(k))
		if cr, isRef := unparen(k).(*parser.ColumnRef); isRef {
			if slot, _, err := sc.Column(cr); err == nil && slot >= 0 {
				keySlots[slot] = i
			}
		}
	}
	if !ok {
		return nil, false
	}
	post := &aggScope{in: sc, keys: st.PartitionBy, keyTypes: keyTypes, keySlots: keySlots, aggs: map[*parser.FuncCall]int{}}
	for _, call := range calls {
		spec, good := p.aggSpec(call, sc)
		if !good {
			ok = false
			continue
		}
		post.aggs[call] = len(cfg.Keys) + len(cfg.Aggs)
		post.aggTypes = append(post.aggTypes, spec.ResultType)
		cfg.Aggs = append(cfg.Aggs, spec)
	}
	if !ok {
		return nil, false
	}
	var cols []relCol
	for i, t := range keyTypes {
		cols = append(cols, relCol{Name: keyNames[i], Type: t})
	}
	for i, t := range post.aggTypes {
		cols = append(cols, relCol{Name: fmt.Sprintf("AGG$%d", i), Type: t})
	}
	sr := &staggerRel{in: in, cfg: cfg, cols: cols,
		desc: fmt.Sprintf("StaggerWindow partition=(%s) range=%s aggregates=%d", strings.Join(keyNames, ", "), formatMillis(ms), len(cfg.Aggs))}
	var having eval.Func
	if s.Having != nil {
		h, good := p.predicate(s.Having, post, "HAVING")
		if !good {
			return nil, false
		}
		having = h.Eval
	}
	exprs, outCols, ok := p.items(s.Items, nil, post)
	if !ok {
		return nil, false
	}
	r := &selectRel{in: sr, exprs: exprs, cols: outCols, where: having, desc: "Project " + colNames(outCols)}
	if having != nil {
		r.desc = "Having+" + r.desc
	}
	return p.orderBy(s.OrderBy, s.Items, r, post, sc.cols)
}

// staggerRel is a stagger window.
type staggerRel struct {
	in   rel
	cfg  window.StaggerConfig
	cols []relCol
	desc string
}

func (r *staggerRel) columns() []relCol { return r.cols }
func (r *staggerRel) build(b *builder, out operators.Operator) error {
	cfg := r.cfg
	cfg.Errors = b.errs
	cfg.Pump = b.pump
	return r.in.build(b, window.NewStagger(cfg, out))
}
func (r *staggerRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
}
