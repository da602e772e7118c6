package value

import "testing"

// ParseDecimal is exact: no float step, exponents shift digits, the digit
// after the scale rounds half away from zero, 19 significant digits at most.
func TestParseDecimalExact(t *testing.T) {
	tests := []struct {
		s     string
		scale int
		want  int64
		ok    bool
	}{
		{"4000123412345678.0", 1, 40001234123456780, true},
		{"4000123412345678.0", 3, 4000123412345678000, true},
		{"4000123412345678.0", 4, 0, false}, // 20 digits
		{"4.000123412345678E15", 1, 40001234123456780, true},
		{"4.000123412345678e+15", 0, 4000123412345678, true},
		{"9007199254740993", 0, 9007199254740993, true}, // not a float64
		{"0.1", 18, 100000000000000000, true},
		{"1.5E3", 2, 150000, true},
		{"125E-3", 2, 13, true},
		{"0.125", 2, 13, true},
		{"-0.125", 2, -13, true},
		{"0.124", 2, 12, true},
		{"-7", 2, -700, true},
		{"+7.5", 0, 8, true},
		{"1e-30", 2, 0, true},
		{"0.005", 2, 1, true},
		{"0.0049", 2, 0, true},
		{"000012.50", 1, 125, true},
		{"9223372036854775807", 0, 9223372036854775807, true},
		{"9223372036854775808", 0, 0, false},
		{"1e400", 0, 0, false},
		{"12.34.5", 2, 0, false},
		{"abc", 0, 0, false},
		{"1e", 0, 0, false},
		{".", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDecimal(tt.s, tt.scale)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d, %v", tt.s, tt.scale, got, ok, tt.want, tt.ok)
		}
	}
}

// A DECIMAL column's declared precision does not limit stored values
// (Assign); CAST still checks it.
func TestAssignDecimalIgnoresPrecision(t *testing.T) {
	col := Type{Base: TDecimal, Precision: 5, Scale: 1}
	v, err := Assign(NewDecimal(40001234123456780, 1), col)
	if err != nil || v.I != 40001234123456780 || v.Scale != 1 {
		t.Fatalf("Assign = %v, %v", v, err)
	}
	if _, err := Cast(NewDecimal(40001234123456780, 1), col); err == nil {
		t.Fatal("CAST to DECIMAL(5,1) accepted a 17-digit value")
	}
	if _, err := Assign(NewDecimal(922337203685477580, 1), Type{Base: TDecimal, Scale: 3}); err == nil {
		t.Fatal("Assign rescaled past 64 bits without an error")
	}
}
