package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/analytics"
	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// tableFnRel is an analytic table function over its cursor's relation.
type tableFnRel struct {
	in   rel
	cols []relCol
	desc string
	// make builds the function's operator feeding out.
	make func(out operators.Operator, errs operators.ErrorSink, pump string) operators.Operator
}

func (r *tableFnRel) columns() []relCol { return r.cols }
func (r *tableFnRel) build(b *builder, out operators.Operator) error {
	return r.in.build(b, b.node(out, func(out operators.Operator) operators.Operator {
		return r.make(out, b.errs, b.pump)
	}))
}
func (r *tableFnRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
}

// tableFnArgs reads the constant arguments of one table function call.
type tableFnArgs struct {
	p      *planner
	name   string
	call   *parser.FuncCall
	cursor parser.Pos    // position of CURSOR
	in     []relCol      // the cursor's columns
	args   []parser.Expr // after the cursor
	ok     bool
}

func (a *tableFnArgs) errorf(pos parser.Pos, format string, args ...any) {
	a.p.errorf(pos, format, args...)
	a.ok = false
}

// constant evaluates argument i (0 = the first after the cursor).
func (a *tableFnArgs) constant(i int, what string) (value.Value, parser.Pos, bool) {
	e := a.args[i]
	c, err := expr.Compile(e, &relScope{})
	if err != nil {
		a.p.exprErr(err, e.Pos())
		a.ok = false
		return value.Null, e.Pos(), false
	}
	if !c.Const {
		a.errorf(e.Pos(), "%s of %s must be a constant", what, a.name)
		return value.Null, e.Pos(), false
	}
	if c.Value.IsNull() {
		a.errorf(e.Pos(), "%s of %s cannot be NULL", what, a.name)
		return value.Null, e.Pos(), false
	}
	return c.Value, e.Pos(), true
}

// integer reads an integer argument in [lo, hi].
func (a *tableFnArgs) integer(i int, what string, lo, hi int64) int64 {
	v, pos, ok := a.constant(i, what)
	if !ok {
		return lo
	}
	if v.K != value.KInt {
		a.errorf(pos, "%s of %s must be an integer", what, a.name)
		return lo
	}
	if v.I < lo || v.I > hi {
		a.errorf(pos, "%s of %s must be between %d and %d; got %d", what, a.name, lo, hi, v.I)
		return lo
	}
	return v.I
}

// number reads a numeric argument greater than zero.
func (a *tableFnArgs) positive(i int, what string) float64 {
	v, pos, ok := a.constant(i, what)
	if !ok {
		return 1
	}
	if v.K != value.KInt && v.K != value.KFloat && v.K != value.KDecimal {
		a.errorf(pos, "%s of %s must be a number", what, a.name)
		return 1
	}
	if f := v.Float64(); f > 0 {
		return f
	}
	a.errorf(pos, "%s of %s must be greater than 0; got %s", what, a.name, value.Text(v, value.Type{}))
	return 1
}

func (a *tableFnArgs) boolean(i int, what string) bool {
	v, pos, ok := a.constant(i, what)
	if !ok {
		return false
	}
	if v.K != value.KBool {
		a.errorf(pos, "%s of %s must be TRUE or FALSE", what, a.name)
		return false
	}
	return v.Bool()
}

// column reads a 'columnName' argument: a string literal naming a column
// of the cursor exactly (case included).
func (a *tableFnArgs) column(i int, in []relCol) int {
	e := a.args[i]
	sl, ok := e.(*parser.StringLit)
	if !ok {
		a.errorf(e.Pos(), "the column argument of %s must be a column name in single quotes, such as 'TICKER_SYMBOL'", a.name)
		return 0
	}
	var names []string
	for j, c := range in {
		if c.Name == sl.Value {
			return j
		}
		names = append(names, c.Name)
	}
	msg := fmt.Sprintf("the cursor of %s has no column %s", a.name, quoteName(sl.Value))
	if s := suggestName(sl.Value, names); s != "" {
		msg += fmt.Sprintf("; did you mean '%s'? (the name must match the column's stored case)", s)
	} else if len(names) > 0 {
		msg += "; it has " + strings.Join(names, ", ")
	}
	a.errorf(e.Pos(), "%s", msg)
	return 0
}

// numericCols lists the cursor columns the ML functions read: DOUBLE,
// REAL/FLOAT, BIGINT, INTEGER, SMALLINT and TINYINT (not DECIMAL).
func numericCols(in []relCol) ([]int, []string) {
	var idx []int
	var names []string
	for i, c := range in {
		switch c.Type.Base {
		case value.TTinyint, value.TSmallint, value.TInteger, value.TBigint, value.TReal, value.TDouble:
			idx = append(idx, i)
			names = append(names, c.Name)
		}
	}
	return idx, names
}

