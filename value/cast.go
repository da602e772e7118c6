package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ConversionError is a value that cannot become the requested type; the
// row that carried it goes to error_stream.
type ConversionError struct{ Msg string }

func (e *ConversionError) Error() string { return e.Msg }

func convErr(v Value, t Type) error {
	s := Text(v, Type{})
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return &ConversionError{Msg: fmt.Sprintf("cannot convert '%s' to %s", s, t)}
}

// Assign coerces v into a column of type t on INSERT: numbers between
// numeric types (range-checked), text truncated to the column length,
// text parsed into numbers, booleans and datetimes. It is Cast; the name
// says where it is used, except for DECIMAL:
//
// A DECIMAL column's declared precision is not a limit here: the value is
// rounded to the column's scale and must fit 19 significant digits
// (docs/semantics.md R7); CAST(x AS DECIMAL(p,s)) does check p.
func Assign(v Value, t Type) (Value, error) {
	if t.Base == TDecimal {
		t.Precision = 0
	}
	return Cast(v, t)
}

// Fits reports, by a check small enough to inline, that Assign(v, t) and
// Cast(v, t) return v itself: a DOUBLE in a DOUBLE column, a BIGINT in a
// BIGINT, text no longer in bytes than a VARCHAR's length, NULL anywhere.
// false only means Assign has to decide.
func Fits(v Value, t Type) bool {
	switch t.Base {
	case TDouble:
		return v.K == KFloat || v.K == KNull
	case TBigint:
		return v.K == KInt || v.K == KNull
	case TVarchar:
		return v.K == KString && (len(v.S) <= t.Len || t.Len == 0) || v.K == KNull
	case TTimestamp:
		return v.K == KTimestamp || v.K == KNull
	}
	return v.K == KNull
}

// Cast converts v to type t. Floats and decimals become integers by
// truncation toward zero; DECIMAL rounds half away from zero to its scale;
// text is cut to the declared length without error (as KDA's input mapping
// does).
func Cast(v Value, t Type) (Value, error) {
	if v.K == KNull || t.Base == TUnknown || t.Base == TAny {
		return v, nil
	}
	switch t.Base {
	case TBoolean:
		switch v.K {
		case KBool:
			return v, nil
		case KInt, KFloat, KDecimal:
			return NewBool(v.Float64() != 0), nil
		case KString:
			switch strings.ToUpper(strings.TrimSpace(v.S)) {
			case "TRUE":
				return NewBool(true), nil
			case "FALSE":
				return NewBool(false), nil
			}
		}
	case TTinyint, TSmallint, TInteger, TBigint:
		var i int64
		switch v.K {
		case KInt, KBool:
			i = v.I
		case KFloat:
			if math.IsNaN(v.F) || v.F >= 9.223372036854775807e18 || v.F < -9.223372036854775808e18 {
				return Null, convErr(v, t)
			}
			i = int64(v.F)
		case KDecimal:
			i = v.I
			for s := v.Scale; s > 0; s-- {
				i /= 10
			}
		case KString:
			s := strings.TrimSpace(v.S)
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				f, ferr := strconv.ParseFloat(s, 64)
				if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 9e18 {
					return Null, convErr(v, t)
				}
				n = int64(f)
			}
			i = n
		default:
			return Null, convErr(v, t)
		}
		if !intFits(i, t.Base) {
			return Null, &ConversionError{Msg: fmt.Sprintf("%d is out of range for %s", i, t)}
		}
		if v.K == KInt {
			return v, nil
		}
		return NewInt(i), nil
	case TDecimal:
		return toDecimal(v, t)
	case TReal, TDouble:
		var f float64
		switch v.K {
		case KInt, KBool, KDecimal:
			f = v.Float64()
		case KFloat:
			f = v.F
		case KString:
			x, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
			if err != nil {
				return Null, convErr(v, t)
			}
			f = x
		default:
			return Null, convErr(v, t)
		}
		if t.Base == TReal {
			f = float64(float32(f))
		}
		if v.K == KFloat && f == v.F {
			return v, nil
		}
		return NewFloat(f), nil
	case TChar, TVarchar:
		s := v.S
		if v.K != KString {
			s = Text(v, Type{})
		}
		if t.Len > 0 && len(s) > t.Len && utf8.RuneCountInString(s) > t.Len {
			s = truncateRunes(s, t.Len)
		}
		if t.Base == TChar && t.Len > 0 {
			if n := utf8.RuneCountInString(s); n < t.Len {
				s += strings.Repeat(" ", t.Len-n)
			}
		}
		if v.K == KString && s == v.S {
			return v, nil
		}
		return NewString(s), nil
	case TBinary, TVarbinary:
		if v.K == KBinary || v.K == KString {
			s := v.S
			if t.Len > 0 && len(s) > t.Len {
				s = s[:t.Len]
			}
			return Value{K: KBinary, S: s}, nil
		}
	case TTimestamp:
		switch v.K {
		case KTimestamp:
			return v, nil
		case KDate:
			return NewTimestamp(v.I), nil
		case KString:
			if ms, ok := ParseTimestamp(v.S); ok {
				return NewTimestamp(ms), nil
			}
		}
	case TDate:
		switch v.K {
		case KDate:
			return v, nil
		case KTimestamp:
			return NewDate(floorDiv(v.I, msPerDay) * msPerDay), nil
		case KString:
			if ms, ok := ParseTimestamp(v.S); ok {
				return NewDate(floorDiv(ms, msPerDay) * msPerDay), nil
			}
		}
	case TTime:
		switch v.K {
		case KTime:
			return v, nil
		case KTimestamp:
			return NewTime(v.I - floorDiv(v.I, msPerDay)*msPerDay), nil
		case KString:
			if ms, ok := ParseTimestamp("1970-01-01 " + strings.TrimSpace(v.S)); ok {
				return NewTime(ms), nil
			}
		}
	case TIntervalDT, TIntervalYM:
		if v.K == t.Kind() {
			return v, nil
		}
	case TRow:
		if v.K == KRow {
			return v, nil
		}
	}
	return Null, convErr(v, t)
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func intFits(i int64, b Base) bool {
	switch b {
	case TTinyint:
		return i >= math.MinInt8 && i <= math.MaxInt8
	case TSmallint:
		return i >= math.MinInt16 && i <= math.MaxInt16
	case TInteger:
		return i >= math.MinInt32 && i <= math.MaxInt32
	}
	return true
}

