package value

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// strconvFloat is AppendFloat without the short-decimal path: strconv's
// shortest round trip alone.
func strconvFloat(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-7 || abs >= 1e21) {
		return strconv.FormatFloat(f, 'E', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func checkFloat(t *testing.T, f float64) {
	t.Helper()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	if got, want := string(AppendFloat(nil, f, 64)), strconvFloat(f); got != want {
		t.Fatalf("AppendFloat(%v) = %s, strconv gives %s (bits %#x)", f, got, want, math.Float64bits(f))
	}
}

// TestAppendFloatShortDecimal compares AppendFloat's short-decimal path
// with strconv: decimals of every number of places up to twelve at every
// magnitude around the path's limits, their neighbouring doubles, sums
// that carry binary noise (0.1+0.2), and random bit patterns.
func TestAppendFloatShortDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 4))
	pow := func(k int) float64 { return math.Pow10(k) }
	n := 300000
	if testing.Short() {
		n = 30000
	}
	for range n {
		places := r.IntN(13)
		digits := 1 + r.IntN(17)
		m := r.Int64N(int64(pow(digits)))
		f, err := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e-"+strconv.Itoa(places), 64)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []float64{f, -f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)),
			f + 0.1, f * 3, f / 3, f + pow(r.IntN(20)-8)} {
			checkFloat(t, g)
		}
		checkFloat(t, math.Float64frombits(r.Uint64()))
	}
	for k := -8; k <= 10; k++ {
		for _, f := range []float64{pow(k), 9 * pow(k), 1.5 * pow(k), 1e6, 1e9, 999999.999999999, 999999999.999999, 0.1 + 0.2} {
			for _, g := range []float64{f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)), -f} {
				checkFloat(t, g)
			}
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e-7, 5e-324, math.MaxFloat64, 50.13, 0.05, 1500, 123456.789} {
		checkFloat(t, f)
	}
}

// FuzzAppendFloat: a decimal m·10^-places nudged by a few doubles, and
// the raw bits, against strconv.
func FuzzAppendFloat(f *testing.F) {
	f.Add(int64(5013), uint8(2), int8(0), uint64(0))
	f.Add(int64(999999999999999), uint8(9), int8(1), math.Float64bits(0.1+0.2))
	f.Add(int64(1), uint8(7), int8(-1), math.Float64bits(1e15))
	f.Fuzz(func(t *testing.T, m int64, places uint8, nudge int8, bits uint64) {
		checkFloat(t, math.Float64frombits(bits))
		x, err := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e-"+strconv.Itoa(int(places%24)), 64)
		if err != nil {
			return
		}
		for ; nudge > 0; nudge-- {
			x = math.Nextafter(x, math.Inf(1))
		}
		for ; nudge < 0; nudge++ {
			x = math.Nextafter(x, math.Inf(-1))
		}
		checkFloat(t, x)
	})
}

// BenchmarkAppendFloat formats prices with two decimals (the short
// path) and averages that need seventeen digits (strconv).
func BenchmarkAppendFloat(b *testing.B) {
	for _, bc := range []struct {
		name string
		f    func(i int) float64
	}{
		{"price", func(i int) float64 { return float64(5000+i%997) / 100 }},
		{"average", func(i int) float64 { return float64(5000+i%997) / 300 }},
	} {
		vals := make([]float64, 1024)
		for i := range vals {
			vals[i] = bc.f(i)
		}
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			for b.Loop() {
				for _, f := range vals {
					buf = AppendFloat(buf[:0], f, 64)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/value")
		})
	}
}

// TestFitsMeansAssignKeepsTheValue: wherever Fits says so, Assign returns
// the value itself, for every base type and values of every kind.
func TestFitsMeansAssignKeepsTheValue(t *testing.T) {
	vals := []Value{Null, NewInt(7), NewInt(-1 << 40), NewFloat(2.5), NewFloat(math.NaN()), NewFloat(1e300),
		NewString(""), NewString("trader-01234"), NewString("héllo"), NewString("a string longer than sixteen"),
		NewString(" 42 "), NewBool(true), NewDecimal(1250, 2), NewTimestamp(1767607200123), NewDate(0), NewTime(1000)}
	fitting := 0
	for b := TUnknown; b <= TAny; b++ {
		for _, n := range []int{0, 5, 16} {
			typ := Type{Base: b, Len: n, Precision: 10, Scale: 2}
			for _, v := range vals {
				if !Fits(v, typ) {
					continue
				}
				fitting++
				got, err := Assign(v, typ)
				same := got.K == v.K && got.I == v.I && got.S == v.S && got.Scale == v.Scale &&
					math.Float64bits(got.F) == math.Float64bits(v.F) && got.R == v.R
				if err != nil || !same {
					t.Errorf("Fits(%v, %s) but Assign gives %v, %v", v, typ, got, err)
				}
			}
		}
	}
	if fitting < 40 {
		t.Errorf("only %d pairs fit: the test covers too little", fitting)
	}
}
