package expr

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

func isExpr(x *parser.IsExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	f, what, not := a.Eval, x.What, x.Not
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		var r bool
		switch what {
		case parser.IsNull, parser.IsUnknown:
			r = v.K == value.KNull
		case parser.IsTrue:
			r = v.K == value.KBool && v.I != 0
		case parser.IsFalse:
			r = v.K == value.KBool && v.I == 0
		}
		return value.NewBool(r != not)
	}), nil
}

func distinctFrom(x *parser.DistinctFrom, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	b, err := compile(x.Y, sc)
	if err != nil {
		return nil, err
	}
	fa, fb, not := a.Eval, b.Eval, x.Not
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		same := value.Identical(fa(c, row), fb(c, row))
		return value.NewBool(same == not)
	}), nil
}

// likeRegexp translates a LIKE pattern (or a SIMILAR TO pattern) to Go.
func likeRegexp(pattern string, escape rune, similar bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?s)^(?:")
	esc := false
	for _, r := range pattern {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case escape != 0 && r == escape:
			esc = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		case similar && strings.ContainsRune("|*+()[]?{}", r):
			b.WriteRune(r)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		return nil, fmt.Errorf("pattern ends with the escape character")
	}
	b.WriteString(")$")
	return compileRegexp(b.String())
}

func like(x *parser.LikeExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	p, err := compile(x.Pattern, sc)
	if err != nil {
		return nil, err
	}
	var escape rune
	if x.Escape != nil {
		e, err := compile(x.Escape, sc)
		if err != nil {
			return nil, err
		}
		if !e.Const || e.Value.K != value.KString || utf8.RuneCountInString(e.Value.S) != 1 {
			return nil, errorf(x.Escape, "ESCAPE needs a one-character string literal")
		}
		escape, _ = utf8.DecodeRuneInString(e.Value.S)
	}
	kw := "LIKE"
	if x.Similar {
		kw = "SIMILAR TO"
	}
	if !a.Type.IsString() && a.Type.Base != value.TUnknown {
		return nil, errorf(x, "%s needs a string, not %s", kw, a.Type)
	}
	fa, not, similar := a.Eval, x.Not, x.Similar
	if p.Const {
		if p.Value.K == value.KNull {
			return constant(value.Null, value.Boolean), nil
		}
		re, err := likeRegexp(p.Value.S, escape, similar)
		if err != nil {
			return nil, errorf(x.Pattern, "invalid %s pattern: %v", kw, err)
		}
		return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
			v := fa(c, row)
			if v.K == value.KNull {
				return v
			}
			return value.NewBool(re.MatchString(v.S) != not)
		}), nil
	}
	fp := p.Eval
	cache := map[string]*regexp.Regexp{}
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		v, pv := fa(c, row), fp(c, row)
		if v.K == value.KNull || pv.K == value.KNull {
			return value.Null
		}
		re, ok := cache[pv.S]
		if !ok {
			var err error
			if re, err = likeRegexp(pv.S, escape, similar); err != nil {
				c.Fail(eval.Errorf(eval.ErrConversion, "invalid pattern: "+err.Error()))
				return value.Null
			}
			if len(cache) > 1000 {
				clear(cache)
			}
			cache[pv.S] = re
		}
		return value.NewBool(re.MatchString(v.S) != not)
	}), nil
}

func inExpr(x *parser.InExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	var items []eval.Func
	for _, e := range x.List {
		c, err := compile(e, sc)
		if err != nil {
			return nil, err
		}
		if _, ok := value.Common(a.Type, c.Type); !ok {
			return nil, errorf(e, "cannot compare %s with %s in IN", a.Type, c.Type)
		}
		items = append(items, c.Eval)
	}
	fa, not := a.Eval, x.Not
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		v := fa(c, row)
		if v.K == value.KNull {
			return v
		}
		sawNull := false
		for _, f := range items {
			w := f(c, row)
			if w.K == value.KNull {
				sawNull = true
				continue
			}
			if d, ok := value.Compare(v, w); ok && d == 0 {
				return value.NewBool(!not)
			}
		}
		if sawNull {
			return value.Null
		}
		return value.NewBool(not)
	}), nil
}

