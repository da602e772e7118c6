// Package expr compiles AST expressions into eval.Funcs: closures over a
// flat row, type-checked once at plan time, with positioned errors.
package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// SlotRowtime is the slot a Scope returns for ROWTIME: the compiled
// function reads the row time from eval.Ctx.
const SlotRowtime = -1

// Scope resolves names while compiling.
type Scope interface {
	// Column resolves a column reference to a slot of the input row.
	Column(ref *parser.ColumnRef) (slot int, t value.Type, err error)
	// Replace substitutes a precomputed slot for a whole subexpression
	// (aggregate calls, GROUP BY keys); it is asked first, for every node.
	Replace(e parser.Expr) (slot int, t value.Type, ok bool)
}

// Compiled is a compiled expression.
type Compiled struct {
	Eval  eval.Func
	Type  value.Type
	Const bool
	Value value.Value
}

// Error is a compile error at a position.
type Error struct {
	Pos parser.Pos
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func errorf(n parser.Node, format string, args ...any) error {
	var pos parser.Pos
	if b, ok := n.(*parser.BinaryExpr); ok && b.OpPos.IsValid() {
		pos = b.OpPos // point at the operator, not the left operand
	} else if n != nil {
		pos = n.Pos()
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func slotFunc(slot int) eval.Func {
	if slot == SlotRowtime {
		return func(c *eval.Ctx, _ []value.Value) value.Value { return value.NewTimestamp(c.Rowtime) }
	}
	return func(_ *eval.Ctx, row []value.Value) value.Value { return row[slot] }
}

func constant(v value.Value, t value.Type) *Compiled {
	return &Compiled{Eval: func(*eval.Ctx, []value.Value) value.Value { return v }, Type: t, Const: true, Value: v}
}

// fold evaluates an expression without column references once.
func fold(c *Compiled) (*Compiled, error) {
	ctx := &eval.Ctx{}
	v := c.Eval(ctx, nil)
	if ctx.Err != nil {
		return nil, ctx.Err
	}
	return constant(v, c.Type), nil
}

// Compile compiles e against sc.
func Compile(e parser.Expr, sc Scope) (*Compiled, error) {
	return compile(e, sc)
}

func compile(e parser.Expr, sc Scope) (*Compiled, error) {
	if slot, t, ok := sc.Replace(e); ok {
		return &Compiled{Eval: slotFunc(slot), Type: t}, nil
	}
	switch x := e.(type) {
	case *parser.ColumnRef:
		slot, t, err := sc.Column(x)
		if err != nil {
			if fa, ferr := rowFieldRef(x, sc); fa != nil || ferr != nil {
				return fa, ferr
			}
			return nil, err
		}
		return &Compiled{Eval: slotFunc(slot), Type: t}, nil
	case *parser.ParenExpr:
		return compile(x.X, sc)
	case *parser.NumberLit:
		return number(x)
	case *parser.StringLit:
		return constant(value.NewString(x.Value), value.Type{Base: value.TVarchar, Len: len([]rune(x.Value))}), nil
	case *parser.BinaryLit:
		return constant(value.NewBinary([]byte(x.Value)), value.Type{Base: value.TVarbinary, Len: len(x.Value)}), nil
	case *parser.BoolLit:
		if x.Unknown {
			return constant(value.Null, value.Boolean), nil
		}
		return constant(value.NewBool(x.Value), value.Boolean), nil
	case *parser.NullLit:
		return constant(value.Null, value.Unknown), nil
	case *parser.DatetimeLit:
		t, _ := value.ResolveType(x.Kind, nil)
		v, err := value.Cast(value.NewString(x.Value), t)
		if err != nil {
			return nil, errorf(x, "invalid %s literal '%s'", x.Kind, x.Value)
		}
		return constant(v, t), nil
	case *parser.IntervalLit:
		v, t, err := IntervalValue(x)
		if err != nil {
			return nil, err
		}
		return constant(v, t), nil
	case *parser.UnaryExpr:
		return unary(x, sc)
	case *parser.BinaryExpr:
		return binary(x, sc)
	case *parser.IsExpr:
		return isExpr(x, sc)
	case *parser.DistinctFrom:
		return distinctFrom(x, sc)
	case *parser.LikeExpr:
		return like(x, sc)
	case *parser.InExpr:
		if x.Query != nil {
			return inSubquery(x, sc) // inset.go
		}
		return inExpr(x, sc)
	case *parser.BetweenExpr:
		lo := &parser.BinaryExpr{X: x.X, Op: parser.OpGe, OpPos: x.X.Pos(), Y: x.Lo}
		hi := &parser.BinaryExpr{X: x.X, Op: parser.OpLe, OpPos: x.X.Pos(), Y: x.Hi}
		var cond parser.Expr = &parser.BinaryExpr{X: lo, Op: parser.OpAnd, Y: hi}
		if x.Symmetric {
			lo2 := &parser.BinaryExpr{X: x.X, Op: parser.OpGe, OpPos: x.X.Pos(), Y: x.Hi}
			hi2 := &parser.BinaryExpr{X: x.X, Op: parser.OpLe, OpPos: x.X.Pos(), Y: x.Lo}
			cond = &parser.BinaryExpr{X: cond, Op: parser.OpOr, Y: &parser.BinaryExpr{X: lo2, Op: parser.OpAnd, Y: hi2}}
		}
		if x.Not {
			cond = &parser.UnaryExpr{OpPos: x.X.Pos(), Op: parser.OpNot, X: cond}
		}
		return compile(cond, sc)
	case *parser.CaseExpr:
		return caseExpr(x, sc)
	case *parser.CastExpr:
		return castExpr(x, sc)
	case *parser.FloorCeil:
		return floorCeil(x, sc)
	case *parser.StepExpr:
		return step(x, sc)
	case *parser.ExtractExpr:
		return extract(x, sc)
	case *parser.IntervalQualifier:
		return qualifier(x, sc)
	case *parser.PositionExpr:
		return position(x, sc)
	case *parser.SubstringExpr:
		return substring(x, sc)
	case *parser.TrimExpr:
		return trim(x, sc)
	case *parser.FuncCall:
		return call(x, sc)
	case *parser.FieldAccess:
		return fieldAccess(x, sc)
	case *parser.CursorExpr:
		return nil, errorf(x, "CURSOR(...) is only allowed as the first argument of a table function in TABLE(...)")
	case *parser.ExistsExpr:
		return exists(x, sc) // inset.go
	case *parser.RowExpr:
		return nil, errorf(x, "a row value (a, b, ...) is only allowed before IN (SELECT ...)")
	case *parser.OverlayExpr:
		return overlay(x, sc)
	}
	return nil, errorf(e, "this expression is not supported yet")
}

// rowFieldRef reads a dotted name whose leading parts name a ROW-valued
// column and whose remaining parts name fields of it, as in the KDA
// examples' l.r.COLUMN1 and T.REC.COLUMN2 (a log parser's result column r
// or REC of subquery l or T). It returns nil, nil when no prefix is a ROW
// column.
func rowFieldRef(x *parser.ColumnRef, sc Scope) (*Compiled, error) {
	for n := len(x.Parts) - 1; n >= 1; n-- {
		prefix := &parser.ColumnRef{Parts: x.Parts[:n]}
		slot, t, err := sc.Column(prefix)
		if err != nil || t.Base != value.TRow {
			continue
		}
		c := &Compiled{Eval: slotFunc(slot), Type: t}
		for _, f := range x.Parts[n:] {
			var err error
			if c, err = fieldOf(c, f); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	return nil, nil
}

func number(x *parser.NumberLit) (*Compiled, error) {
	switch x.Kind {
	case parser.NumInteger:
		i, err := strconv.ParseInt(x.Raw, 10, 64)
		if err != nil {
			return nil, errorf(x, "integer literal %s is out of range", x.Raw)
		}
		if i <= math.MaxInt32 {
			return constant(value.NewInt(i), value.Integer), nil
		}
		return constant(value.NewInt(i), value.Bigint), nil
	case parser.NumDecimal:
		_, frac, _ := strings.Cut(x.Raw, ".")
		scale := len(frac)
		u, ok := value.ParseDecimal(x.Raw, scale)
		digits := len(strings.TrimLeft(strings.Replace(x.Raw, ".", "", 1), "0"))
		if !ok || digits > 19 || scale > 19 {
			f, _ := strconv.ParseFloat(x.Raw, 64)
			return constant(value.NewFloat(f), value.Double), nil
		}
		return constant(value.NewDecimal(u, uint8(scale)), value.Type{Base: value.TDecimal, Precision: max(digits, scale, 1), Scale: scale}), nil
	}
	f, err := strconv.ParseFloat(x.Raw, 64)
	if err != nil {
		return nil, errorf(x, "bad number %s", x.Raw)
	}
	return constant(value.NewFloat(f), value.Double), nil
}

// IntervalValue evaluates an interval literal: day-time intervals in
// milliseconds, year-month intervals in months.
func IntervalValue(l *parser.IntervalLit) (value.Value, value.Type, error) {
	s := strings.TrimSpace(l.Value)
	neg := l.Negative
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	bad := func() (value.Value, value.Type, error) {
		return value.Null, value.Type{}, errorf(l, "invalid interval '%s' %s", l.Value, unitsText(l.From, l.To))
	}
	// An interval is held as 64-bit milliseconds or months: a literal
	// beyond that is an error, not a value that wrapped around.
	tooBig := func(limit string) (value.Value, value.Type, error) {
		return value.Null, value.Type{}, errorf(l, "interval '%s' %s is out of range (at most %s)", l.Value, unitsText(l.From, l.To), limit)
	}
	const maxYears = math.MaxInt64 / 12
	if l.From == parser.UnitYear || l.From == parser.UnitMonth {
		var months int64
		switch {
		case l.From == parser.UnitYear && l.To == parser.UnitMonth:
			y, m, ok := strings.Cut(s, "-")
			yi, e1 := strconv.ParseInt(y, 10, 64)
			mi, e2 := strconv.ParseInt(m, 10, 64)
			rangeErr := errors.Is(e1, strconv.ErrRange) || errors.Is(e2, strconv.ErrRange)
			if !ok || (e1 != nil || e2 != nil) && !rangeErr || yi < 0 || mi < 0 {
				return bad()
			}
			if rangeErr || yi > (math.MaxInt64-mi)/12 {
				return tooBig(fmt.Sprintf("%d years", int64(maxYears)))
			}
			months = yi*12 + mi
		case l.To == parser.UnitNone:
			n, err := strconv.ParseInt(s, 10, 64)
			if errors.Is(err, strconv.ErrRange) || (l.From == parser.UnitYear && n > maxYears) {
				if l.From == parser.UnitYear {
					return tooBig(fmt.Sprintf("%d years", int64(maxYears)))
				}
				return tooBig(fmt.Sprintf("%d months", int64(math.MaxInt64)))
			}
			if err != nil {
				return bad()
			}
			months = n
			if l.From == parser.UnitYear {
				months *= 12
			}
		default:
			return bad()
		}
		if neg {
			months = -months
		}
		return value.NewIntervalYM(months), value.Type{Base: value.TIntervalYM}, nil
	}
	// Day-time: fields from the leading unit down, separated by space, ':' and '.'.
	unitMs := map[parser.TimeUnit]float64{parser.UnitDay: 86400000, parser.UnitHour: 3600000, parser.UnitMinute: 60000, parser.UnitSecond: 1000}
	if _, ok := unitMs[l.From]; !ok {
		return bad()
	}
	to := l.To
	if to == parser.UnitNone {
		to = l.From
	}
	seq := []parser.TimeUnit{parser.UnitDay, parser.UnitHour, parser.UnitMinute, parser.UnitSecond}
	var units []parser.TimeUnit
	in := false
	for _, u := range seq {
		if u == l.From {
			in = true
		}
		if in {
			units = append(units, u)
		}
		if u == to {
			break
		}
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' })
	if len(fields) != len(units) {
		return bad()
	}
	var ms float64
	for i, f := range fields {
		if i < len(fields)-1 && strings.Contains(f, ".") {
			return bad()
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) || x < 0 {
			return bad()
		}
		ms += x * unitMs[units[i]]
	}
	if ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		return tooBig(fmt.Sprintf("%d days", int64(math.MaxInt64/86400000)))
	}
	v := int64(math.Round(ms))
	if neg {
		v = -v
	}
	return value.NewIntervalDT(v), value.Type{Base: value.TIntervalDT}, nil
}

func unitsText(from, to parser.TimeUnit) string {
	if to == parser.UnitNone {
		return from.String()
	}
	return from.String() + " TO " + to.String()
}

// ---- operators ----

func boolFunc(f func(c *eval.Ctx, row []value.Value) value.Value) *Compiled {
	return &Compiled{Eval: f, Type: value.Boolean}
}

func unary(x *parser.UnaryExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	var out *Compiled
	switch x.Op {
	case parser.OpNot:
		if a.Type.Base != value.TBoolean && a.Type.Base != value.TUnknown {
			return nil, errorf(x, "NOT needs a BOOLEAN, not %s", a.Type)
		}
		f := a.Eval
		out = boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
			v := f(c, row)
			if v.K == value.KNull {
				return v
			}
			return value.NewBool(v.I == 0)
		})
	case parser.OpPlus:
		return a, nil
	case parser.OpNeg:
		if !a.Type.IsNumeric() && !a.Type.IsInterval() && a.Type.Base != value.TUnknown {
			return nil, errorf(x, "cannot negate %s", a.Type)
		}
		f := a.Eval
		out = &Compiled{Type: a.Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			v := f(c, row)
			switch v.K {
			case value.KFloat:
				v.F = -v.F
			case value.KInt, value.KDecimal, value.KIntervalDT, value.KIntervalYM:
				if v.I == math.MinInt64 {
					c.Fail(eval.Errorf(eval.ErrArithmetic, "integer overflow"))
					return value.Null
				}
				v.I = -v.I
			}
			return v
		}}
	}
	if a.Const {
		return fold(out)
	}
	return out, nil
}

func binary(x *parser.BinaryExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	b, err := compile(x.Y, sc)
	if err != nil {
		return nil, err
	}
	var out *Compiled
	switch x.Op {
	case parser.OpAnd, parser.OpOr:
		for _, c := range []*Compiled{a, b} {
			if c.Type.Base != value.TBoolean && c.Type.Base != value.TUnknown {
				return nil, errorf(x, "%s needs BOOLEAN operands, not %s", x.Op, c.Type)
			}
		}
		out = logic(x.Op == parser.OpAnd, a.Eval, b.Eval)
	case parser.OpEq, parser.OpNe, parser.OpLt, parser.OpLe, parser.OpGt, parser.OpGe:
		if _, ok := value.Common(a.Type, b.Type); !ok {
			return nil, errorf(x, "cannot compare %s with %s", a.Type, b.Type)
		}
		out = compare(x.Op, a, b)
	case parser.OpConcat:
		for _, c := range []*Compiled{a, b} {
			if c.Type.Base == value.TBinary || c.Type.Base == value.TVarbinary || c.Type.Base == value.TRow {
				return nil, errorf(x, "|| does not apply to %s", c.Type)
			}
		}
		fa, fb := a.Eval, b.Eval
		ta, tb := a.Type, b.Type
		n := 0
		if ta.Len > 0 && tb.Len > 0 {
			n = ta.Len + tb.Len
		}
		out = &Compiled{Type: value.Type{Base: value.TVarchar, Len: n}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			if u.K == value.KString && v.K == value.KString {
				return value.NewString(u.S + v.S)
			}
			return value.NewString(value.Text(u, ta) + value.Text(v, tb))
		}}
	default:
		out, err = arith(x, a, b)
		if err != nil {
			return nil, err
		}
	}
	if a.Const && b.Const {
		return fold(out)
	}
	return out, nil
}

func logic(and bool, fa, fb eval.Func) *Compiled {
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		u := fa(c, row)
		if u.K == value.KBool && (u.I != 0) != and {
			return u // false AND x, true OR x
		}
		v := fb(c, row)
		if v.K == value.KBool && (v.I != 0) != and {
			return v
		}
		if u.K == value.KNull || v.K == value.KNull {
			return value.Null
		}
		return value.NewBool(and)
	})
}

