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

// AggKind is an aggregate function.
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

var aggNames = map[string]AggKind{
	"COUNT": AggCount, "SUM": AggSum, "AVG": AggAvg, "MIN": AggMin, "MAX": AggMax,
	"FIRST_VALUE": AggFirstValue, "LAST_VALUE": AggLastValue, "STDDEV_POP": AggStddevPop,
	"STDDEV_SAMP": AggStddevSamp, "VAR_POP": AggVarPop, "VAR_SAMP": AggVarSamp,
	"ANY": AggAny, "SOME": AggAny, "EVERY": AggEvery,
}

// ParseAggKind maps a function name to an aggregate usable in GROUP BY.
// LAG, NTH_VALUE and EXP_AVG are not: they need an OVER window.
func ParseAggKind(name string) (AggKind, bool) {
	k, ok := aggNames[name]
	return k, ok
}

var analyticNames = map[string]AggKind{"LAG": AggLag, "NTH_VALUE": AggNthValue, "EXP_AVG": AggExpAvg}

// ParseAnalyticKind maps a function name usable with OVER: every
// aggregate plus LAG, NTH_VALUE and EXP_AVG.
func ParseAnalyticKind(name string) (AggKind, bool) {
	if k, ok := aggNames[name]; ok {
		return k, true
	}
	k, ok := analyticNames[name]
	return k, ok
}

// AggSpec is one aggregate of a GROUP BY: its kind and compiled argument.
type AggSpec struct {
	Kind       AggKind
	Arg        eval.Func // nil for COUNT(*)
	ArgType    value.Type
	ResultType value.Type
}

// ResultType is the type an aggregate returns for an argument type.
// Integer sums and averages stay integers (AVG truncates), as the KDA
// reference's worked examples show.
func ResultType(k AggKind, arg value.Type) (value.Type, error) {
	numeric := func() error {
		if !arg.IsNumeric() && arg.Base != value.TUnknown {
			return fmt.Errorf("needs a numeric argument, not %s", arg)
		}
		return nil
	}
	switch k {
	case AggCount, AggCountStar:
		return value.Bigint, nil
	case AggSum, AggAvg:
		if err := numeric(); err != nil {
			return value.Type{}, err
		}
		switch arg.Base {
		case value.TTinyint, value.TSmallint, value.TInteger:
			return value.Integer, nil
		case value.TBigint:
			return value.Bigint, nil
		case value.TDecimal:
			return value.Type{Base: value.TDecimal, Precision: 19, Scale: arg.Scale}, nil
		}
		return value.Double, nil
	case AggMin, AggMax, AggFirstValue, AggLastValue, AggLag, AggNthValue:
		t := arg
		t.NotNull = false
		return t, nil
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp, AggExpAvg:
		if err := numeric(); err != nil {
			return value.Type{}, err
		}
		return value.Double, nil
	case AggAny, AggEvery:
		if arg.Base != value.TBoolean && arg.Base != value.TUnknown {
			return value.Type{}, fmt.Errorf("needs a BOOLEAN argument, not %s", arg)
		}
		return value.Boolean, nil
	}
	return value.Type{}, fmt.Errorf("unknown aggregate")
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