func caseExpr(x *parser.CaseExpr, sc Scope) (*Compiled, error) {
	var operand eval.Func
	if x.Operand != nil {
		o, err := compile(x.Operand, sc)
		if err != nil {
			return nil, err
		}
		operand = o.Eval
	}
	var conds, results []eval.Func
	t := value.Unknown
	for _, w := range x.Whens {
		c, err := compile(w.Cond, sc)
		if err != nil {
			return nil, err
		}
		if operand == nil && c.Type.Base != value.TBoolean && c.Type.Base != value.TUnknown {
			return nil, errorf(w.Cond, "WHEN needs a BOOLEAN condition, not %s", c.Type)
		}
		r, err := compile(w.Result, sc)
		if err != nil {
			return nil, err
		}
		nt, ok := value.Common(t, r.Type)
		if !ok {
			return nil, errorf(w.Result, "CASE arms have types %s and %s", t, r.Type)
		}
		t = nt
		conds, results = append(conds, c.Eval), append(results, r.Eval)
	}
	var elseF eval.Func
	if x.Else != nil {
		e, err := compile(x.Else, sc)
		if err != nil {
			return nil, err
		}
		nt, ok := value.Common(t, e.Type)
		if !ok {
			return nil, errorf(x.Else, "CASE arms have types %s and %s", t, e.Type)
		}
		t, elseF = nt, e.Eval
	}
	rt := t
	return &Compiled{Type: rt, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		var op value.Value
		if operand != nil {
			op = operand(c, row)
		}
		for i, cond := range conds {
			v := cond(c, row)
			hit := false
			if operand != nil {
				d, ok := value.Compare(op, v)
				hit = ok && d == 0
			} else {
				hit = v.K == value.KBool && v.I != 0
			}
			if hit {
				return coerce(c, results[i](c, row), rt)
			}
		}
		if elseF != nil {
			return coerce(c, elseF(c, row), rt)
		}
		return value.Null
	}}, nil
}

// coerce brings an arm's value to the CASE result type (numbers only).
func coerce(c *eval.Ctx, v value.Value, t value.Type) value.Value {
	if v.K == value.KNull || v.K == t.Kind() || !t.IsNumeric() {
		return v
	}
	out, err := value.Cast(v, t)
	if err != nil {
		c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
		return value.Null
	}
	return out
}

func castExpr(x *parser.CastExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	if x.Type.Name == "INTERVAL" {
		return castToInterval(x, a)
	}
	t, err := value.ResolveType(x.Type.Name, x.Type.Args)
	if err != nil {
		return nil, errorf(x.Type, "%v", err)
	}
	if a.Type.Base == value.TIntervalDT && (t.Base == value.TBigint || t.Base == value.TDecimal) {
		return castIntervalToNumber(x, a, t)
	}
	if !castAllowed(a.Type, t) {
		if a.Type.Base == value.TIntervalDT && t.IsNumeric() {
			return nil, errorf(x, "cannot CAST %s to %s (a day-time interval casts to BIGINT or DECIMAL)", a.Type, t)
		}
		return nil, errorf(x, "cannot CAST %s to %s", a.Type, t)
	}
	f := a.Eval
	out := &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v, err := castValue(f(c, row), t)
		if err != nil {
			c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
			return value.Null
		}
		return v
	}}
	if a.Const {
		if folded, err := fold(out); err == nil {
			return folded, nil
		}
	}
	return out, nil
}

// castAllowed is the documented CAST table: numbers to numbers and text;
// text to anything; DATE, TIME and TIMESTAMP among themselves (DATE and
// TIME not to each other) and to text; intervals to text; BOOLEAN to text;
// binary to binary.
func castAllowed(from, to value.Type) bool {
	switch {
	case from.Base == value.TUnknown || from.IsString() || to.IsString():
		return from.Base != value.TRow && !(to.IsString() && (from.Base == value.TBinary || from.Base == value.TVarbinary))
	case from.IsNumeric():
		return to.IsNumeric()
	case from.Base == value.TDate:
		return to.Base == value.TDate || to.Base == value.TTimestamp
	case from.Base == value.TTime:
		return to.Base == value.TTime || to.Base == value.TTimestamp
	case from.Base == value.TTimestamp:
		return to.IsDatetime()
	case from.Base == value.TBoolean:
		return to.Base == value.TBoolean
	case from.Base == value.TBinary || from.Base == value.TVarbinary:
		return to.Base == value.TBinary || to.Base == value.TVarbinary
	}
	return from.Base == to.Base
}

