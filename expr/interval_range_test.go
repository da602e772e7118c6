package expr

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser"
)

// Interval literals that do not fit 64-bit milliseconds or months are
// errors naming the limit, not values that wrapped around.
func TestIntervalLiteralOverflow(t *testing.T) {
	tests := []struct {
		lit  string
		want string // "" : a value
	}{
		{"INTERVAL '106751991167' DAY", ""},
		{"INTERVAL '106751991168' DAY", "is out of range (at most 106751991167 days)"},
		{"INTERVAL '99999999999999999999' SECOND", "is out of range"},
		{"INTERVAL '1e400' SECOND", "is out of range"},
		{"INTERVAL '-2562047788015216' HOUR", "is out of range"},
		{"INTERVAL '999999999999 23:00:00' DAY TO SECOND", "is out of range"},
		{"INTERVAL '768614336404564650' YEAR", ""},
		{"INTERVAL '768614336404564651' YEAR", "is out of range (at most 768614336404564650 years)"},
		{"INTERVAL '99999999999999999999' MONTH", "is out of range (at most 9223372036854775807 months)"},
		{"INTERVAL '768614336404564650-7' YEAR TO MONTH", ""},
		{"INTERVAL '768614336404564650-8' YEAR TO MONTH", "is out of range"},
		{"INTERVAL '99999999999999999999-1' YEAR TO MONTH", "is out of range"},
		{"INTERVAL 'x' DAY", "invalid interval"},
	}
	for _, tt := range tests {
		e, err := parser.ParseExpr(tt.lit)
		if err != nil {
			t.Fatalf("%s: %v", tt.lit, err)
		}
		_, _, err = IntervalValue(e.(*parser.IntervalLit))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.lit, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.lit, err, tt.want)
		}
	}
}
