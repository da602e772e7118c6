package value

import (
	"math"
	"strconv"
	"testing"
)

// TestAssignEdges: the implicit conversion of INSERT into a stream column
// at the edges of each target type: integer ranges (from integers, floats
// and decimals), REAL rounded to 32 bits, DECIMAL to its scale but not its
// precision, text cut or padded in characters, BOOLEAN and TIMESTAMP text.
func TestAssignEdges(t *testing.T) {
	tiny, small := Type{Base: TTinyint}, Type{Base: TSmallint}
	real := Type{Base: TReal}
	for _, tc := range []struct {
		in   Value
		to   Type
		want string // Text of the result, or "error"
	}{
		{NewInt(127), tiny, "127"},
		{NewInt(128), tiny, "error"},
		{NewInt(-128), tiny, "-128"},
		{NewInt(-129), tiny, "error"},
		{NewInt(32767), small, "32767"},
		{NewInt(-32769), small, "error"},
		{NewInt(2147483647), Integer, "2147483647"},
		{NewInt(2147483648), Integer, "error"},
		{NewInt(math.MinInt64), Bigint, "-9223372036854775808"},
		{NewFloat(127.9), tiny, "127"},
		{NewFloat(128.0), tiny, "error"},
		{NewFloat(-0.5), Integer, "0"},
		{NewFloat(9.223372036854775807e18), Bigint, "error"},
		{NewFloat(-9.223372036854775808e18), Bigint, "-9223372036854775808"},
		{NewFloat(math.NaN()), Bigint, "error"},
		{NewFloat(math.Inf(1)), Bigint, "error"},
		{NewDecimal(1299, 2), Integer, "12"},
		{NewDecimal(-1299, 2), Integer, "-12"},
		{NewBool(true), tiny, "1"},
		{NewFloat(0.1), real, "0.1"},
		{NewFloat(0.1), Double, "0.1"},
		{NewInt(16777217), real, "16777216"},
		{NewString(" 2.5 "), real, "2.5"},
		{NewFloat(1.25), Type{Base: TDecimal, Precision: 3, Scale: 1}, "1.3"},
		{NewFloat(-1.25), Type{Base: TDecimal, Precision: 3, Scale: 1}, "-1.3"},
		{NewInt(12345), Type{Base: TDecimal, Precision: 3, Scale: 1}, "12345.0"},
		{NewString("abcd"), Type{Base: TVarchar, Len: 3}, "abc"},
		{NewString("abc"), Type{Base: TVarchar, Len: 3}, "abc"},
		{NewString("ab日本"), Type{Base: TVarchar, Len: 3}, "ab日"},
		{NewString("a"), Type{Base: TChar, Len: 3}, "a  "},
		{NewInt(12345), Type{Base: TVarchar, Len: 3}, "123"},
		{NewString(" TRUE "), Boolean, "TRUE"},
		{NewString("yes"), Boolean, "error"},
		{NewInt(0), Boolean, "FALSE"},
		{NewString("2024-02-29 23:59:59.999"), Timestamp, "2024-02-29 23:59:59.999"},
		{NewString("2023-02-29 00:00:00"), Timestamp, "error"},
	} {
		v, err := Assign(tc.in, tc.to)
		got := Text(v, tc.to)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("%s (kind %d) into %s: got %q (%v), want %q", Text(tc.in, Type{}), tc.in.K, tc.to, got, err, tc.want)
		}
		if tc.to.Base == TReal && err == nil && v.F != float64(float32(v.F)) {
			t.Errorf("%s into REAL kept 64 bits: %s", Text(tc.in, Type{}), strconv.FormatFloat(v.F, 'g', -1, 64))
		}
	}
}
