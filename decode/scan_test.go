package decode

import (
	"math"
	"strconv"
	"testing"
)

// FuzzParseFloat: parseFloat returns strconv.ParseFloat's float, bit for
// bit (negative zero and ±Inf included), for every JSON number.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"0", "-0", "-0.0", "1.23", "-1.23", "123456789012345", "1234567890123456", "0.1",
		"0.000000000000000000001", "0.00000000000000000000012", "9007199254740993", "17976931348623157", "100.50", "1e400", "-2E+700"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || scanNumber(s, 0) != len(s) {
			return
		}
		want, _ := strconv.ParseFloat(s, 64) // ±Inf out of range, as gjson reads it
		if got := parseFloat(s); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: %v, ParseFloat %v", s, got, want)
		}
	})
}
