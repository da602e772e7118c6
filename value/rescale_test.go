package value

import "testing"

// Rescaling a decimal rounds half away from zero once, not digit by digit.
func TestRescaleRoundsOnce(t *testing.T) {
	for _, tt := range []struct {
		u        int64
		from, to int
		want     int64
	}{
		{12345, 4, 2, 123}, {12355, 4, 2, 124}, {-12345, 4, 2, -123}, {-12350, 4, 2, -124},
		{15, 1, 0, 2}, {-15, 1, 0, -2}, {14, 1, 0, 1}, {7, 0, 3, 7000}, {999, 2, 2, 999},
		{123, 25, 2, 0},
	} {
		if got := rescale(tt.u, tt.from, tt.to); got != tt.want {
			t.Errorf("rescale(%d, %d, %d) = %d, want %d", tt.u, tt.from, tt.to, got, tt.want)
		}
	}
}
