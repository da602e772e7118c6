package value

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/streamsql/streamsql/internal/jsonscan"
)

const (
	msPerSecond = 1000
	msPerDay    = 86400 * 1000
)

// AppendTimestamp appends ms as "yyyy-MM-dd HH:mm:ss.SSS" (UTC), the form
// streamsql prints ROWTIME and TIMESTAMP columns in.
func AppendTimestamp(buf []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(buf, "2006-01-02 15:04:05.000")
}

// FormatTimestamp returns ms in the AppendTimestamp form.
func FormatTimestamp(ms int64) string { return string(AppendTimestamp(nil, ms)) }

func appendDate(buf []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(buf, "2006-01-02")
}

func appendTime(buf []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(buf, "15:04:05.000")
}

// AppendFloat appends f in its shortest round-trip form, without an
// exponent between 1e-7 and 1e21 (the JavaScript rule, readable by every
// JSON consumer). bits is 32 for REAL, 64 for DOUBLE.
func AppendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-7 || abs >= 1e21) {
		return strconv.AppendFloat(buf, f, 'E', -1, bits)
	}
	if bits == 64 {
		if b, ok := appendShortDecimal(buf, f, abs); ok {
			return b
		}
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

// appendShortDecimal appends a DOUBLE that is the one nearest a decimal of
// at most nine places (a price, a quantity: most values a stream
// carries), in the form strconv's shortest round trip gives it, for a
// multiplication and a division instead of strconv's search; ok is false
// for any other value (abs is |f|, from 1e-7 on).
//
// Why the output is strconv's: with places digits after the point and
// |f|·10^places < 2^50, the doubles that round to f span less than a
// quarter of 10^-places, so at most one decimal of that many places
// rounds to f, and Round(|f|·10^places) finds it (the product is off by
// at most an eighth). n/10^places == |f| (a division of exact operands,
// rounded once like a parse) proves it rounds to f. Every shorter decimal
// that rounds to f is that one with trailing zeros dropped, and no
// decimal with more places can have fewer digits without a power of ten
// between the two, itself a candidate. TestAppendFloatShortDecimal
// compares it with strconv on millions of values.
func appendShortDecimal(buf []byte, f, abs float64) ([]byte, bool) {
	var places int
	var scale float64
	switch {
	case abs < 1e6:
		places, scale = 9, 1e9
	case abs < 1e9:
		places, scale = 6, 1e6
	default:
		return buf, false
	}
	n := math.Round(abs * scale)
	if n == 0 || n/scale != abs {
		return buf, false
	}
	if f < 0 {
		buf = append(buf, '-')
	}
	u := uint64(n)
	whole, frac := u/1e9, u%1e9 // constant divisors: multiplications
	if places == 6 {
		whole, frac = u/1e6, u%1e6
	}
	buf = strconv.AppendUint(buf, whole, 10)
	if frac == 0 {
		return buf, true
	}
	// Drop the fraction's trailing zeros (it has fewer than places): each
	// test is a multiplication by a constant, none waits for another.
	switch {
	case frac%1e8 == 0:
		frac, places = frac/1e8, places-8
	case frac%1e7 == 0:
		frac, places = frac/1e7, places-7
	case frac%1e6 == 0:
		frac, places = frac/1e6, places-6
	case frac%1e5 == 0:
		frac, places = frac/1e5, places-5
	case frac%1e4 == 0:
		frac, places = frac/1e4, places-4
	case frac%1e3 == 0:
		frac, places = frac/1e3, places-3
	case frac%1e2 == 0:
		frac, places = frac/1e2, places-2
	case frac%10 == 0:
		frac, places = frac/10, places-1
	}
	buf = append(buf, '.')
	k := len(buf)
	buf = append(buf, "000000000"[:places]...)
	for j := k + places - 1; frac > 0; j-- {
		buf[j] = byte('0' + frac%10)
		frac /= 10
	}
	return buf, true
}

// AppendDecimal appends an unscaled integer with scale digits after the point.
func AppendDecimal(buf []byte, unscaled int64, scale uint8) []byte {
	if scale == 0 {
		return strconv.AppendInt(buf, unscaled, 10)
	}
	neg := unscaled < 0
	u := uint64(unscaled)
	if neg {
		u = uint64(-unscaled)
		buf = append(buf, '-')
	}
	digits := strconv.FormatUint(u, 10)
	for len(digits) <= int(scale) {
		digits = "0" + digits
	}
	cut := len(digits) - int(scale)
	buf = append(buf, digits[:cut]...)
	buf = append(buf, '.')
	return append(buf, digits[cut:]...)
}

func appendIntervalDT(buf []byte, ms int64) []byte {
	if ms < 0 {
		buf = append(buf, '-')
		ms = -ms
	}
	days := ms / msPerDay
	rest := ms % msPerDay
	buf = strconv.AppendInt(buf, days, 10)
	buf = append(buf, ' ')
	return time.UnixMilli(rest).UTC().AppendFormat(buf, "15:04:05.000")
}

func appendIntervalYM(buf []byte, months int64) []byte {
	if months < 0 {
		buf = append(buf, '-')
		months = -months
	}
	buf = strconv.AppendInt(buf, months/12, 10)
	buf = append(buf, '-')
	return strconv.AppendInt(buf, months%12, 10)
}

// AppendText appends the SQL text form of v: what CAST(v AS VARCHAR) gives
// and what CSV and table output print. NULL appends nothing.
func AppendText(buf []byte, v Value, t Type) []byte {
	switch v.K {
	case KNull:
		return buf
	case KBool:
		if v.I != 0 {
			return append(buf, "TRUE"...)
		}
		return append(buf, "FALSE"...)
	case KInt:
		return strconv.AppendInt(buf, v.I, 10)
	case KFloat:
		return AppendFloat(buf, v.F, floatBits(t))
	case KDecimal:
		return AppendDecimal(buf, v.I, v.Scale)
	case KString:
		return append(buf, v.S...)
	case KBinary:
		return append(buf, hex.EncodeToString([]byte(v.S))...)
	case KTimestamp:
		return AppendTimestamp(buf, v.I)
	case KDate:
		return appendDate(buf, v.I)
	case KTime:
		return appendTime(buf, v.I)
	case KIntervalDT:
		return appendIntervalDT(buf, v.I)
	case KIntervalYM:
		return appendIntervalYM(buf, v.I)
	case KRow:
		return AppendJSON(buf, v, t)
	}
	return buf
}

// Text returns the AppendText form of v.
func Text(v Value, t Type) string { return string(AppendText(nil, v, t)) }

func floatBits(t Type) int {
	if t.Base == TReal {
		return 32
	}
	return 64
}

// AppendJSON appends v as a JSON value, the shape KDA delivers to a
// destination: numbers as numbers, booleans as booleans, datetimes and
// strings as strings, binary as base64, NULL as null, ROW values as objects.
func AppendJSON(buf []byte, v Value, t Type) []byte {
	switch v.K {
	case KNull:
		return append(buf, "null"...)
	case KBool:
		if v.I != 0 {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case KInt:
		return strconv.AppendInt(buf, v.I, 10)
	case KFloat:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return AppendJSONString(buf, string(AppendFloat(nil, v.F, 64)))
		}
		return AppendFloat(buf, v.F, floatBits(t))
	case KDecimal:
		return AppendDecimal(buf, v.I, v.Scale)
	case KBinary:
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, []byte(v.S))
		return append(buf, '"')
	case KString:
		return AppendJSONString(buf, v.S)
	case KRow:
		buf = append(buf, '{')
		if v.R != nil {
			for i, f := range v.R.Fields {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = AppendJSONString(buf, v.R.Names[i])
				buf = append(buf, ':')
				var ft Type
				if i < len(v.R.Types) {
					ft = v.R.Types[i]
				}
				buf = AppendJSON(buf, f, ft)
			}
		}
		return append(buf, '}')
	}
	buf = append(buf, '"')
	buf = AppendText(buf, v, t)
	return append(buf, '"')
}

// AppendJSONString appends s as a quoted JSON string.
func AppendJSONString(buf []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	buf = append(buf, '"')
	// Eight bytes at a time up to the first byte that needs a look: most
	// strings are plain ASCII and go out in one copy, after the loop.
	i := jsonscan.StringEnd(s, 0, true)
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xf])
			}
			start = i + 1
			i = jsonscan.StringEnd(s, start, true) // the plain run after it
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