// tableFunctions maps each analytic table function to its planner, which
// reads the arguments and fills in the rel's columns, description and
// operator constructor. It reports false after recording errors.
var tableFunctions = map[string]func(a *tableFnArgs, r *tableFnRel) bool{
	"HOTSPOTS":                           planHotspots,
	"RANDOM_CUT_FOREST":                  planRCF,
	"RANDOM_CUT_FOREST_WITH_EXPLANATION": planRCF,
	"COUNT_DISTINCT_ITEMS_TUMBLING":      planCountDistinct,
	"TOP_K_ITEMS_TUMBLING":               planTopK,
}

// planTableFunc validates a table function's arguments and plans its rel.
// in is the cursor's relation, cursorPos the position of CURSOR.
func (p *planner) planTableFunc(call *parser.FuncCall, in rel, cursorPos parser.Pos) (rel, bool) {
	name := call.Name.Name
	plan, ok := tableFunctions[name]
	if !ok {
		p.errorf(call.Name.Pos(), "unknown table function %s; KDA has HOTSPOTS, RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION, COUNT_DISTINCT_ITEMS_TUMBLING, TOP_K_ITEMS_TUMBLING and GROUP_RANK", name)
		return nil, false
	}
	a := &tableFnArgs{p: p, name: name, args: call.Args[1:], ok: true, call: call, cursor: cursorPos, in: in.columns()}
	r := &tableFnRel{in: in}
	if !plan(a, r) || !a.ok {
		return nil, false
	}
	return r, true
}

// count checks the number of arguments after the cursor.
func (a *tableFnArgs) count(lo, hi int, form string) bool {
	if n := len(a.args); n < lo || n > hi {
		pos := a.call.Pos()
		if n > hi {
			pos = a.args[hi].Pos()
		}
		a.errorf(pos, "%s takes %s; got %d argument(s) after the cursor", a.name, form, n)
		return false
	}
	return true
}

// numeric lists the cursor's numeric columns (at most limit, if > 0).
func (a *tableFnArgs) numeric(limit int) ([]int, []string, bool) {
	for _, c := range a.in {
		if c.Type.Base == value.TDecimal {
			a.errorf(a.cursor, "%s does not accept DECIMAL; the cursor's column %s is %s: CAST it to DOUBLE", a.name, quoteName(c.Name), c.Type)
			return nil, nil, false
		}
	}
	idx, names := numericCols(a.in)
	if len(idx) == 0 {
		a.errorf(a.cursor, "the cursor of %s has no numeric column (DOUBLE, REAL, BIGINT, INTEGER, SMALLINT, TINYINT; DECIMAL is not supported, cast it to DOUBLE)", a.name)
		return nil, nil, false
	}
	if limit > 0 && len(idx) > limit {
		a.errorf(a.cursor, "%s accepts at most %d numeric columns; the cursor has %d", a.name, limit, len(idx))
		return nil, nil, false
	}
	return idx, names, true
}

// passThrough gives r the cursor's columns followed by extra.
func (a *tableFnArgs) passThrough(r *tableFnRel, extra ...relCol) {
	for _, c := range a.in {
		r.cols = append(r.cols, relCol{Name: c.Name, Type: c.Type})
	}
	r.cols = append(r.cols, extra...)
}

func planHotspots(a *tableFnArgs, r *tableFnRel) bool {
	if !a.count(3, 3, "(CURSOR, windowSize, scanRadius, minimumNumberOfPointsInAHotspot)") {
		return false
	}
	idx, names, ok := a.numeric(0)
	if !ok {
		return false
	}
	w := a.integer(0, "windowSize", 100, 1000)
	radius := a.positive(1, "scanRadius")
	minPts := a.integer(2, "minimumNumberOfPointsInAHotspot", 2, w)
	if !a.ok {
		return false
	}
	a.passThrough(r, relCol{Name: "HOTSPOTS_RESULT", Type: value.Type{Base: value.TVarchar, Len: 10000}})
	cfg := analytics.HotspotsConfig{Columns: idx, Names: names, WindowSize: int(w), Radius: radius, MinPoints: int(minPts)}
	width := len(a.in)
	r.desc = fmt.Sprintf("HOTSPOTS(windowSize=%d, scanRadius=%g, minPoints=%d) over %s", w, radius, minPts, colNames(pick(a.in, idx)))
	r.make = func(out operators.Operator, errs operators.ErrorSink, pump string) operators.Operator {
		c := cfg
		c.Errors, c.Pump = errs, pump
		return analytics.NewHotspots(c, out, width)
	}
	return true
}

