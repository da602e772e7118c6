package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
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
	in, sc, ok := p.filter(s, from)
	if !ok {
		return nil, false
	}
	cfg := window.StaggerConfig{Range: ms}
	keys := groupKeys{slots: map[int]int{}}
	for _, k := range st.PartitionBy {
		if _, _, good := p.addKey(&keys, k, sc); !good {
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	cfg.Keys = keys.funcs
	keyNames := keys.names
	post := &aggScope{in: sc, keys: st.PartitionBy, keyTypes: keys.types, keySlots: keys.slots, aggs: map[*parser.FuncCall]int{}, timeKey: -1}
	aggs, cols, ok := p.groupAggregates(post, calls, keyNames, expr.Stagger)
	if !ok {
		return nil, false
	}
	cfg.Aggs = aggs
	sr := &opRel{in: in, cols: cols,
		desc: fmt.Sprintf("StaggerWindow partition=(%s) range=%s aggregates=(%s)", strings.Join(keyNames, ", "), formatMillis(ms), callLabels(calls)),
		make: func(b *builder, out operators.Operator) operators.Operator {
			c := cfg
			c.Errors, c.Pump = b.errs, b.pump
			return window.NewStagger(c, out)
		}}
	return p.finishGroups(s, sr, post)
}