// castIntervalToNumber is CAST of a day-time interval to BIGINT or DECIMAL,
// which the CAST page lists: the count of the interval's last field
// (CAST((t1 - t2) SECOND AS BIGINT) is seconds, CAST(INTERVAL '2' HOUR AS
// BIGINT) is 2). The field comes from the SQL, an interval qualifier or
// literal, so an interval without one is a plan-time error. BIGINT drops a
// part of the unit (toward zero); DECIMAL keeps milliseconds of a SECOND
// count, rounded to its scale.
func castIntervalToNumber(x *parser.CastExpr, a *Compiled, t value.Type) (*Compiled, error) {
	u, ok := intervalUnit(x.X)
	if !ok {
		return nil, errorf(x, "CAST of an interval to %s counts units of its last field; give it one, as in CAST((t1 - t2) SECOND AS %s)", t, t)
	}
	w := unitMs[u]
	f := a.Eval
	out := &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		if v.K == value.KNull {
			return v
		}
		if t.Base == value.TBigint {
			return value.NewInt(v.I / w)
		}
		var d value.Value
		if u == parser.UnitSecond {
			d = value.NewDecimal(v.I, 3) // seconds, to the millisecond
		} else {
			d = value.NewDecimal(v.I/w, 0)
		}
		n, err := value.Cast(d, t)
		if err != nil {
			c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
			return value.Null
		}
		return n
	}}
	if a.Const {
		if folded, err := fold(out); err == nil {
			return folded, nil
		}
	}
	return out, nil
}

// intervalUnit is the last field of an interval expression's qualifier,
// when the SQL gives one: a qualified difference or a literal, possibly in
// parentheses, negated, scaled by a number, or added to one of the same
// field.
func intervalUnit(e parser.Expr) (parser.TimeUnit, bool) {
	last := func(from, to parser.TimeUnit) (parser.TimeUnit, bool) {
		if to != parser.UnitNone {
			from = to
		}
		_, ok := unitMs[from]
		return from, ok
	}
	switch x := e.(type) {
	case *parser.IntervalQualifier:
		return last(x.From, x.To)
	case *parser.IntervalLit:
		return last(x.From, x.To)
	case *parser.ParenExpr:
		return intervalUnit(x.X)
	case *parser.UnaryExpr:
		return intervalUnit(x.X)
	case *parser.BinaryExpr:
		ux, okx := intervalUnit(x.X)
		uy, oky := intervalUnit(x.Y)
		switch x.Op {
		case parser.OpMul, parser.OpDiv:
			switch { // one side is the interval, the other a number
			case okx && !oky:
				return ux, true
			case oky && !okx:
				return uy, true
			}
		case parser.OpAdd, parser.OpSub:
			return ux, okx && oky && ux == uy
		}
	}
	return parser.UnitNone, false
}

// castValue is CAST's conversion: value.Cast, except that a REAL, DOUBLE or
// DECIMAL becomes an integer by rounding half away from zero (the CAST page:
// real numbers are rounded when converted), and a number, datetime, interval
// or boolean whose text does not fit a CHAR/VARCHAR(n) is an error rather
// than cut (the page's CAST(DATE '2008-08-23' AS VARCHAR(9)) gives no row).
func castValue(v value.Value, t value.Type) (value.Value, error) {
	switch {
	case t.IsInteger() && v.K == value.KFloat:
		if !math.IsNaN(v.F) && !math.IsInf(v.F, 0) {
			v.F = math.Round(v.F)
		}
	case t.IsInteger() && v.K == value.KDecimal && v.Scale > 0:
		v = roundPlaces(nil, v, 0, false)
		if v.K == value.KNull {
			return value.Null, &value.ConversionError{Msg: "numeric overflow in CAST"}
		}
	case t.Base == value.TTimestamp && v.K == value.KTime:
		return value.NewTimestamp(v.I), nil // a TIME becomes that time on 1970-01-01
	case t.IsString() && t.Len > 0 && v.K != value.KNull && v.K != value.KString:
		s := value.Text(v, value.Type{})
		if n := utf8.RuneCountInString(s); n > t.Len {
			return value.Null, &value.ConversionError{Msg: fmt.Sprintf("'%s' needs %d characters, more than %s holds", s, n, t)}
		}
	}
	return value.Cast(v, t)
}