func cmpResult(op parser.Op, c int) bool {
	switch op {
	case parser.OpEq:
		return c == 0
	case parser.OpNe:
		return c != 0
	case parser.OpLt:
		return c < 0
	case parser.OpLe:
		return c <= 0
	case parser.OpGt:
		return c > 0
	}
	return c >= 0
}

func compare(op parser.Op, a, b *Compiled) *Compiled {
	fa, fb := a.Eval, b.Eval
	// Fast path: a float or integer column against a numeric constant.
	if b.Const && b.Value.K != value.KNull && (a.Type.Base == value.TDouble || a.Type.Base == value.TReal) {
		k := b.Value.Float64()
		return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
			v := fa(c, row)
			if v.K != value.KFloat {
				return value.Null
			}
			d := 0
			if v.F < k {
				d = -1
			} else if v.F > k {
				d = 1
			}
			return value.NewBool(cmpResult(op, d))
		})
	}
	if b.Const && b.Value.K == value.KString && a.Type.IsString() && (op == parser.OpEq || op == parser.OpNe) {
		k := b.Value.S
		eq := op == parser.OpEq
		return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
			v := fa(c, row)
			if v.K != value.KString {
				return value.Null
			}
			return value.NewBool((v.S == k) == eq)
		})
	}
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		u, v := fa(c, row), fb(c, row)
		d, ok := value.Compare(u, v)
		if !ok {
			return value.Null
		}
		return value.NewBool(cmpResult(op, d))
	})
}