// toDecimal converts to DECIMAL(p,s), rounding half away from zero.
func toDecimal(v Value, t Type) (Value, error) {
	scale := t.Scale
	var u int64
	switch v.K {
	case KDecimal:
		if int(v.Scale) == scale {
			u = v.I
		} else {
			if scale > int(v.Scale) {
				lim := int64(math.MaxInt64)
				for i := int(v.Scale); i < scale; i++ {
					lim /= 10
				}
				if v.I > lim || v.I < -lim {
					return Null, convErr(v, t)
				}
			}
			u = rescale(v.I, int(v.Scale), scale)
		}
	case KInt, KBool:
		u = v.I
		for i := 0; i < scale; i++ {
			if u > math.MaxInt64/10 || u < math.MinInt64/10 {
				return Null, convErr(v, t)
			}
			u *= 10
		}
	case KFloat:
		f := math.Round(v.F * math.Pow10(scale))
		if math.IsNaN(f) || math.Abs(f) >= 9.2e18 {
			return Null, convErr(v, t)
		}
		u = int64(f)
	case KString:
		d, ok := ParseDecimal(strings.TrimSpace(v.S), scale)
		if !ok {
			return Null, convErr(v, t)
		}
		u = d
	default:
		return Null, convErr(v, t)
	}
	if t.Precision > 0 && t.Precision < 19 {
		limit := int64(math.Pow10(t.Precision))
		if u >= limit || u <= -limit {
			return Null, &ConversionError{Msg: fmt.Sprintf("%s does not fit %s", Text(NewDecimal(u, uint8(scale)), Type{}), t)}
		}
	}
	return NewDecimal(u, uint8(scale)), nil
}

// rescale moves an unscaled integer between scales, rounding half away
// from zero once (1.2345 to scale 2 is 1.23, not 1.24 by rounding digit by
// digit).
func rescale(u int64, from, to int) int64 {
	for ; from < to; from++ {
		u *= 10 // callers check the range first (toDecimal)
	}
	if from > to {
		if from-to > 18 {
			return 0
		}
		d := int64(1)
		for i := to; i < from; i++ {
			d *= 10
		}
		q, r := u/d, u%d
		if r >= (d+1)/2 {
			q++
		} else if -r >= (d+1)/2 {
			q--
		}
		u = q
	}
	return u
}

// ParseDecimal reads decimal text, with an optional exponent (1.5E3),
// into an unscaled integer at scale, exactly (no float step): digits
// beyond the scale round half away from zero. It reports false for text
// that is not a number and for values beyond 19 significant digits (the
// unscaled integer must fit 64 bits).
func ParseDecimal(s string, scale int) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return 0, false
		}
		s, exp = s[:i], e
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, false
	}
	digits := whole + frac
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, true
	}
	// The value is digits × 10^(exp-len(frac)); unscaled, × 10^scale more.
	shift := exp - len(frac) + scale
	round := false
	if shift < 0 {
		keep := len(digits) + shift
		if keep < 0 {
			return 0, true
		}
		round = keep < len(digits) && digits[keep] >= '5'
		digits, shift = digits[:keep], 0
	}
	if len(digits)+shift > 19 {
		return 0, false
	}
	var u int64
	if digits != "" {
		var err error
		if u, err = strconv.ParseInt(digits, 10, 64); err != nil {
			return 0, false
		}
	}
	for ; shift > 0; shift-- {
		if u > math.MaxInt64/10 {
			return 0, false
		}
		u *= 10
	}
	if round {
		if u == math.MaxInt64 {
			return 0, false
		}
		u++
	}
	if neg {
		u = -u
	}
	return u, true
}

// ParseTimestamp reads yyyy-MM-dd[( |T)HH:mm[:ss[.fff...]]][Z]; digits past
// milliseconds are dropped.
func ParseTimestamp(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "Z")
	if len(s) < 10 {
		return 0, false
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == 't') {
		s = s[:10] + " " + s[11:]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 3 {
		s = s[:i+4]
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}
