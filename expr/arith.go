package expr

import (
	"math"
	"time"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

var errDivZero = eval.Errorf(eval.ErrArithmetic, "division by zero")
var errOverflow = eval.Errorf(eval.ErrArithmetic, "integer overflow")

// arith compiles + - * / over numbers, datetimes and intervals.
func arith(x *parser.BinaryExpr, a, b *Compiled) (*Compiled, error) {
	ta, tb := a.Type, b.Type
	fa, fb := a.Eval, b.Eval
	op := x.Op
	if ta.Base == value.TUnknown || tb.Base == value.TUnknown {
		t := ta
		if t.Base == value.TUnknown {
			t = tb
		}
		return &Compiled{Type: t, Eval: func(*eval.Ctx, []value.Value) value.Value { return value.Null }}, nil
	}
	switch {
	case ta.IsNumeric() && tb.IsNumeric():
		t, _ := value.Common(ta, tb)
		t.NotNull = false
		switch t.Base {
		case value.TReal, value.TDouble:
			t = value.Double
			return &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
				u, v := fa(c, row), fb(c, row)
				if u.K == value.KNull || v.K == value.KNull {
					return value.Null
				}
				return floatOp(c, op, u.Float64(), v.Float64())
			}}, nil
		case value.TDecimal:
			scale := max(ta.Scale, tb.Scale)
			if op == parser.OpMul {
				scale = min(ta.Scale+tb.Scale, 18)
			}
			t = value.Type{Base: value.TDecimal, Precision: 19, Scale: scale}
			if op == parser.OpDiv {
				t.Scale = max(ta.Scale, tb.Scale, 6)
			}
			rs := t.Scale
			return &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
				u, v := fa(c, row), fb(c, row)
				if u.K == value.KNull || v.K == value.KNull {
					return value.Null
				}
				return decimalOp(c, op, u, v, rs)
			}}, nil
		}
		if t.Base != value.TBigint {
			t = value.Type{Base: maxBase(ta.Base, tb.Base)}
			if t.Base < value.TInteger {
				t.Base = value.TInteger
			}
		}
		big := t.Base == value.TBigint
		return &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			return intOp(c, op, u.I, v.I, big)
		}}, nil
	case ta.IsDatetime() && tb.IsInterval() && (op == parser.OpAdd || op == parser.OpSub):
		return &Compiled{Type: ta, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			return addInterval(u, v, op == parser.OpSub)
		}}, nil
	case ta.IsInterval() && tb.IsDatetime() && op == parser.OpAdd:
		return &Compiled{Type: tb, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			return addInterval(v, u, false)
		}}, nil
	case ta.IsDatetime() && tb.IsDatetime() && op == parser.OpSub:
		// The difference of two datetimes; an interval qualifier usually follows.
		return &Compiled{Type: value.Type{Base: value.TIntervalDT}, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			return value.NewIntervalDT(u.I - v.I)
		}}, nil
	case ta.IsInterval() && tb.Base == ta.Base && (op == parser.OpAdd || op == parser.OpSub):
		return &Compiled{Type: ta, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			r := intOp(c, op, u.I, v.I, true)
			r.K = u.K
			return r
		}}, nil
	case ta.IsInterval() && tb.IsNumeric() && (op == parser.OpMul || op == parser.OpDiv),
		ta.IsNumeric() && tb.IsInterval() && op == parser.OpMul:
		it := ta
		if tb.IsInterval() {
			it = tb
		}
		return &Compiled{Type: it, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
			u, v := fa(c, row), fb(c, row)
			if u.K == value.KNull || v.K == value.KNull {
				return value.Null
			}
			iv, n := u, v
			if v.K == value.KIntervalDT || v.K == value.KIntervalYM {
				iv, n = v, u
			}
			f := n.Float64()
			var r float64
			if op == parser.OpDiv {
				if f == 0 {
					c.Fail(errDivZero)
					return value.Null
				}
				r = float64(iv.I) / f
			} else {
				r = float64(iv.I) * f
			}
			return value.Value{K: iv.K, I: int64(math.Round(r))}
		}}, nil
	}
	return nil, errorf(x, "cannot apply %s to %s and %s", op, ta, tb)
}

func maxBase(a, b value.Base) value.Base {
	if a > b {
		return a
	}
	return b
}

func intOp(c *eval.Ctx, op parser.Op, a, b int64, big bool) value.Value {
	var r int64
	switch op {
	case parser.OpAdd:
		r = a + b
		if (b > 0 && r < a) || (b < 0 && r > a) {
			c.Fail(errOverflow)
			return value.Null
		}
	case parser.OpSub:
		r = a - b
		if (b < 0 && r < a) || (b > 0 && r > a) {
			c.Fail(errOverflow)
			return value.Null
		}
	case parser.OpMul:
		if a != 0 && b != 0 {
			r = a * b
			if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				c.Fail(errOverflow)
				return value.Null
			}
		}
	case parser.OpDiv:
		if b == 0 {
			c.Fail(errDivZero)
			return value.Null
		}
		if a == math.MinInt64 && b == -1 {
			c.Fail(errOverflow)
			return value.Null
		}
		r = a / b
	}
	if !big && (r > math.MaxInt32 || r < math.MinInt32) {
		c.Fail(errOverflow)
		return value.Null
	}
	return value.NewInt(r)
}

func floatOp(c *eval.Ctx, op parser.Op, a, b float64) value.Value {
	switch op {
	case parser.OpAdd:
		return value.NewFloat(a + b)
	case parser.OpSub:
		return value.NewFloat(a - b)
	case parser.OpMul:
		return value.NewFloat(a * b)
	}
	if b == 0 {
		c.Fail(errDivZero)
		return value.Null
	}
	return value.NewFloat(a / b)
}

func decimalOp(c *eval.Ctx, op parser.Op, u, v value.Value, scale int) value.Value {
	dt := value.Type{Base: value.TDecimal, Precision: 19, Scale: scale}
	if op == parser.OpMul || op == parser.OpDiv {
		if op == parser.OpDiv && v.Float64() == 0 {
			c.Fail(errDivZero)
			return value.Null
		}
		var r float64
		if op == parser.OpMul {
			r = u.Float64() * v.Float64()
		} else {
			r = u.Float64() / v.Float64()
		}
		out, err := value.Cast(value.NewFloat(r), dt)
		if err != nil {
			c.Fail(errOverflow)
			return value.Null
		}
		return out
	}
	x, err1 := value.Cast(u, dt)
	y, err2 := value.Cast(v, dt)
	if err1 != nil || err2 != nil {
		c.Fail(errOverflow)
		return value.Null
	}
	r := intOp(c, op, x.I, y.I, true)
	if r.K == value.KNull {
		return r
	}
	return value.NewDecimal(r.I, uint8(scale))
}

// addInterval adds (or subtracts) an interval to a datetime; year-month
// intervals move by calendar months.
func addInterval(d, iv value.Value, sub bool) value.Value {
	n := iv.I
	if sub {
		n = -n
	}
	if iv.K == value.KIntervalYM {
		t := time.UnixMilli(d.I).UTC().AddDate(0, int(n), 0)
		return value.Value{K: d.K, I: t.UnixMilli()}
	}
	return value.Value{K: d.K, I: d.I + n}
}