// castToInterval is CAST(text AS INTERVAL unit [TO unit]): the text is read
// as the quoted part of an interval literal of those units.
func castToInterval(x *parser.CastExpr, a *Compiled) (*Compiled, error) {
	if !a.Type.IsString() && a.Type.Base != value.TUnknown && !a.Type.IsInterval() {
		return nil, errorf(x, "cannot CAST %s to INTERVAL", a.Type)
	}
	from, to := x.Type.From, x.Type.To
	t := value.Type{Base: value.TIntervalDT}
	if from == parser.UnitYear || from == parser.UnitMonth {
		t.Base = value.TIntervalYM
	}
	f := a.Eval
	out := &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		if v.K != value.KString {
			if v.K != value.KNull && v.K != t.Kind() {
				c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("cannot convert %s to %s", value.Text(v, value.Type{}), t)))
				return value.Null
			}
			return v
		}
		iv, _, err := IntervalValue(&parser.IntervalLit{Value: v.S, From: from, To: to})
		if err != nil {
			c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
			return value.Null
		}
		return iv
	}}
	if a.Const {
		if folded, err := fold(out); err == nil {
			return folded, nil
		}
	}
	return out, nil
}

var unitMs = map[parser.TimeUnit]int64{parser.UnitDay: 86400000, parser.UnitHour: 3600000, parser.UnitMinute: 60000, parser.UnitSecond: 1000}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// truncTime floors (or ceils) a millisecond timestamp to a unit.
func truncTime(ms int64, u parser.TimeUnit, ceil bool) int64 {
	if w, ok := unitMs[u]; ok {
		f := floorDiv(ms, w) * w
		if ceil && f != ms {
			f += w
		}
		return f
	}
	t := time.UnixMilli(ms).UTC()
	var f time.Time
	switch u {
	case parser.UnitYear:
		f = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		if ceil && !f.Equal(t) {
			f = f.AddDate(1, 0, 0)
		}
	default: // MONTH
		f = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		if ceil && !f.Equal(t) {
			f = f.AddDate(0, 1, 0)
		}
	}
	return f.UnixMilli()
}

func floorCeil(x *parser.FloorCeil, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	u, ceil := x.Unit, x.Ceil
	name := "FLOOR"
	if ceil {
		name = "CEIL"
	}
	switch {
	case a.Type.IsDatetime():
		if u < parser.UnitYear || u > parser.UnitSecond {
			return nil, errorf(x, "%s ... TO %s is not supported", name, u)
		}
	case a.Type.Base == value.TIntervalDT:
		if _, ok := unitMs[u]; !ok {
			return nil, errorf(x, "%s of a day-time interval TO %s is not supported", name, u)
		}
	case a.Type.Base == value.TUnknown:
	default:
		return nil, errorf(x, "%s ... TO %s needs a date, time, timestamp or interval, not %s", name, u, a.Type)
	}
	f := a.Eval
	out := &Compiled{Type: a.Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		if v.K == value.KNull {
			return v
		}
		v.I = truncTime(v.I, u, ceil)
		return v
	}}
	if a.Const {
		return fold(out)
	}
	return out, nil
}

func step(x *parser.StepExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	by, err := compile(x.By, sc)
	if err != nil {
		return nil, err
	}
	if !by.Const || by.Value.K == value.KNull {
		return nil, errorf(x.By, "STEP needs a constant width after BY")
	}
	w := by.Value
	f := a.Eval
	switch {
	case a.Type.IsDatetime() && w.K == value.KIntervalDT:
		if w.I <= 0 {
			return nil, errorf(x.By, "STEP width must be positive")
		}
		width := w.I
		return &Compiled{Type: a.Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			v := f(c, row)
			if v.K != value.KNull {
				v.I = floorDiv(v.I, width) * width
			}
			return v
		}}, nil
	case a.Type.IsDatetime() && w.K == value.KIntervalYM:
		if w.I <= 0 {
			return nil, errorf(x.By, "STEP width must be positive")
		}
		months := w.I
		return &Compiled{Type: a.Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			v := f(c, row)
			if v.K == value.KNull {
				return v
			}
			t := time.UnixMilli(v.I).UTC()
			m := int64(t.Year()-1970)*12 + int64(t.Month()-1)
			m = floorDiv(m, months) * months
			v.I = time.Date(1970+int(floorDiv(m, 12)), time.Month(m-floorDiv(m, 12)*12+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
			return v
		}}, nil
	case a.Type.IsInteger() && w.K == value.KInt:
		if w.I <= 0 {
			return nil, errorf(x.By, "STEP width must be positive")
		}
		width := w.I
		return &Compiled{Type: a.Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			v := f(c, row)
			if v.K != value.KNull {
				v.I = floorDiv(v.I, width) * width
			}
			return v
		}}, nil
	}
	return nil, errorf(x, "STEP needs a datetime BY an interval or an integer BY an integer, not %s BY %s", a.Type, by.Type)
}

