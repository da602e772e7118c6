// Package window holds aggregate accumulators and the tumbling-window
// operator behind a streaming GROUP BY. It sees compiled eval.Funcs only,
// never SQL text.
package window

import (
	"fmt"
	"math"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// AggKind is an aggregate accumulator. The SQL side of each (names,
// arity, argument and result types, the windows it runs in) is the
// aggregate table in package expr.
type AggKind uint8

const (
	AggCount AggKind = iota
	AggCountStar
	AggSum
	AggAvg
	AggMin
	AggMax
	AggFirstValue
	AggLastValue
	AggStddevPop
	AggStddevSamp
	AggVarPop
	AggVarSamp
	AggAny
	AggEvery
	// Analytic functions: OVER windows only.
	AggLag
	AggNthValue
	AggExpAvg
)

// AggSpec is one aggregate of a GROUP BY: its kind and compiled argument.
type AggSpec struct {
	Kind       AggKind
	Arg        eval.Func // nil for COUNT(*)
	ArgType    value.Type
	ResultType value.Type
}

// acc is the flat state of one aggregate in one group.
type acc struct {
	n        int64       // non-NULL inputs (rows for COUNT(*))
	i        int64       // integer or unscaled decimal sum
	f        float64     // float sum / mean (Welford)
	m2       float64     // sum of squared deviations (Welford)
	v        value.Value // MIN, MAX, FIRST, LAST
	overflow bool
}

// add folds one argument value in.
func (a *acc) add(s *AggSpec, v value.Value) {
	if s.Kind == AggCountStar {
		a.n++
		return
	}
	if v.K == value.KNull {
		return
	}
	a.n++
	switch s.Kind {
	case AggSum, AggAvg:
		switch s.ResultType.Base {
		case value.TDouble:
			a.f += v.Float64()
		case value.TDecimal:
			u := unscaled(v, s.ResultType.Scale)
			sum := a.i + u
			if (u > 0 && sum < a.i) || (u < 0 && sum > a.i) {
				a.overflow = true
			}
			a.i = sum
		default:
			sum := a.i + v.I
			if (v.I > 0 && sum < a.i) || (v.I < 0 && sum > a.i) {
				a.overflow = true
			}
			a.i = sum
		}
	case AggMin:
		if a.n == 1 {
			a.v = v
		} else if c, ok := value.Compare(v, a.v); ok && c < 0 {
			a.v = v
		}
	case AggMax:
		if a.n == 1 {
			a.v = v
		} else if c, ok := value.Compare(v, a.v); ok && c > 0 {
			a.v = v
		}
	case AggFirstValue:
		if a.n == 1 {
			a.v = v
		}
	case AggLastValue:
		a.v = v
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		x := v.Float64()
		d := x - a.f
		a.f += d / float64(a.n)
		a.m2 += d * (x - a.f)
	case AggAny:
		if a.n == 1 {
			a.v = value.NewBool(false)
		}
		if v.Bool() {
			a.v = value.NewBool(true)
		}
	case AggEvery:
		if a.n == 1 {
			a.v = value.NewBool(true)
		}
		if !v.Bool() {
			a.v = value.NewBool(false)
		}
	}
}

// unscaled brings a numeric value to a decimal scale.
func unscaled(v value.Value, scale int) int64 {
	switch v.K {
	case value.KDecimal:
		i := v.I
		for s := int(v.Scale); s < scale; s++ {
			i *= 10
		}
		for s := int(v.Scale); s > scale; s-- {
			i /= 10
		}
		return i
	case value.KInt:
		i := v.I
		for s := 0; s < scale; s++ {
			i *= 10
		}
		return i
	}
	return int64(math.Round(v.Float64() * math.Pow10(scale)))
}

// result is the aggregate's value for the group; err on integer overflow.
func (a *acc) result(s *AggSpec) (value.Value, error) {
	if a.overflow {
		return value.Null, eval.Errorf(eval.ErrArithmetic, "integer overflow in "+s.ResultType.String()+" sum")
	}
	switch s.Kind {
	case AggCount, AggCountStar:
		return value.NewInt(a.n), nil
	}
	if a.n == 0 {
		return value.Null, nil
	}
	rt := s.ResultType
	switch s.Kind {
	case AggSum:
		switch rt.Base {
		case value.TDouble:
			return value.NewFloat(a.f), nil
		case value.TDecimal:
			return value.NewDecimal(a.i, uint8(rt.Scale)), nil
		}
		return checkRange(a.i, rt)
	case AggAvg:
		switch rt.Base {
		case value.TDouble:
			return value.NewFloat(a.f / float64(a.n)), nil
		case value.TDecimal:
			return value.NewDecimal(a.i/a.n, uint8(rt.Scale)), nil
		}
		return value.NewInt(a.i / a.n), nil
	case AggStddevPop, AggVarPop, AggStddevSamp, AggVarSamp:
		return variance(s.Kind, a.n, a.m2), nil
	}
	return a.v, nil
}

// variance is STDDEV_POP/SAMP or VAR_POP/SAMP of n values whose squared
// deviations from their mean sum to m2; the sample forms of fewer than two
// values are NULL.
func variance(k AggKind, n int64, m2 float64) value.Value {
	d := float64(n)
	if k == AggStddevSamp || k == AggVarSamp {
		if n < 2 {
			return value.Null
		}
		d = float64(n - 1)
	}
	v := m2 / d
	if k == AggStddevPop || k == AggStddevSamp {
		v = math.Sqrt(v)
	}
	return value.NewFloat(v)
}

func checkRange(i int64, t value.Type) (value.Value, error) {
	if t.Base == value.TInteger && (i > math.MaxInt32 || i < math.MinInt32) {
		return value.Null, eval.Errorf(eval.ErrArithmetic, fmt.Sprintf("integer overflow: SUM %d does not fit INTEGER", i))
	}
	return value.NewInt(i), nil
}
