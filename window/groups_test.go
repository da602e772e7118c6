package window

import (
	"math"
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/value"
)

// TestAccColMatchesAcc: the compact per-aggregate storage gives, group by
// group, the results (and overflow errors) the general accumulator gives,
// for COUNT, COUNT(*), SUM and AVG of integers, decimals and doubles, and
// an aggregate kept in general form (MAX).
func TestAccColMatchesAcc(t *testing.T) {
	dec := value.Type{Base: value.TDecimal, Precision: 12, Scale: 2}
	specs := []AggSpec{
		{Kind: AggCount, ArgType: value.Bigint, ResultType: value.Bigint},
		{Kind: AggCountStar, ResultType: value.Bigint},
		{Kind: AggSum, ArgType: value.Bigint, ResultType: value.Bigint},
		{Kind: AggAvg, ArgType: value.Bigint, ResultType: value.Bigint},
		{Kind: AggSum, ArgType: dec, ResultType: dec},
		{Kind: AggSum, ArgType: value.Double, ResultType: value.Double},
		{Kind: AggAvg, ArgType: value.Double, ResultType: value.Double},
		{Kind: AggMax, ArgType: value.Bigint, ResultType: value.Bigint},
	}
	rng := rand.New(rand.NewSource(7))
	const groups = 50
	for si := range specs {
		s := &specs[si]
		col := accCol{mode: accModeOf(s)}
		general := make([]acc, groups)
		for g := 0; g < groups; g++ {
			col.grow()
		}
		for i := 0; i < 5000; i++ {
			g := rng.Intn(groups)
			var v value.Value
			switch {
			case rng.Intn(5) == 0:
				v = value.Null
			case s.ArgType.Base == value.TDouble:
				v = value.NewFloat(rng.NormFloat64() * 1e3)
			case s.ArgType.Base == value.TDecimal:
				v = value.NewDecimal(rng.Int63n(1e6)-5e5, 2)
			case g == 3: // one group overflows
				v = value.NewInt(math.MaxInt64 / 3)
			default:
				v = value.NewInt(rng.Int63n(1e6) - 5e5)
			}
			col.add(g, s, v)
			general[g].add(s, v)
		}
		for g := 0; g < groups; g++ {
			a := col.get(g)
			got, gerr := a.result(s)
			want, werr := general[g].result(s)
			if (gerr == nil) != (werr == nil) || !value.Identical(got, want) {
				t.Fatalf("spec %d group %d: compact %v %v, general %v %v", si, g, got, gerr, want, werr)
			}
		}
	}
}