// extract is EXTRACT(unit FROM x): BIGINT for every field but SECOND,
// which is DECIMAL(5,3) with the milliseconds (the EXTRACT page). From an
// interval it reads the field, not the total: EXTRACT(HOUR FROM INTERVAL
// '2 3:4:5.678' DAY TO SECOND) is 3.
func extract(x *parser.ExtractExpr, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	if !a.Type.IsDatetime() && !a.Type.IsInterval() && a.Type.Base != value.TUnknown {
		return nil, errorf(x, "EXTRACT needs a datetime or interval, not %s", a.Type)
	}
	f, u := a.Eval, x.Unit
	t := value.Bigint
	if u == parser.UnitSecond {
		t = value.Type{Base: value.TDecimal, Precision: 5, Scale: 3}
	}
	second := func(ms int64) value.Value { return value.NewDecimal(ms, 3) } // ms within the minute
	return &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		switch v.K {
		case value.KNull:
			return v
		case value.KIntervalDT:
			ms := v.I
			switch u {
			case parser.UnitDay:
				return value.NewInt(ms / 86400000)
			case parser.UnitHour:
				return value.NewInt(ms / 3600000 % 24)
			case parser.UnitMinute:
				return value.NewInt(ms / 60000 % 60)
			case parser.UnitSecond:
				return second(ms % 60000)
			case parser.UnitMillisecond:
				return value.NewInt(ms % 1000)
			case parser.UnitEpoch:
				return value.NewInt(ms / 1000)
			}
			return value.NewInt(0) // YEAR, MONTH of a day-time interval
		case value.KIntervalYM:
			switch u {
			case parser.UnitYear:
				return value.NewInt(v.I / 12)
			case parser.UnitMonth:
				return value.NewInt(v.I % 12)
			case parser.UnitSecond:
				return second(0)
			}
			return value.NewInt(0)
		}
		tm := time.UnixMilli(v.I).UTC()
		var r int
		switch u {
		case parser.UnitYear:
			r = tm.Year()
		case parser.UnitMonth:
			r = int(tm.Month())
		case parser.UnitDay:
			r = tm.Day()
		case parser.UnitHour:
			r = tm.Hour()
		case parser.UnitMinute:
			r = tm.Minute()
		case parser.UnitSecond:
			return second(int64(tm.Second())*1000 + int64(tm.Nanosecond()/1e6))
		case parser.UnitMillisecond:
			r = tm.Nanosecond() / 1e6
		case parser.UnitQuarter:
			r = (int(tm.Month())-1)/3 + 1
		case parser.UnitWeek:
			_, r = tm.ISOWeek()
		case parser.UnitDOW:
			r = int(tm.Weekday()) + 1
		case parser.UnitDOY:
			r = tm.YearDay()
		case parser.UnitEpoch:
			return value.NewInt(floorDiv(v.I, 1000))
		}
		return value.NewInt(int64(r))
	}}, nil
}

// qualifier gives a datetime difference its unit: (a - b) SECOND is an
// interval counted in whole seconds.
func qualifier(x *parser.IntervalQualifier, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	if a.Type.Base != value.TIntervalDT && a.Type.Base != value.TUnknown {
		return nil, errorf(x, "an interval qualifier needs a datetime difference such as (t1 - t2) SECOND, not %s", a.Type)
	}
	last := x.To
	if last == parser.UnitNone {
		last = x.From
	}
	w, ok := unitMs[last]
	if !ok {
		return nil, errorf(x, "interval qualifier %s is not a day-time unit", last)
	}
	f := a.Eval
	return &Compiled{Type: value.Type{Base: value.TIntervalDT}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		if v.K != value.KNull {
			v.I = (v.I / w) * w // truncated to the qualifier's last unit
		}
		return v
	}}, nil
}

func strArg(e parser.Expr, sc Scope, fn string) (*Compiled, error) {
	c, err := compile(e, sc)
	if err != nil {
		return nil, err
	}
	if !c.Type.IsString() && c.Type.Base != value.TUnknown {
		return nil, errorf(e, "%s needs a string, not %s", fn, c.Type)
	}
	return c, nil
}

func intArg(e parser.Expr, sc Scope, fn string) (*Compiled, error) {
	c, err := compile(e, sc)
	if err != nil {
		return nil, err
	}
	if !c.Type.IsInteger() && c.Type.Base != value.TUnknown {
		return nil, errorf(e, "%s needs an integer, not %s", fn, c.Type)
	}
	return c, nil
}

