package value

import (
	"math"
	"strings"
)

// Compare orders two non-NULL values of comparable kinds: -1, 0 or +1.
// ok is false when either is NULL or the kinds cannot be compared.
// Numbers of different kinds compare by numeric value.
func Compare(a, b Value) (c int, ok bool) {
	if a.K == KNull || b.K == KNull {
		return 0, false
	}
	if a.K == b.K {
		switch a.K {
		case KInt, KBool, KTimestamp, KDate, KTime, KIntervalDT, KIntervalYM:
			return cmpInt(a.I, b.I), true
		case KFloat:
			return cmpFloat(a.F, b.F), true
		case KString, KBinary:
			return strings.Compare(a.S, b.S), true
		case KDecimal:
			if a.Scale == b.Scale {
				return cmpInt(a.I, b.I), true
			}
		}
	}
	if a.isNumber() && b.isNumber() {
		if a.K != KFloat && b.K != KFloat {
			// Exact comparison of integers and decimals: align scales.
			ai, as := a.unscaled()
			bi, bs := b.unscaled()
			if x, y, aligned := alignScale(ai, as, bi, bs); aligned {
				return cmpInt(x, y), true
			}
		}
		return cmpFloat(a.Float64(), b.Float64()), true
	}
	if (a.K == KTimestamp || a.K == KDate) && (b.K == KTimestamp || b.K == KDate) {
		return cmpInt(a.I, b.I), true
	}
	return 0, false
}

func (v Value) isNumber() bool { return v.K == KInt || v.K == KFloat || v.K == KDecimal }

func (v Value) unscaled() (int64, uint8) {
	if v.K == KDecimal {
		return v.I, v.Scale
	}
	return v.I, 0
}

// alignScale brings two scaled integers to the same scale; aligned is false on overflow.
func alignScale(a int64, as uint8, b int64, bs uint8) (int64, int64, bool) {
	for as < bs {
		if a > math.MaxInt64/10 || a < math.MinInt64/10 {
			return 0, 0, false
		}
		a *= 10
		as++
	}
	for bs < as {
		if b > math.MaxInt64/10 || b < math.MinInt64/10 {
			return 0, 0, false
		}
		b *= 10
		bs++
	}
	return a, b, true
}

// Float64 converts a numeric value to float64 (0 for non-numbers).
func (v Value) Float64() float64 {
	switch v.K {
	case KInt, KBool:
		return float64(v.I)
	case KFloat:
		return v.F
	case KDecimal:
		return float64(v.I) / math.Pow10(int(v.Scale))
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders NaN after every number so sorting stays total.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	}
	return -1
}

// Identical reports whether a and b are the same value for grouping:
// NULL equals NULL (IS NOT DISTINCT FROM), numbers compare by value.
func Identical(a, b Value) bool {
	if a.K == KNull || b.K == KNull {
		return a.K == b.K
	}
	c, ok := Compare(a, b)
	return ok && c == 0
}
