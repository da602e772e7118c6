package decode

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/streamsql/streamsql/value"
)

// fromJSON converts a JSON value by KDA's mapping rules: null is NULL for
// every type; booleans are 1/0 for numbers; numbers must fit integer
// columns exactly; strings are parsed, and truncated silently for VARCHAR;
// objects and arrays become their text in VARCHAR columns.
func fromJSON(r gjson.Result, t value.Type) (value.Value, error) {
	switch r.Type {
	case gjson.Null:
		return value.Null, nil
	case gjson.True, gjson.False:
		b := r.Type == gjson.True
		switch {
		case t.Base == value.TBoolean:
			return value.NewBool(b), nil
		case t.IsNumeric():
			i := int64(0)
			if b {
				i = 1
			}
			return value.Assign(value.NewInt(i), t)
		case t.IsString():
			return value.Assign(value.NewString(strconv.FormatBool(b)), t)
		case t.Base == value.TBinary || t.Base == value.TVarbinary:
			if b {
				return value.NewBinary([]byte{1}), nil
			}
			return value.NewBinary([]byte{0}), nil
		}
		return value.Null, fmt.Errorf("cannot convert %s to %s", r.Raw, t)
	case gjson.Number:
		switch {
		case t.IsInteger():
			i, err := strconv.ParseInt(r.Raw, 10, 64)
			if err != nil {
				f, ferr := strconv.ParseFloat(r.Raw, 64)
				if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 9e18 {
					return value.Null, fmt.Errorf("%s does not fit %s", r.Raw, t)
				}
				i = int64(f)
			}
			return value.Assign(value.NewInt(i), t)
		case t.Base == value.TDecimal:
			u, ok := value.ParseDecimal(r.Raw, t.Scale)
			if !ok {
				return value.Null, fmt.Errorf("%s does not fit %s: a DECIMAL holds at most 19 significant digits", r.Raw, t)
			}
			return value.Assign(value.NewDecimal(u, uint8(t.Scale)), t)
		case t.Base == value.TReal:
			return value.NewFloat(float64(float32(r.Num))), nil
		case t.Base == value.TDouble:
			return value.NewFloat(r.Num), nil
		case t.Base == value.TBoolean:
			return value.NewBool(r.Num != 0), nil
		case t.IsString():
			return value.Assign(value.NewString(r.Raw), t)
		}
		return value.Null, fmt.Errorf("cannot convert %s to %s", r.Raw, t)
	case gjson.String:
		return fromString(r.Str, t)
	case gjson.JSON:
		if t.IsString() {
			return value.Assign(value.NewString(r.Raw), t)
		}
		return value.Null, fmt.Errorf("cannot convert a JSON %s to %s", kind(r.Raw), t)
	}
	return value.Null, nil // missing path
}

// readsFloat says whether fromJSON reads a number's Num (not its text)
// for type t.
func readsFloat(t value.Type) bool {
	return t.Base == value.TReal || t.Base == value.TDouble || t.Base == value.TBoolean
}

func kind(raw string) string {
	if strings.HasPrefix(raw, "[") {
		return "array"
	}
	return "object"
}

// fromString converts text (a JSON string or a CSV field) to type t.
func fromString(s string, t value.Type) (value.Value, error) {
	switch {
	case t.Base == value.TVarchar && (t.Len <= 0 || len(s) <= t.Len):
		// What Cast gives (a VARCHAR is cut only past its length in
		// characters, never more than its bytes), without its call.
		return value.NewString(s), nil
	case t.IsString():
		// Assign is Cast but for DECIMAL; calling Cast spares the copy of
		// t that the inlined Assign makes, on every text field.
		return value.Cast(value.NewString(s), t)
	case t.Base == value.TBoolean:
		return value.NewBool(strings.EqualFold(strings.TrimSpace(s), "true")), nil
	case t.Base == value.TBinary || t.Base == value.TVarbinary:
		if len(s) >= 3 && (s[0] == 'X' || s[0] == 'x') && s[1] == '\'' && s[len(s)-1] == '\'' {
			h := s[2 : len(s)-1]
			if len(h)%2 == 0 {
				b := make([]byte, len(h)/2)
				ok := true
				for i := range b {
					x, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
					if err != nil {
						ok = false
						break
					}
					b[i] = byte(x)
				}
				if ok {
					return value.NewBinary(b), nil
				}
			}
		}
		return value.Null, fmt.Errorf("%q is not a binary literal X'..'", s)
	}
	v, err := value.Assign(value.NewString(s), t)
	if err != nil {
		snippet := s
		if len(snippet) > 40 {
			snippet = snippet[:40] + "..."
		}
		return value.Null, fmt.Errorf("cannot convert %q to %s", snippet, t)
	}
	return v, nil
}
