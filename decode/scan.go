package decode

import (
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/streamsql/streamsql/internal/jsonscan"
)

// scanFlat is the fast path for the common record: one JSON object whose
// mapped columns are all top-level fields. In a single pass it validates
// the document and hands each field to set (key, value as a gjson.Result
// over s). It reports ok=false when the input is not exactly one object it
// can read this way (escaped keys, several documents), so the caller falls
// back to the general path; valid=false means the JSON is malformed.
// A number's Num is left unset (parseFloat): most columns read a number's
// text (integers, DECIMAL, VARCHAR), not its float. guess holds the keys
// the last object had, in order, each one a key scanString took as it is
// (no escape, no control byte): the key at the same place is compared with
// it before it is scanned.
func scanFlat(s string, guess []string, set func(key string, v gjson.Result) bool) (ok, valid bool) {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false, true
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s), true
	}
	for pos := 0; ; {
		if i >= len(s) || s[i] != '"' {
			return true, false
		}
		var key string
		if pos < len(guess) && hasKey(s, i, guess[pos]) {
			key = guess[pos]
			i += len(key) + 2
		} else {
			kend, esc, good := scanString(s, i)
			if !good {
				return true, false
			}
			if esc {
				return false, true
			}
			key, i = s[i+1:kend-1], kend
		}
		pos++
		i = skipWS(s, i)
		if i >= len(s) || s[i] != ':' {
			return true, false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return true, false
		}
		var r gjson.Result
		start := i
		switch c := s[i]; {
		case c == '"':
			end, esc, good := scanString(s, i)
			if !good {
				return true, false
			}
			i = end
			r.Type, r.Raw = gjson.String, s[start:i]
			if esc {
				r.Str = gjson.Parse(r.Raw).Str
			} else {
				r.Str = s[start+1 : i-1]
			}
		case c == '{' || c == '[':
			n := docEnd([]byte(s[i:]))
			if n == 0 || !jsonscan.Valid([]byte(s[i:i+n])) {
				return true, false
			}
			i += n
			r.Type, r.Raw = gjson.JSON, s[start:i]
		case c == 't' || c == 'f' || c == 'n':
			lit, typ := "null", gjson.Null
			if c == 't' {
				lit, typ = "true", gjson.True
			} else if c == 'f' {
				lit, typ = "false", gjson.False
			}
			if len(s)-i < len(lit) || s[i:i+len(lit)] != lit {
				return true, false
			}
			i += len(lit)
			r.Raw, r.Type = lit, typ
		default:
			end := scanNumber(s, i)
			if end == i {
				return true, false
			}
			r.Type, r.Raw = gjson.Number, s[start:end]
			i = end
		}
		if !set(key, r) {
			return true, true
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return true, false
		}
		if s[i] == '}' {
			// Anything after the object but white space is a second document.
			return skipWS(s, i+1) == len(s), true
		}
		if s[i] != ',' {
			return true, false
		}
		i = skipWS(s, i+1)
	}
}

// parseFloat is a JSON number's float as gjson reads it: strconv.ParseFloat,
// ±Inf beyond float64's range. The usual number, up to 15 digits and no
// exponent, is an integer over a power of ten that are both exact in
// float64, so their quotient is the correctly rounded value ParseFloat
// returns (its own exact fast path, without its general set-up).
func parseFloat(num string) float64 {
	neg, k := false, 0
	if len(num) > 0 && num[0] == '-' {
		neg, k = true, 1
	}
	var m uint64
	digits, frac, point := 0, 0, false
	for ; k < len(num); k++ {
		c := num[k]
		if c == '.' {
			point = true
			continue
		}
		if c < '0' || c > '9' || digits == 15 {
			f, _ := strconv.ParseFloat(num, 64)
			return f
		}
		if m = m*10 + uint64(c-'0'); m != 0 {
			digits++
		}
		if point {
			frac++
		}
	}
	if frac > 22 {
		f, _ := strconv.ParseFloat(num, 64)
		return f
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f
}

var pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// hasKey says whether the string at s[i] is key, plain.
func hasKey(s string, i int, key string) bool {
	end := i + 1 + len(key)
	return end < len(s) && s[i] == '"' && s[end] == '"' && s[i+1:end] == key
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	return i
}

// scanString returns the index after the closing quote of the string at i,
// whether it holds escapes, and whether it is well formed.
func scanString(s string, i int) (end int, esc, ok bool) {
	for j := jsonscan.StringEnd(s, i+1, false); j < len(s); j = jsonscan.StringEnd(s, j+1, false) {
		switch c := s[j]; {
		case c == '"':
			return j + 1, esc, true
		case c == '\\':
			esc = true
			j++
			if j >= len(s) {
				return 0, esc, false
			}
			if s[j] == 'u' {
				if j+4 >= len(s) {
					return 0, esc, false
				}
				for _, h := range s[j+1 : j+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return 0, esc, false
					}
				}
				j += 4
			} else if !isEscape(s[j]) {
				return 0, esc, false
			}
		case c < 0x20:
			return 0, esc, false
		}
	}
	return 0, esc, false
}

func isEscape(c byte) bool {
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	}
	return false
}

// scanNumber returns the end of a JSON number starting at i (i if none).
func scanNumber(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	digits := j
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == digits || (s[digits] == '0' && j-digits > 1) {
		return i
	}
	if j < len(s) && s[j] == '.' {
		j++
		f := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == f {
			return i
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		e := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == e {
			return i
		}
	}
	return j
}