func position(x *parser.PositionExpr, sc Scope) (*Compiled, error) {
	sub, err := strArg(x.Sub, sc, "POSITION")
	if err != nil {
		return nil, err
	}
	s, err := strArg(x.X, sc, "POSITION")
	if err != nil {
		return nil, err
	}
	var from eval.Func
	if x.From != nil {
		fc, err := intArg(x.From, sc, "POSITION ... FROM")
		if err != nil {
			return nil, err
		}
		from = fc.Eval
	}
	fs, fx := sub.Eval, s.Eval
	return &Compiled{Type: value.Integer, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		a, b := fs(c, row), fx(c, row)
		if a.K == value.KNull || b.K == value.KNull {
			return value.Null
		}
		start := 1
		if from != nil {
			f := from(c, row)
			if f.K == value.KNull {
				return value.Null
			}
			start = max(int(f.I), 1)
		}
		runes := []rune(b.S)
		if start > len(runes)+1 {
			return value.NewInt(0)
		}
		i := strings.Index(string(runes[start-1:]), a.S)
		if i < 0 {
			return value.NewInt(0)
		}
		return value.NewInt(int64(start + utf8.RuneCountInString(string(runes[start-1:])[:i])))
	}}, nil
}

func substring(x *parser.SubstringExpr, sc Scope) (*Compiled, error) {
	s, err := strArg(x.X, sc, "SUBSTRING")
	if err != nil {
		return nil, err
	}
	if x.Similar != nil {
		return substringSimilar(x, s, sc)
	}
	from, err := compile(x.From, sc)
	if err != nil {
		return nil, err
	}
	if from.Type.IsString() && x.For == nil && !x.Comma {
		return substringRegex(x, s, from)
	}
	if !from.Type.IsInteger() && from.Type.Base != value.TUnknown {
		return nil, errorf(x.From, "SUBSTRING needs an integer start position (or a regular expression after FROM), not %s", from.Type)
	}
	var length eval.Func
	if x.For != nil {
		l, err := intArg(x.For, sc, "SUBSTRING")
		if err != nil {
			return nil, err
		}
		length = l.Eval
	}
	fs, ff, comma := s.Eval, from.Eval, x.Comma
	out := &Compiled{Type: value.Type{Base: value.TVarchar, Len: s.Type.Len}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v, f := fs(c, row), ff(c, row)
		if v.K == value.KNull || f.K == value.KNull {
			return value.Null
		}
		runes := []rune(v.S)
		if comma && f.I > int64(len(runes)) {
			return value.Null // documented: SUBSTRING('123456789', 10, 4) is null
		}
		start := f.I - 1
		end := int64(len(runes))
		if length != nil {
			l := length(c, row)
			if l.K == value.KNull {
				return value.Null
			}
			if l.I < 0 {
				c.Fail(eval.Errorf(eval.ErrConversion, "SUBSTRING length is negative"))
				return value.Null
			}
			if start+l.I < end && start < math.MaxInt64-l.I {
				end = start + l.I
			}
		}
		start = max(start, 0)
		if start >= end {
			return value.NewString("")
		}
		return value.NewString(string(runes[start:end]))
	}}
	if s.Const && from.Const && x.For == nil {
		return fold(out)
	}
	return out, nil
}

// substringRegex is SUBSTRING(s FROM 'regex'): the first match, or NULL.
func substringRegex(x *parser.SubstringExpr, s, from *Compiled) (*Compiled, error) {
	if !from.Const {
		return nil, errorf(x.From, "SUBSTRING ... FROM needs a constant regular expression")
	}
	if from.Value.K == value.KNull {
		return constant(value.Null, value.Varchar), nil
	}
	re, err := compileJavaRegexp(from.Value.S)
	if err != nil {
		return nil, errorf(x.From, "invalid regular expression '%s': %v", from.Value.S, err)
	}
	fs := s.Eval
	return &Compiled{Type: value.Type{Base: value.TVarchar, Len: s.Type.Len}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := fs(c, row)
		if v.K == value.KNull {
			return v
		}
		loc := re.FindStringIndex(v.S)
		if loc == nil {
			return value.Null
		}
		return value.NewString(v.S[loc[0]:loc[1]])
	}}, nil
}

