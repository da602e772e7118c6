package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// groupRank plans TABLE(GROUP_RANK(CURSOR(...), 'rankByColumnName',
// 'rankOutColumnName', 'sortOrder', 'outputOrder', maxIdle, outputMax)).
func (p *planner) groupRank(call *parser.FuncCall, in rel) (rel, bool) {
	name := call.Name.Name
	a := &tableFnArgs{p: p, name: name, args: call.Args[1:], ok: true}
	if len(a.args) != 6 {
		p.errorf(call.Pos(), "GROUP_RANK takes (CURSOR, 'rankByColumnName', 'rankOutColumnName', 'sortOrder', 'outputOrder', maxIdle, outputMax); got %d argument(s) after the cursor", len(a.args))
		return nil, false
	}
	inCols := in.columns()
	by := a.column(0, inCols)
	str := func(i int, what string) string {
		v, pos, ok := a.constant(i, what)
		if !ok {
			return ""
		}
		if v.K != value.KString {
			a.errorf(pos, "%s of GROUP_RANK must be a string", what)
			return ""
		}
		return v.S
	}
	outName := str(1, "rankOutColumnName")
	order := func(i int, what string) bool {
		s := strings.ToLower(strings.TrimSpace(str(i, what)))
		if a.ok && s != "asc" && s != "desc" {
			a.errorf(a.args[i].Pos(), "%s of GROUP_RANK must be 'asc' or 'desc'", what)
		}
		return s == "desc"
	}
	desc := order(2, "sortOrder")
	outDesc := order(3, "outputOrder")
	a.integer(4, "maxIdle", 0, 1<<31-1)
	maxOut := a.integer(5, "outputMax", 0, 1<<31-1)
	if !a.ok {
		return nil, false
	}
	if outName == "" {
		p.errorf(a.args[1].Pos(), "rankOutColumnName of GROUP_RANK cannot be empty")
		return nil, false
	}
	switch inCols[by].Type.Base {
	case value.TBoolean, value.TBinary, value.TVarbinary:
		p.errorf(a.args[0].Pos(), "GROUP_RANK cannot rank a %s column", inCols[by].Type)
		return nil, false
	}
	var cols []relCol
	rankOut := len(inCols)
	for i, c := range inCols {
		t := c.Type
		if c.Name == outName && !c.Hidden {
			rankOut = i // the cursor already has the column: the rank fills it
			t = value.Integer
		}
		cols = append(cols, relCol{Name: c.Name, Type: t, Hidden: c.Hidden})
	}
	op := operators.GroupRank{Width: len(inCols), RankBy: by, RankOut: rankOut, Desc: desc, OutDesc: outDesc, Max: int(maxOut)}
	if rankOut == len(inCols) {
		cols = append(cols, relCol{Name: outName, Type: value.Integer})
	}
	desc2 := fmt.Sprintf("GROUP_RANK(by %s %s, output %s, max %d)", quoteName(inCols[by].Name), map[bool]string{false: "asc", true: "desc"}[desc],
		map[bool]string{false: "asc", true: "desc"}[outDesc], maxOut)
	return &tableFnRel{in: in, cols: cols, desc: desc2,
		make: func(out operators.Operator, _ operators.ErrorSink, _ string) operators.Operator {
			g := op
			g.Out = out
			g.Init()
			return &g
		}}, true
}