func planRCF(a *tableFnArgs, r *tableFnRel) bool {
	explain := a.name == "RANDOM_CUT_FOREST_WITH_EXPLANATION"
	maxArgs, form := 4, "(CURSOR [, numberOfTrees, subSampleSize, timeDecay, shingleSize])"
	if explain {
		maxArgs, form = 5, "(CURSOR [, numberOfTrees, subSampleSize, timeDecay, shingleSize, withDirectionality])"
	}
	if !a.count(0, maxArgs, form) {
		return false
	}
	idx, names, ok := a.numeric(30)
	if !ok {
		return false
	}
	cfg := analytics.RCFConfig{Columns: idx, Names: names, Explain: explain,
		Trees: analytics.DefaultTrees, SampleSize: analytics.DefaultSampleSize,
		TimeDecay: analytics.DefaultTimeDecay, Shingle: analytics.DefaultShingle}
	n := len(a.args)
	if n > 0 {
		cfg.Trees = int(a.integer(0, "numberOfTrees", 1, 1000))
	}
	if n > 1 {
		cfg.SampleSize = int(a.integer(1, "subSampleSize", 10, 1000))
	}
	if n > 2 {
		cfg.TimeDecay = a.integer(2, "timeDecay", 1, 2147483647)
	}
	if n > 3 {
		cfg.Shingle = int(a.integer(3, "shingleSize", 1, 30))
	}
	if n > 4 {
		cfg.Directional = a.boolean(4, "withDirectionality")
	}
	if a.ok && int64(cfg.SampleSize) >= cfg.TimeDecay {
		a.errorf(a.args[min(2, n-1)].Pos(), "subSampleSize (%d) of %s must be less than timeDecay (%d)", cfg.SampleSize, a.name, cfg.TimeDecay)
	}
	if !a.ok {
		return false
	}
	extra := []relCol{{Name: "ANOMALY_SCORE", Type: value.Double}}
	if explain {
		extra = append(extra, relCol{Name: "ANOMALY_EXPLANATION", Type: value.Type{Base: value.TVarchar, Len: 20480}})
	}
	a.passThrough(r, extra...)
	r.desc = fmt.Sprintf("%s(numberOfTrees=%d, subSampleSize=%d, timeDecay=%d, shingleSize=%d", a.name, cfg.Trees, cfg.SampleSize, cfg.TimeDecay, cfg.Shingle)
	if explain {
		r.desc += fmt.Sprintf(", withDirectionality=%t", cfg.Directional)
	}
	r.desc += ") over " + colNames(pick(a.in, idx))
	width := len(a.in)
	r.make = func(out operators.Operator, errs operators.ErrorSink, pump string) operators.Operator {
		c := cfg
		c.Errors, c.Pump = errs, pump
		return analytics.NewRCF(c, out, width)
	}
	return true
}

func planCountDistinct(a *tableFnArgs, r *tableFnRel) bool {
	if !a.count(2, 2, "(CURSOR, 'columnName', windowSize)") {
		return false
	}
	col := a.column(0, a.in)
	secs := a.integer(1, "windowSize", 1, 3600)
	if !a.ok {
		return false
	}
	r.cols = []relCol{{Name: "NUMBER_OF_DISTINCT_ITEMS", Type: value.Bigint}}
	cfg := analytics.DistinctConfig{Column: col, WindowMs: secs * 1000}
	r.desc = fmt.Sprintf("COUNT_DISTINCT_ITEMS_TUMBLING(%s, windowSize=%ds)", quoteName(a.in[col].Name), secs)
	r.make = func(out operators.Operator, errs operators.ErrorSink, pump string) operators.Operator {
		c := cfg
		c.Errors, c.Pump = errs, pump
		return analytics.NewDistinct(c, out)
	}
	return true
}

func planTopK(a *tableFnArgs, r *tableFnRel) bool {
	if !a.count(3, 3, "(CURSOR, 'columnName', K, windowSize)") {
		return false
	}
	col := a.column(0, a.in)
	k := a.integer(1, "K", 1, 100000)
	secs := a.integer(2, "windowSize", 1, 3600)
	if !a.ok {
		return false
	}
	r.cols = []relCol{{Name: a.in[col].Name, Type: a.in[col].Type}, {Name: "MOST_FREQUENT_VALUES", Type: value.Bigint}}
	cfg := analytics.TopKConfig{Column: col, K: int(k), WindowMs: secs * 1000}
	r.desc = fmt.Sprintf("TOP_K_ITEMS_TUMBLING(%s, K=%d, windowSize=%ds)", quoteName(a.in[col].Name), k, secs)
	r.make = func(out operators.Operator, errs operators.ErrorSink, pump string) operators.Operator {
		c := cfg
		c.Errors, c.Pump = errs, pump
		return analytics.NewTopK(c, out)
	}
	return true
}

func pick(cols []relCol, idx []int) []relCol {
	out := make([]relCol, len(idx))
	for i, j := range idx {
		out[i] = cols[j]
	}
	return out
}