// substringSimilar is SUBSTRING(s SIMILAR 'before<esc>"middle<esc>"after'
// ESCAPE '<esc>'): the part of s matched by the middle pattern, where the
// three parts are SIMILAR TO patterns found anywhere in s; NULL without a
// match.
func substringSimilar(x *parser.SubstringExpr, s *Compiled, sc Scope) (*Compiled, error) {
	p, err := compile(x.Similar, sc)
	if err != nil {
		return nil, err
	}
	if !p.Const || (p.Value.K != value.KString && p.Value.K != value.KNull) {
		return nil, errorf(x.Similar, "SUBSTRING ... SIMILAR needs a constant string pattern")
	}
	if x.Escape == nil {
		return nil, errorf(x, "SUBSTRING ... SIMILAR needs ESCAPE '<character>'")
	}
	e, err := compile(x.Escape, sc)
	if err != nil {
		return nil, err
	}
	if !e.Const || e.Value.K != value.KString || utf8.RuneCountInString(e.Value.S) != 1 {
		return nil, errorf(x.Escape, "ESCAPE needs a one-character string literal")
	}
	if p.Value.K == value.KNull {
		return constant(value.Null, value.Varchar), nil
	}
	esc, _ := utf8.DecodeRuneInString(e.Value.S)
	parts := strings.Split(p.Value.S, string(esc)+`"`)
	if len(parts) != 3 {
		return nil, errorf(x.Similar, "the SIMILAR pattern needs two %c\" markers around the part to return", esc)
	}
	var b strings.Builder
	b.WriteString("(?s)")
	for i, part := range parts {
		frag, err := similarFragment(part, esc)
		if err != nil {
			return nil, errorf(x.Similar, "invalid SIMILAR pattern: %v", err)
		}
		if i == 1 {
			b.WriteString("(" + frag + ")")
		} else {
			b.WriteString(frag)
		}
	}
	re, err := compileRegexp(b.String())
	if err != nil {
		return nil, errorf(x.Similar, "invalid SIMILAR pattern: %v", err)
	}
	fs := s.Eval
	return &Compiled{Type: value.Type{Base: value.TVarchar, Len: s.Type.Len}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := fs(c, row)
		if v.K == value.KNull {
			return v
		}
		m := re.FindStringSubmatchIndex(v.S)
		if m == nil {
			return value.Null
		}
		return value.NewString(v.S[m[2]:m[3]])
	}}, nil
}

// similarFragment translates a piece of a SIMILAR TO pattern (no anchors).
func similarFragment(pattern string, escape rune) (string, error) {
	re, err := likeRegexp(pattern, escape, true)
	if err != nil {
		return "", err
	}
	s := re.String()
	return strings.TrimSuffix(strings.TrimPrefix(s, "(?s)^(?:"), ")$"), nil
}

// trim is TRIM([BOTH|LEADING|TRAILING] [c] FROM s): repetitions of one
// character (default space) removed from the ends. A trim string that is
// empty or longer than one character is an error (the TRIM page).
func trim(x *parser.TrimExpr, sc Scope) (*Compiled, error) {
	s, err := strArg(x.X, sc, "TRIM")
	if err != nil {
		return nil, err
	}
	chars := eval.Func(func(*eval.Ctx, []value.Value) value.Value { return value.NewString(" ") })
	if x.Chars != nil {
		cc, err := strArg(x.Chars, sc, "TRIM")
		if err != nil {
			return nil, err
		}
		if cc.Const && cc.Value.K == value.KString && utf8.RuneCountInString(cc.Value.S) != 1 {
			return nil, errorf(x.Chars, "TRIM needs exactly one trim character, not '%s'", cc.Value.S)
		}
		chars = cc.Eval
	}
	fs, side := s.Eval, x.Side
	return &Compiled{Type: value.Type{Base: value.TVarchar, Len: s.Type.Len}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v, ch := fs(c, row), chars(c, row)
		if v.K == value.KNull || ch.K == value.KNull {
			return value.Null
		}
		if utf8.RuneCountInString(ch.S) != 1 {
			c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("TRIM needs exactly one trim character, not '%s'", ch.S)))
			return value.Null
		}
		out := v.S
		if side != parser.TrimTrailing {
			for strings.HasPrefix(out, ch.S) {
				out = out[len(ch.S):]
			}
		}
		if side != parser.TrimLeading {
			for strings.HasSuffix(out, ch.S) {
				out = out[:len(out)-len(ch.S)]
			}
		}
		return value.NewString(out)
	}}, nil
}

func overlay(x *parser.OverlayExpr, sc Scope) (*Compiled, error) {
	s, err := strArg(x.X, sc, "OVERLAY")
	if err != nil {
		return nil, err
	}
	r, err := strArg(x.Repl, sc, "OVERLAY")
	if err != nil {
		return nil, err
	}
	from, err := intArg(x.From, sc, "OVERLAY")
	if err != nil {
		return nil, err
	}
	var forF eval.Func
	if x.For != nil {
		fc, err := intArg(x.For, sc, "OVERLAY")
		if err != nil {
			return nil, err
		}
		forF = fc.Eval
	}
	fs, fr, ff := s.Eval, r.Eval, from.Eval
	return &Compiled{Type: value.Varchar, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v, rv, f := fs(c, row), fr(c, row), ff(c, row)
		if v.K == value.KNull || rv.K == value.KNull || f.K == value.KNull {
			return value.Null
		}
		runes := []rune(v.S)
		n := int64(utf8.RuneCountInString(rv.S))
		if forF != nil {
			l := forF(c, row)
			if l.K == value.KNull {
				return value.Null
			}
			if l.I < 0 {
				c.Fail(eval.Errorf(eval.ErrConversion, "OVERLAY length is negative"))
				return value.Null
			}
			n = l.I
		}
		// The replacement covers positions [from, from+n) of the original;
		// positions before 1 do not exist, so a start below 1 prepends
		// (OVERLAY('12345' PLACING 'foo' FROM 0) is 'foo345').
		size := int64(len(runes))
		head := min(max(f.I-1, 0), size)
		tail := size
		if f.I-1 < size && n < size { // no overflow in f.I-1+n below
			tail = min(max(f.I-1+n, head), size)
		}
		return value.NewString(string(runes[:head]) + rv.S + string(runes[tail:]))
	}}, nil
}

func fieldAccess(x *parser.FieldAccess, sc Scope) (*Compiled, error) {
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	if a.Type.Base != value.TRow {
		return nil, errorf(x, "field access .%s needs a ROW value, not %s", x.Field.Name, a.Type)
	}
	return fieldOf(a, x.Field)
}

// fieldOf reads one field of a ROW value; a NULL row gives NULL fields.
func fieldOf(a *Compiled, field *parser.Ident) (*Compiled, error) {
	if a.Type.Base != value.TRow {
		return nil, errorf(field, "field access .%s needs a ROW value, not %s", field.Name, a.Type)
	}
	idx := -1
	var names []string
	for i, fd := range a.Type.Fields {
		if fd.Name == field.Name {
			idx = i
		}
		names = append(names, fd.Name)
	}
	if idx < 0 {
		return nil, errorf(field, "the row has no field %s; its fields are %s", field.Name, strings.Join(names, ", "))
	}
	f := a.Eval
	out := &Compiled{Type: a.Type.Fields[idx].Type, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		v := f(c, row)
		if v.K != value.KRow || v.R == nil || idx >= len(v.R.Fields) {
			return value.Null
		}
		return v.R.Fields[idx]
	}}
	out.Type.NotNull = false
	if a.Const {
		return fold(out)
	}
	return out, nil
}

// The special forms, listed in the function table with their syntax.
func init() {
	for _, f := range []*Function{
		{Name: "CAST", Syntax: "CAST(x AS type)", Description: "convert x to type (numbers round or truncate as documented; a failing conversion sends the row to error_stream)"},
		{Name: "CASE", Syntax: "CASE [x] WHEN a THEN r ... [ELSE e] END", Description: "the result of the first matching WHEN, else e or NULL"},
		{Name: "EXTRACT", Syntax: "EXTRACT(unit FROM datetime | interval)", Description: "one field (YEAR ... SECOND, MILLISECOND, QUARTER, WEEK, DOW, DOY, EPOCH) as BIGINT"},
		{Name: "POSITION", Syntax: "POSITION(sub IN s [FROM start])", Description: "1-based character position of sub in s, 0 when absent"},
		{Name: "SUBSTRING", Syntax: "SUBSTRING(s FROM start [FOR len] | s, start [, len] | s FROM regex | s SIMILAR pattern ESCAPE c)", Description: "part of s by position, by the first regular-expression match, or between two escape-\" markers"},
		{Name: "TRIM", Syntax: "TRIM([BOTH | LEADING | TRAILING] [chars] FROM s)", Description: "remove characters (default spaces) from the ends of s"},
		{Name: "OVERLAY", Syntax: "OVERLAY(s PLACING r FROM start [FOR len])", Description: "replace len characters of s at start with r"},
		{Name: "STEP", Syntax: "STEP(x BY width)", Description: "round a datetime down to a multiple of an interval, or an integer to a multiple of an integer"},
		{Name: "FLOOR TO", Syntax: "FLOOR(datetime TO unit), CEIL(datetime TO unit)", Description: "round a datetime down (up) to YEAR, MONTH, DAY, HOUR, MINUTE or SECOND"},
	} {
		functions[f.Name] = f
	}
}
